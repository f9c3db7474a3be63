/**
 * The audit trail's hash chain: intact as the application writes it, also under concurrent
 * writers, and broken wherever someone with full access to the database (a superuser, triggers
 * disabled) edits, deletes, inserts or reorders an event. `npm run audit:verify` tells the same.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../prisma/database';
import { openPreparedDatabase } from '../../prisma/migrate';
import { recordAudit, verifyAuditChain } from '../../records/audit';
import { createTestDatabase, testDatabaseKind } from '../support/database';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

const actor = { role: 'REVIEWER' as const, keyId: crypto.randomUUID(), userId: crypto.randomUUID(), name: 'A reviewer' };
const event = (type: string, data: Record<string, unknown> = {}) => ({
  noticeId: crypto.randomUUID(),
  at: new Date(),
  type,
  actor,
  data,
});
const sql = (text: string) => db.prisma.$executeRawUnsafe(text);
/** As a superuser would: the append-only and chain triggers set aside for one change. */
async function tamper(db: Database, ...statements: string[]): Promise<void> {
  await db.prisma.$transaction([
    db.prisma.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER'),
    ...statements.map((s) => db.prisma.$executeRawUnsafe(s)),
    db.prisma.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER USER'),
  ]);
}
const rows = () => db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });

test('events are numbered in order and chained; the check passes', async () => {
  await recordAudit(db.prisma, event('A', { n: 1 }), event('B', { list: ['x', 'y'], nested: { b: 2, a: 1 } }));
  await recordAudit(db.prisma, event('C'));
  const all = await rows();
  expect(all.map((e) => e.type)).toEqual(['A', 'B', 'C']);
  expect(all.map((e) => Number(e.seq))).toEqual([1, 2, 3]);
  for (const e of all) expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
  expect(new Set(all.map((e) => e.hash)).size).toBe(3);
  expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, events: 3 });
});

test('a hash sent by the application is replaced, and an id already recorded is skipped without breaking the chain', async () => {
  const id = crypto.randomUUID();
  await db.prisma.auditEvent.create({
    data: { id, at: new Date(), type: 'FORGED', actorRole: 'ADMIN', data: {}, hash: 'f'.repeat(64), seq: 999 },
  });
  await recordAudit(db.prisma, { ...event('AGAIN'), id });
  const last = (await rows()).at(-1)!;
  expect(last).toMatchObject({ id, type: 'FORGED', seq: 4n });
  expect(last.hash).not.toBe('f'.repeat(64));
  expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, events: 4 });
});

test('concurrent writers do not fork the chain', async () => {
  await Promise.all(Array.from({ length: 40 }, (_, i) => recordAudit(db.prisma, event(`P${i}`), event(`Q${i}`))));
  const all = await rows();
  expect(all.map((e) => Number(e.seq))).toEqual(all.map((_, i) => i + 1));
  expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, events: all.length });
});

describe('tampering is detected', () => {
  test('an event edited: broken at that event; put back, whole again', async () => {
    const victim = (await rows())[2];
    await tamper(db, `UPDATE "AuditEvent" SET "type" = 'Z' WHERE "id" = '${victim.id}'`);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, firstBrokenEventId: victim.id });
    await tamper(db, `UPDATE "AuditEvent" SET "data" = '{"n": 2}' WHERE "id" = '${victim.id}'`);
    await tamper(
      db,
      `UPDATE "AuditEvent" SET "type" = '${victim.type}', "data" = '${JSON.stringify(victim.data)}' WHERE "id" = '${victim.id}'`,
    );
    expect((await verifyAuditChain(db.prisma)).ok).toBe(true);
  });

  test('an event edited with its hash recomputed: broken at the next one', async () => {
    const [victim, next] = (await rows()).slice(4, 6);
    await tamper(
      db,
      `UPDATE "AuditEvent" SET "actorUserId" = NULL, "hash" = audit_event_digest(
         (SELECT "hash" FROM "AuditEvent" WHERE "seq" = ${victim.seq - 1n}), "id", "noticeId", "at", "type", "actorRole",
         "actorCountry", NULL, "actorKeyId", "data") WHERE "id" = '${victim.id}'`,
    );
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, firstBrokenEventId: next.id });
    await tamper(
      db,
      `UPDATE "AuditEvent" SET "actorUserId" = '${victim.actorUserId}', "hash" = '${victim.hash}' WHERE "id" = '${victim.id}'`,
    );
    expect((await verifyAuditChain(db.prisma)).ok).toBe(true);
  });

  test('an event deleted: broken at the next one', async () => {
    const [victim, next] = (await rows()).slice(6, 8);
    await tamper(db, `DELETE FROM "AuditEvent" WHERE "id" = '${victim.id}'`);
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, firstBrokenEventId: next.id });
    await db.prisma.$transaction([
      db.prisma.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER'),
      db.prisma.auditEvent.create({ data: { ...victim, data: victim.data as object } }),
      db.prisma.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER USER'),
    ]);
    expect((await verifyAuditChain(db.prisma)).ok).toBe(true);
  });

  test('two events swapped: broken at the first moved', async () => {
    const [a, b] = (await rows()).slice(8, 10);
    const swap = () =>
      tamper(
        db,
        `UPDATE "AuditEvent" SET "seq" = -1 WHERE "seq" = ${a.seq}`,
        `UPDATE "AuditEvent" SET "seq" = ${a.seq} WHERE "seq" = ${b.seq}`,
        `UPDATE "AuditEvent" SET "seq" = ${b.seq} WHERE "seq" = -1`,
      );
    await swap();
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, firstBrokenEventId: b.id });
    await swap();
    expect((await verifyAuditChain(db.prisma)).ok).toBe(true);
  });

  test('an event inserted past the chain, or the newest one deleted', async () => {
    const all = await rows();
    const last = all.at(-1)!;
    const forged = crypto.randomUUID();
    await tamper(
      db,
      `INSERT INTO "AuditEvent" ("seq", "id", "at", "type", "actorRole", "data", "hash")
       VALUES (${last.seq + 1n}, '${forged}', now(), 'FORGED', 'ADMIN', '{}', audit_event_digest('${last.hash}', '${forged}', NULL, now(), 'FORGED', 'ADMIN', NULL, NULL, NULL, '{}'))`,
    );
    expect(await verifyAuditChain(db.prisma)).toMatchObject({ ok: false, firstBrokenEventId: forged });
    await tamper(db, `DELETE FROM "AuditEvent" WHERE "id" = '${forged}'`);
    expect((await verifyAuditChain(db.prisma)).ok).toBe(true);
    await tamper(db, `DELETE FROM "AuditEvent" WHERE "id" = '${last.id}'`);
    expect(await verifyAuditChain(db.prisma)).toEqual({ ok: false, events: all.length - 1 });
  });
});

test('npm run audit:verify checks the database alone: exit 0 when intact, 1 with the broken event', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'silver-audit-'));
  let env: Record<string, string>;
  let target: Database;
  if (testDatabaseKind() === 'pglite') {
    env = { SILVER_DATA_DIR: dir };
    target = (await openPreparedDatabase({ pgliteDir: path.join(dir, 'pglite') })).db;
  } else {
    target = db;
    env = { DATABASE_URL: process.env.TEST_DATABASE_URL!.replace(/\/[^/]*$/, `/${await currentDatabase()}`) };
    await tamper(db, 'DELETE FROM "AuditEvent"');
    await sql(`UPDATE "AuditChainHead" SET "lastSeq" = 0, "lastHash" = ''`);
  }
  await recordAudit(target.prisma, event('ONE'), event('TWO'), event('THREE'));
  const second = (await target.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } }))[1];
  if (target !== db) await target.close();

  const run = () =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', path.resolve(__dirname, '../../scripts/audit-verify.ts')],
        { env: { ...process.env, ...env, DATABASE_URL: env.DATABASE_URL ?? '' }, cwd: path.resolve(__dirname, '../..') },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, out: stdout, err: stderr }),
      );
    });
  const intact = await run();
  expect(intact).toMatchObject({ code: 0 });
  expect(JSON.parse(intact.out)).toEqual({ ok: true, events: 3 });

  if (testDatabaseKind() === 'pglite') {
    const reopened = (await openPreparedDatabase({ pgliteDir: path.join(dir, 'pglite') })).db;
    await tamper(reopened, `UPDATE "AuditEvent" SET "at" = "at" - interval '1 day' WHERE "id" = '${second.id}'`);
    await reopened.close();
  } else {
    await tamper(db, `UPDATE "AuditEvent" SET "at" = "at" - interval '1 day' WHERE "id" = '${second.id}'`);
  }
  const broken = await run();
  expect(broken.code).toBe(1);
  expect(JSON.parse(broken.out)).toEqual({ ok: false, events: 1, firstBrokenEventId: second.id });
  expect(broken.err).toContain(second.id);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function currentDatabase(): Promise<string> {
  return (await db.prisma.$queryRawUnsafe<{ name: string }[]>('SELECT current_database() AS name'))[0].name;
}
