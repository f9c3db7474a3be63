/**
 * API keys are kept by each API process once looked up, until PostgreSQL says they changed: a
 * revocation, a user disabled or enabled again, by the API or by an operator's SQL, reaches every
 * process through LISTEN/NOTIFY. On PostgreSQL two API processes (each its own pool, listening
 * connection and cache) share one database; on PGlite, one process hears its own changes at once.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { openDatabase, type Database } from '../../prisma/database';
import { openPreparedDatabase } from '../../prisma/migrate';
import type { PrismaClient } from '../../records/db';
import { KEY_CHANGES_CHANNEL } from '../../records/keys';
import { createServices } from '../../services';
import { countingPrisma, freshDatabaseOn, testDatabaseKind } from '../support/database';
import { failOnServerErrors } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

/** An API process of its own on `db`: its own services (and so its own key cache) and port. */
async function apiProcess(sys: TestSystem, db: { prisma: PrismaClient; listen: Database['listen'] }) {
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const services = createServices({
    prisma: db.prisma,
    temporal: sys.env.client,
    taskQueue: sys.taskQueue,
    daySeconds: 86400,
    log,
    listen: db.listen,
  });
  await services.keys.start();
  const server: Server = await new Promise((resolve) => {
    const s = buildApp({ services, log, rateLimitPerMinute: 1_000_000 }).listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    services,
    /** The status of a call with `key` (one whose only database work is the perimeter's and a read). */
    status: async (key: string) => (await fetch(`${url}/v1/countries`, { headers: { authorization: `Bearer ${key}` } })).status,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await services.perimeter.security.stop();
    },
  };
}
type ApiProcess = Awaited<ReturnType<typeof apiProcess>>;

/** How long until `status` answers `expected` (polling); fails past `withinMs`. */
async function msUntil(status: () => Promise<number>, expected: number, withinMs = 1000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const got = await status();
    const ms = performance.now() - t0;
    if (got === expected) return ms;
    if (ms > withinMs) throw new Error(`still ${got} after ${Math.round(ms)} ms (expected ${expected})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Changes rows the way a restore from backup would: no trigger fires, so no notification is sent. */
function behindTheCachesBack(prisma: PrismaClient, sql: string, ...values: unknown[]) {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SET LOCAL session_replication_role = replica`);
    await tx.$executeRawUnsafe(sql, ...values);
  });
}

const newKey = async (sys: TestSystem, body: Record<string, unknown> = { role: 'NCB', country: 'IT' }) => {
  const res = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body });
  expect(res.status).toBe(201);
  return res.body as { id: string; key: string; userId: string };
};

(testDatabaseKind() === 'postgres' ? describe : describe.skip)('two API processes on one PostgreSQL', () => {
  let sys: TestSystem; // process A (with the worker)
  let second: Database;
  let b: ApiProcess;

  beforeAll(async () => {
    let url = '';
    const db = await freshDatabaseOn(process.env.TEST_DATABASE_URL!, 'silver_test', async (target) => {
      url = (target as { url: string }).url;
      return (await openPreparedDatabase(target)).db;
    });
    sys = await startTestSystem({ db });
    second = await openDatabase({ url });
    b = await apiProcess(sys, second);
  });
  afterAll(async () => {
    await b?.stop();
    await second?.close();
    await sys?.stop();
  });
  failOnServerErrors(() => sys);

  test('a key revoked through one process is refused by the other within a second', async () => {
    const k = await newKey(sys);
    expect(await b.status(k.key)).toBe(200);
    expect(await b.status(k.key)).toBe(200);
    expect(b.services.keys.holds(k.id)).toBe(true);

    expect((await sys.call('DELETE', `/v1/api-keys/${k.id}`, { key: sys.adminKey })).status).toBe(204);
    expect(await msUntil(() => b.status(k.key), 401)).toBeLessThan(1000);
    expect((await sys.call('GET', '/v1/countries', { key: k.key })).status).toBe(401);
  });

  test('a user disabled, then enabled again, through one process: refused, then accepted by the other within a second', async () => {
    const k = await newKey(sys);
    expect(await b.status(k.key)).toBe(200);
    expect(b.services.keys.holds(k.id)).toBe(true);
    expect((await sys.call('DELETE', `/v1/users/${k.userId}`, { key: sys.adminKey })).status).toBe(204);
    expect(await msUntil(() => b.status(k.key), 401)).toBeLessThan(1000);
    expect((await sys.call('POST', `/v1/users/${k.userId}/enable`, { key: sys.adminKey })).status).toBe(200);
    expect(await msUntil(() => b.status(k.key), 200)).toBeLessThan(1000);
    expect((await sys.call('GET', '/v1/countries', { key: k.key })).status).toBe(200);
  });

  test("a user disabled, then enabled again, by an operator's SQL: refused, then works again on both", async () => {
    const k = await newKey(sys);
    expect(await b.status(k.key)).toBe(200);
    await sys.db.prisma.$executeRaw`UPDATE "User" SET "disabledAt" = now() WHERE "id" = ${k.userId}::uuid`;
    expect(await msUntil(() => b.status(k.key), 401)).toBeLessThan(1000);
    // Refused from the cache now: the disabled row is kept, so only a notification can bring it back.
    expect(b.services.keys.holds(k.id)).toBe(true);
    await sys.db.prisma.$executeRaw`UPDATE "User" SET "disabledAt" = NULL WHERE "id" = ${k.userId}::uuid`;
    expect(await msUntil(() => b.status(k.key), 200)).toBeLessThan(1000);
    expect((await sys.call('GET', '/v1/countries', { key: k.key })).status).toBe(200);
  });

  test('a key kept and then expired is refused at its expiry', async () => {
    const holder = await sys.key('NCB', 'FR');
    const expiresAt = new Date(Date.now() + 1500);
    const key = await sys.userKey(holder, { expiresAt });
    expect(await b.status(key)).toBe(200);
    const { keyId } = await sys.principal(key);
    expect(b.services.keys.holds(keyId)).toBe(true);
    await new Promise((r) => setTimeout(r, expiresAt.getTime() - Date.now() + 20));
    expect(await b.status(key)).toBe(401);
    expect(b.services.keys.holds(keyId)).toBe(true);
  });

  test('a change no one announced is not seen until a notification names it: the key is served from memory', async () => {
    const k = await newKey(sys);
    expect(await b.status(k.key)).toBe(200);
    await behindTheCachesBack(sys.db.prisma, `UPDATE "ApiKey" SET "revokedAt" = now() WHERE "id" = $1::uuid`, k.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(await b.status(k.key)).toBe(200); // kept: no statement looked it up
    expect((await sys.call('GET', '/v1/countries', { key: k.key })).status).toBe(401); // never kept by A: looked up
    await sys.db.prisma.$executeRaw`SELECT pg_notify(${KEY_CHANGES_CHANNEL}, ${`key:${k.id}`})`;
    expect(await msUntil(() => b.status(k.key), 401)).toBeLessThan(1000);
  });

  test('a lost listening connection empties the cache; listening again, revocations reach it again', async () => {
    const k = await newKey(sys);
    expect(await b.status(k.key)).toBe(200);
    await behindTheCachesBack(sys.db.prisma, `UPDATE "ApiKey" SET "revokedAt" = now() WHERE "id" = $1::uuid`, k.id);
    expect(await b.status(k.key)).toBe(200);
    const listeners = () =>
      sys.db.prisma.$queryRaw<{ pid: number }[]>`
        SELECT pid FROM pg_stat_activity WHERE application_name = 'silver-listener' AND datname = current_database()`;
    const before = (await listeners()).map((l) => l.pid);
    expect(before).toHaveLength(2);
    await sys.db.prisma.$queryRaw`SELECT pg_terminate_backend(pid) FROM unnest(${before}::int[]) AS pid`;
    // Whatever was sent while it was away is lost: what it kept is forgotten, and the key looked up.
    expect(await msUntil(() => b.status(k.key), 401)).toBeLessThan(1000);

    await msUntil(async () => ((await listeners()).filter((l) => !before.includes(l.pid)).length === 2 ? 1 : 0), 1, 5000);
    await msUntil(async () => (b.services.keys.state().listening ? 1 : 0), 1, 5000);
    const again = await newKey(sys);
    expect(await b.status(again.key)).toBe(200);
    expect(b.services.keys.holds(again.id)).toBe(true);
    expect((await sys.call('DELETE', `/v1/api-keys/${again.id}`, { key: sys.adminKey })).status).toBe(204);
    expect(await msUntil(() => b.status(again.key), 401)).toBeLessThan(1000);
  });
});

(testDatabaseKind() === 'pglite' ? describe : describe.skip)('one process on PGlite', () => {
  let sys: TestSystem;
  /** Key lookups by hash or id (Prisma's ApiKey.findUnique) made through `counted`. */
  let lookups: () => number;
  let counted: ApiProcess;

  beforeAll(async () => {
    sys = await startTestSystem();
    const counting = countingPrisma(sys.db.prisma, 'ApiKey', 'findUnique');
    lookups = counting.calls;
    counted = await apiProcess(sys, { prisma: counting.prisma, listen: sys.db.listen });
  });
  afterAll(async () => {
    await counted?.stop();
    await sys?.stop();
  });
  failOnServerErrors(() => sys);

  test('a key is looked up once, then kept', async () => {
    const k = await newKey(sys);
    const before = lookups();
    for (let i = 0; i < 5; i++) expect(await counted.status(k.key)).toBe(200);
    expect(lookups() - before).toBe(1);
  });

  test('revocation, disabling and enabling take effect at once, through the API or by SQL', async () => {
    const revoked = await newKey(sys);
    expect(await counted.status(revoked.key)).toBe(200);
    expect((await sys.call('GET', '/v1/countries', { key: revoked.key })).status).toBe(200);
    expect((await sys.call('DELETE', `/v1/api-keys/${revoked.id}`, { key: sys.adminKey })).status).toBe(204);
    expect(await counted.status(revoked.key)).toBe(401);
    expect((await sys.call('GET', '/v1/countries', { key: revoked.key })).status).toBe(401);

    const disabled = await newKey(sys);
    expect(await counted.status(disabled.key)).toBe(200);
    expect((await sys.call('DELETE', `/v1/users/${disabled.userId}`, { key: sys.adminKey })).status).toBe(204);
    expect(await counted.status(disabled.key)).toBe(401);
    expect((await sys.call('POST', `/v1/users/${disabled.userId}/enable`, { key: sys.adminKey })).status).toBe(200);
    expect(await counted.status(disabled.key)).toBe(200);

    const bySql = await newKey(sys);
    expect(await counted.status(bySql.key)).toBe(200);
    await sys.db.prisma.$executeRaw`UPDATE "User" SET "disabledAt" = now() WHERE "id" = ${bySql.userId}::uuid`;
    expect(await counted.status(bySql.key)).toBe(401);
    await sys.db.prisma.$executeRaw`UPDATE "User" SET "disabledAt" = NULL WHERE "id" = ${bySql.userId}::uuid`;
    expect(await counted.status(bySql.key)).toBe(200);
    await sys.db.prisma.$executeRaw`UPDATE "ApiKey" SET "expiresAt" = now() WHERE "id" = ${bySql.id}::uuid`;
    expect(await counted.status(bySql.key)).toBe(401);
  });

  test('a change no one announced is not seen until a notification names it', async () => {
    const k = await newKey(sys);
    expect(await counted.status(k.key)).toBe(200);
    await behindTheCachesBack(sys.db.prisma, `UPDATE "ApiKey" SET "revokedAt" = now() WHERE "id" = $1::uuid`, k.id);
    expect(await counted.status(k.key)).toBe(200);
    await sys.db.prisma.$executeRaw`SELECT pg_notify(${KEY_CHANGES_CHANNEL}, ${`user:${k.userId}`})`;
    expect(await counted.status(k.key)).toBe(401);
  });

  test("a key's last use is noted with its rate count, at most once a minute", async () => {
    const k = await newKey(sys);
    const lastUsed = async () => (await sys.db.prisma.apiKey.findUnique({ where: { id: k.id } }))!.lastUsedAt;
    expect(await lastUsed()).toBeNull();
    expect(await counted.status(k.key)).toBe(200);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    expect(await counted.status(k.key)).toBe(200);
    expect(await lastUsed()).toEqual(first);
  });
});
