/**
 * `npm run bench:perimeter`: what the perimeter costs a submission (POST /v1/notices), in one run
 * on one database and one Temporal server. The production app is measured with everything on, then
 * without each part in turn (the rate limiter's database store, the audit hash chain, the payload
 * codec) and with all three off; and refused calls (401) with and without recording them as
 * security events, next to the cost of one `record` call; and a key's check, kept by the process
 * (as in production) or looked up at every call, on PGlite and on PostgreSQL when
 * BENCH_DATABASE_URL names a server.
 *
 * Without the limiter: its store is swapped for one that counts nothing. Without hashing: the
 * chain trigger is disabled on this benchmark's own database. Without the codec: a client and a
 * worker (on their own task queue) without the data converter. Phases are interleaved in rounds,
 * so drift on a busy machine spreads over all of them.
 *
 * BENCH_REQUESTS (default 200) submissions per phase, in BENCH_ROUNDS (4) rounds; BENCH_CONCURRENCY (8);
 * BENCH_KEY_CALLS (2000) calls each way for the key's check.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../activities';
import { buildApp } from '../api/app';
import { MEMBER_COUNTRIES } from '../domain/countries';
import type { Database } from '../prisma/database';
import { openPreparedDatabase } from '../prisma/migrate';
import { recordAudit, SYSTEM_ACTOR } from '../records/audit';
import type { PrismaClient } from '../records/db';
import { createUserWithKey } from '../records/keys';
import { savePilotSettings } from '../records/pilot';
import { createServices, type Services } from '../services';
import { generateKey } from '../services/auth';
import { EncryptionCodec, encryptedDataConverter, newPayloadKey, parsePayloadKeys } from '../temporal/codec';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { TEMPORAL_CLI, ensureTemporalBinaries } from '../temporal/toolchain';
import {
  client,
  expectStatus,
  percentile,
  printJson,
  printTable,
  ratio,
  round,
  run,
  runPool,
  tempDir,
  uniqueRequest,
  waitFor,
} from './support';
import { baselineActivities, benchDatabases, openBenchDatabase } from './system';

const N = Number(process.env.BENCH_REQUESTS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const C = Number(process.env.BENCH_CONCURRENCY ?? 8);
const REFUSALS = 2000;
const KEY_CALLS = Number(process.env.BENCH_KEY_CALLS ?? 2000);
const REQUESTERS = ['IT', 'DE', 'NL', 'BE', 'PT', 'AT', 'GR', 'PL'];

type Phase = 'all on' | 'no rate limiter' | 'no audit hashing' | 'no codec' | 'all off';
const PHASES: Phase[] = ['all on', 'no rate limiter', 'no audit hashing', 'no codec', 'all off'];

/** A store that counts nothing: the limiter's middleware without its database write. */
const countsNothing = () => ({
  localKeys: true,
  increment: async () => ({ totalHits: 1, resetTime: new Date(Date.now() + 60_000) }),
  decrement: async () => undefined,
  resetKey: async () => undefined,
});

async function main() {
  ensureTemporalBinaries();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = tempDir('perimeter');
  const { db } = await openPreparedDatabase({ pgliteDir: path.join(dir, 'pglite') });
  const everyone = MEMBER_COUNTRIES.map((c) => c.code);
  await savePilotSettings(db.prisma, { participants: everyone, quotaTotal: 1e9, recipientsLimitedToParticipants: false });
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: TEMPORAL_CLI }, ip: '127.0.0.1', dbFilename: path.join(dir, 'temporal.sqlite') },
  });
  await registerSearchAttributes(env.connection, 'default');
  const log = pino({ level: 'silent' });
  const codec = encryptedDataConverter(parsePayloadKeys(newPayloadKey()));
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows.ts'), logger: quiet });
  const activities = { ...createActivities({ prisma: db.prisma, log }), ...baselineActivities };

  // Two workers, two task queues: one encrypting every payload (production), one not.
  const queues = { codec: `bench-codec-${crypto.randomUUID()}`, plain: `bench-plain-${crypto.randomUUID()}` };
  const workers = [
    await Worker.create({ connection: env.nativeConnection, taskQueue: queues.codec, workflowBundle, activities, dataConverter: codec }),
    await Worker.create({ connection: env.nativeConnection, taskQueue: queues.plain, workflowBundle, activities }),
  ];
  const running = workers.map((w) => w.run());
  const encrypting = new Client({ connection: env.connection, dataConverter: codec });
  const servicesOf = (temporal: Client, taskQueue: string) =>
    createServices({ prisma: db.prisma, temporal, taskQueue, daySeconds: 86400, log, listen: db.listen });
  const withCodec = servicesOf(encrypting, queues.codec);
  const withoutCodec = servicesOf(env.client, queues.plain);
  const unlimited = (s: Services): Services => ({ ...s, perimeter: { ...s.perimeter, callCounter: () => countsNothing() as never } });
  const unrecorded = (s: Services): Services => ({
    ...s,
    perimeter: { ...s.perimeter, security: { ...s.perimeter.security, record: () => undefined } },
  });

  const servers: Server[] = [];
  const listen = async (services: Services) => {
    const server: Server = await new Promise((resolve) => {
      const s = buildApp({ services, log, rateLimitPerMinute: 1_000_000 }).listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    return client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  };
  const apps: Record<Phase, ReturnType<typeof client>> = {
    'all on': await listen(withCodec),
    'no rate limiter': await listen(unlimited(withCodec)),
    'no audit hashing': await listen(withCodec),
    'no codec': await listen(withoutCodec),
    'all off': await listen(unlimited(withoutCodec)),
  };
  const refusals = { recorded: await listen(withCodec), unrecorded: await listen(unrecorded(withCodec)) };
  const keys = await Promise.all(
    REQUESTERS.map(async (country) => {
      const key = generateKey();
      await createUserWithKey(db.prisma, { name: `Bench ${country}`, role: 'NCB', country, key });
      return key;
    }),
  );
  const hashing = (on: boolean) =>
    db.prisma.$executeRawUnsafe(`ALTER TABLE "AuditEvent" ${on ? 'ENABLE' : 'DISABLE'} TRIGGER "AuditEvent_chain"`);

  try {
    const latencies: Record<Phase, number[]> = Object.fromEntries(PHASES.map((p) => [p, []])) as never;
    const elapsed: Record<Phase, number> = Object.fromEntries(PHASES.map((p) => [p, 0])) as never;
    const submit = (phase: Phase) => async (i: number) => {
      const answer = await apps[phase]('POST', '/v1/notices', keys[i % keys.length], uniqueRequest(`P${i}`));
      return expectStatus(answer, 201, `${phase} submission`).body.id as string;
    };
    /** Every request of a phase screened, so the next phase does not share the machine with its screening. */
    const screened = (ids: string[]) =>
      waitFor('screening', async () => (await db.prisma.notice.count({ where: { id: { in: ids }, status: 'SUBMITTED' } })) === 0);
    for (const phase of PHASES) await screened((await runPool(10, C, submit(phase))).results); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      for (const phase of PHASES) {
        const off = phase === 'no audit hashing' || phase === 'all off';
        if (off) await hashing(false);
        const res = await runPool(Math.ceil(N / ROUNDS), C, submit(phase));
        await screened(res.results);
        if (off) await hashing(true);
        latencies[phase].push(...res.latencies);
        elapsed[phase] += res.elapsedMs;
      }
    }
    const figures = Object.fromEntries(
      PHASES.map((p) => [
        p,
        {
          p50: round(percentile(latencies[p], 50)),
          p99: round(percentile(latencies[p], 99)),
          throughput: round((latencies[p].length / elapsed[p]) * 1000),
        },
      ]),
    ) as Record<Phase, { p50: number; p99: number; throughput: number }>;
    const all = figures['all on'];
    printTable(`POST /v1/notices: ${latencies['all on'].length} submissions per phase, ${C} in flight, ${ROUNDS} interleaved rounds`, [
      ...PHASES.map((p) => ({ phase: p, 'p50 (ms)': figures[p].p50, 'p99 (ms)': figures[p].p99, 'req/s': figures[p].throughput })),
    ]);
    const cost = (without: Phase) => ({
      p50: ratio(all.p50, figures[without].p50),
      throughput: ratio(figures[without].throughput, all.throughput),
    });
    const ratios = {
      rateLimiter: cost('no rate limiter'),
      auditHashing: cost('no audit hashing'),
      codec: cost('no codec'),
      wholePerimeter: cost('all off'),
    };
    printTable('Cost of each part (all on / without it: p50 latency ratio; throughput without it / all on)', [
      ...Object.entries(ratios).map(([part, r]) => ({ part, 'p50 ratio': r.p50, 'throughput ratio': r.throughput })),
    ]);

    // Refused calls: a 401 answered with and without queueing its security event.
    const refuse = (call: ReturnType<typeof client>) => async () =>
      expectStatus(await call('GET', '/v1/pilot', 'snk_not_a_key'), 401, '401');
    await runPool(100, C, refuse(refusals.recorded));
    await runPool(100, C, refuse(refusals.unrecorded));
    const rec: number[] = [];
    const unrec: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      unrec.push(...(await runPool(Math.ceil(REFUSALS / ROUNDS), C, refuse(refusals.unrecorded))).latencies);
      rec.push(...(await runPool(Math.ceil(REFUSALS / ROUNDS), C, refuse(refusals.recorded))).latencies);
    }
    const security = withCodec.perimeter.security;
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) security.record({ kind: 'UNAUTHENTICATED', method: 'GET', path: '/v1/bench', ip: '127.0.0.1' });
    const perRecordUs = round(((performance.now() - t0) / 10_000) * 1000, 2);
    await security.flush();
    const refusal = {
      recorded: { p50: round(percentile(rec, 50), 2), p99: round(percentile(rec, 99), 2) },
      unrecorded: { p50: round(percentile(unrec, 50), 2), p99: round(percentile(unrec, 99), 2) },
    };
    printTable(`A refused call (401), ${REFUSALS} calls each, ${C} in flight`, [
      {
        measure: 'p50 (ms)',
        recorded: refusal.recorded.p50,
        'not recorded': refusal.unrecorded.p50,
        ratio: ratio(refusal.recorded.p50, refusal.unrecorded.p50),
      },
      {
        measure: 'p99 (ms)',
        recorded: refusal.recorded.p99,
        'not recorded': refusal.unrecorded.p99,
        ratio: ratio(refusal.recorded.p99, refusal.unrecorded.p99),
      },
      { measure: 'one record() call (µs)', recorded: perRecordUs },
    ]);
    const alone = await partsAlone(withCodec, db.prisma, hashing);
    printTable(`Each part alone, one call at a time (a submission's p50 with all on: ${all.p50} ms)`, [
      { part: 'rate limiter: count a call in the database', 'ms per call': alone.rateLimiter },
      { part: 'an audit event, chained (hash trigger on)', 'ms per call': alone.auditWithHash },
      { part: 'an audit event, not chained (trigger off)', 'ms per call': alone.auditWithoutHash },
      { part: "codec: encrypt and decrypt a request's payload", 'ms per call': alone.codec },
    ]);
    const keyCache: Record<string, KeyCheckFigures> = {};
    for (const kind of benchDatabases()) {
      const kdb = kind === 'pglite' ? db : await openBenchDatabase(kind, dir);
      try {
        keyCache[kind] = await keyChecks(kdb, env.client, queues.plain);
      } finally {
        if (kdb !== db) await kdb.close();
      }
      const k = keyCache[kind];
      printTable(`A key's check on ${kind}: GET /v1/countries, ${KEY_CALLS} calls each way, ${C} in flight`, [
        { measure: 'p50 (ms)', kept: k.kept.p50, 'looked up': k.lookedUp.p50, ratio: ratio(k.kept.p50, k.lookedUp.p50) },
        { measure: 'p99 (ms)', kept: k.kept.p99, 'looked up': k.lookedUp.p99, ratio: ratio(k.kept.p99, k.lookedUp.p99) },
        { measure: 'calls per second', kept: k.kept.throughput, 'looked up': k.lookedUp.throughput },
        { measure: 'statements per call', kept: k.kept.statements, 'looked up': k.lookedUp.statements },
        { measure: 'authenticate alone (ms)', kept: k.kept.authenticateMs, 'looked up': k.lookedUp.authenticateMs },
      ]);
    }
    printJson('perimeter', {
      requests: latencies['all on'].length,
      concurrency: C,
      submit: figures,
      ratios,
      refusal: { ...refusal, perRecordUs },
      alone,
      keyCache,
    });
  } finally {
    for (const s of servers) await new Promise<void>((resolve) => (s.close(() => resolve()), s.closeAllConnections()));
    for (const w of workers) w.shutdown();
    await Promise.all(running.map((r) => r.catch(() => undefined)));
    await withCodec.perimeter.security.stop();
    await withoutCodec.perimeter.security.stop();
    await env.teardown();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What each part costs measured alone, one call after another: steadier than the end-to-end
 * figures on a busy machine, where a few milliseconds drown in the spread of whole submissions.
 */
async function partsAlone(services: Services, prisma: PrismaClient, hashing: (on: boolean) => Promise<unknown>) {
  const time = async (n: number, fn: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 20; i++) await fn(i);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn(i);
    return round((performance.now() - t0) / n, 3);
  };
  const counter = services.perimeter.callCounter(60_000, 'bench:');
  const rateLimiter = await time(1000, (i) => counter.increment(`key-${i % 8}`));
  const audit = (i: number) =>
    recordAudit(prisma, { noticeId: null, at: new Date(), type: 'BENCH', actor: SYSTEM_ACTOR, data: { i, what: 'bench' } });
  const auditWithHash = await time(500, audit);
  await hashing(false);
  const auditWithoutHash = await time(500, audit);
  await hashing(true);
  const codec = new EncryptionCodec(parsePayloadKeys(newPayloadKey()));
  const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(uniqueRequest('C'))) };
  const codecMs = await time(2000, async () => codec.decode(await codec.encode([payload])));
  return { rateLimiter, auditWithHash, auditWithoutHash, codec: codecMs };
}

interface KeyCheckFigures {
  kept: KeyCheckFigure;
  lookedUp: KeyCheckFigure;
}
interface KeyCheckFigure {
  p50: number;
  p99: number;
  throughput: number;
  statements: number;
  authenticateMs: number;
}

/**
 * A key's check: GET /v1/countries (the perimeter, then two small reads) through an app whose
 * services keep keys, listening to their changes as in production, and through one whose services
 * look each key up, in interleaved rounds; the statements each call makes (counted through a
 * Prisma extension both apps share); and `authenticate` alone, one call after another.
 */
async function keyChecks(db: Database, temporal: Client, taskQueue: string): Promise<KeyCheckFigures> {
  const log = pino({ level: 'silent' });
  let statements = 0;
  const prisma = db.prisma.$extends({
    query: {
      $allOperations({ args, query }) {
        statements++;
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  const kept = createServices({ prisma, temporal, taskQueue, daySeconds: 86400, log, listen: db.listen });
  const lookedUp = createServices({ prisma, temporal, taskQueue, daySeconds: 86400, log });
  await kept.keys.start();
  const servers: Server[] = [];
  const listen = async (services: Services) => {
    const server: Server = await new Promise((resolve) => {
      const s = buildApp({ services, log, rateLimitPerMinute: 1_000_000 }).listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    return client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  };
  const apps = { kept: await listen(kept), lookedUp: await listen(lookedUp) };
  const keys = await Promise.all(
    REQUESTERS.map(async (country) => {
      const key = generateKey();
      await createUserWithKey(db.prisma, { name: `Bench keys ${country}`, role: 'NCB', country, key });
      return key;
    }),
  );
  try {
    const way = (name: keyof typeof apps) => async (i: number) =>
      expectStatus(await apps[name]('GET', '/v1/countries', keys[i % keys.length]), 200, `GET /v1/countries (${name})`);
    const latencies = { kept: [] as number[], lookedUp: [] as number[] };
    const elapsed = { kept: 0, lookedUp: 0 };
    for (const name of ['kept', 'lookedUp'] as const) await runPool(100, C, way(name)); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      for (const name of ['kept', 'lookedUp'] as const) {
        const res = await runPool(Math.ceil(KEY_CALLS / ROUNDS), C, way(name));
        latencies[name].push(...res.latencies);
        elapsed[name] += res.elapsedMs;
      }
    }
    const perCall = async (name: keyof typeof apps) => {
      const before = statements;
      for (let i = 0; i < 100; i++) await way(name)(i);
      return round((statements - before) / 100, 2);
    };
    const alone = async (services: Services) => {
      for (let i = 0; i < 50; i++) await services.authenticate(`Bearer ${keys[i % keys.length]}`);
      const t0 = performance.now();
      for (let i = 0; i < 1000; i++) await services.authenticate(`Bearer ${keys[i % keys.length]}`);
      return round((performance.now() - t0) / 1000, 3);
    };
    const figure = async (name: keyof typeof apps, services: Services): Promise<KeyCheckFigure> => ({
      p50: round(percentile(latencies[name], 50), 2),
      p99: round(percentile(latencies[name], 99), 2),
      throughput: round((latencies[name].length / elapsed[name]) * 1000),
      statements: await perCall(name),
      authenticateMs: await alone(services),
    });
    return { kept: await figure('kept', kept), lookedUp: await figure('lookedUp', lookedUp) };
  } finally {
    for (const s of servers) await new Promise<void>((resolve) => (s.close(() => resolve()), s.closeAllConnections()));
    await kept.perimeter.security.stop();
    await lookedUp.perimeter.security.stop();
  }
}

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };

run(main);
