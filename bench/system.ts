/**
 * The system the benchmarks measure, in their own process: the database, the Temporal dev server,
 * the production worker (with the baselines' workflows and activities beside it) and the Express
 * app (with the baselines' routes in front of it).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import express from 'express';
import pino from 'pino';
import { createActivities } from '../activities';
import { buildApp } from '../api/app';
import { MEMBER_COUNTRIES } from '../domain/countries';
import type { Database, DatabaseTarget } from '../prisma/database';
import { openPreparedDatabase } from '../prisma/migrate';
import { createUserWithKey } from '../records/keys';
import { savePilotSettings } from '../records/pilot';
import { createServices } from '../services';
import { generateKey } from '../services/auth';
import { encryptedDataConverter, newPayloadKey, parsePayloadKeys } from '../temporal/codec';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { TEMPORAL_CLI, ensureTemporalBinaries } from '../temporal/toolchain';
import { freshDatabaseOn } from '../test/support/database';
import { createDeliveryWorker } from '../temporal/worker';
import { client, tempDir } from './support';

export interface BenchSystem {
  baseUrl: string;
  call: ReturnType<typeof client>;
  db: Database;
  env: TestWorkflowEnvironment;
  worker: Worker;
  taskQueue: string;
  /** Creates an API key directly in the database. */
  key(role: 'ADMIN' | 'REVIEWER' | 'NCB', country?: string): Promise<string>;
  /** An NCB key per member country, created on first use. */
  ncbKey(country: string): Promise<string>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** The baselines' activities: nothing at all. */
export const baselineActivities = {
  async noop(): Promise<void> {},
};

export type BenchDatabase = 'pglite' | 'postgres';

/**
 * The databases a benchmark runs on: the embedded one, and PostgreSQL when BENCH_DATABASE_URL names
 * a server; BENCH_ONLY=pglite or postgres keeps one of them.
 */
export function benchDatabases(): BenchDatabase[] {
  const all: BenchDatabase[] = process.env.BENCH_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
  const only = process.env.BENCH_ONLY;
  if (!only) return all;
  if (!all.includes(only as BenchDatabase)) throw new Error(`BENCH_ONLY=${only}: expected one of ${all.join(', ')}`);
  return [only as BenchDatabase];
}

/** A migrated database: PGlite in `dir` (BENCH_STORAGE=memory: in memory), or a new database on BENCH_DATABASE_URL's server. */
export async function openBenchDatabase(kind: BenchDatabase, dir: string): Promise<Database> {
  const open = async (t: DatabaseTarget) => (await openPreparedDatabase(t)).db;
  if (kind === 'postgres') return freshDatabaseOn(process.env.BENCH_DATABASE_URL!, 'silver_bench', open);
  return open(process.env.BENCH_STORAGE === 'memory' ? { memory: true } : { pgliteDir: path.join(dir, 'pglite') });
}

/**
 * The whole system in this process, like `npm start` but on free ports: the database (see
 * openBenchDatabase), migrated and seeded; the Temporal dev server (SQLite file in a temporary
 * folder, or in memory); the production worker; the Express app on 127.0.0.1:0. The pilot admits
 * every member country with a quota that never runs out.
 */
export async function startBenchSystem(
  opts: {
    database?: BenchDatabase;
    baselineRoutes?: (router: express.Router, ctx: { client: Client; taskQueue: string }) => void;
  } = {},
): Promise<BenchSystem> {
  ensureTemporalBinaries();
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  }
  const memory = process.env.BENCH_STORAGE === 'memory';
  const dir = tempDir('system');
  const db = await openBenchDatabase(opts.database ?? 'pglite', dir);
  const everyone = MEMBER_COUNTRIES.map((c) => c.code);
  await savePilotSettings(db.prisma, {
    participants: everyone,
    quotaTotal: everyone.length * 1_000_000,
    recipientsLimitedToParticipants: false,
  });

  // Every payload encrypted, as in production.
  const dataConverter = encryptedDataConverter(parsePayloadKeys(newPayloadKey()));
  const env = await TestWorkflowEnvironment.createLocal({
    client: { dataConverter },
    server: {
      executable: { type: 'existing-path', path: TEMPORAL_CLI },
      ip: '127.0.0.1',
      ...(memory ? {} : { dbFilename: path.join(dir, 'temporal.sqlite') }),
    },
  });
  await registerSearchAttributes(env.connection, 'default');
  const taskQueue = `bench-${crypto.randomUUID()}`;
  const log = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });
  // The production workflows and activities (webhook deliveries on their own queue), and the baselines beside them.
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows.ts'), logger: quietBundler });
  const activities = { ...createActivities({ prisma: db.prisma, log, allowPrivateWebhooks: true }), ...baselineActivities };
  const [worker, deliveryWorker] = await Promise.all([
    Worker.create({ connection: env.nativeConnection, namespace: 'default', taskQueue, workflowBundle, activities, dataConverter }),
    createDeliveryWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      dataConverter,
      prisma: db.prisma,
      log,
      allowPrivateWebhooks: true,
    }),
  ]);
  const running = Promise.all([worker.run(), deliveryWorker.run()]);
  running.catch((err) => console.error('worker stopped:', err));

  // The production app, with the baselines' routes in front of it on the same server.
  const services = createServices({
    prisma: db.prisma,
    temporal: env.client,
    taskQueue,
    daySeconds: 86400,
    log,
    allowPrivateWebhooks: true,
    listen: db.listen,
  });
  await services.keys.start();
  const dispatcher = services.deliveryDispatcher({ idleMs: 100 });
  dispatcher.start();
  const app = express();
  if (opts.baselineRoutes) {
    const baseline = express.Router();
    baseline.use(express.json({ limit: '1mb' }));
    opts.baselineRoutes(baseline, { client: env.client, taskQueue });
    app.use('/bench/baseline', baseline);
  }
  app.use(buildApp({ services, log, rateLimitPerMinute: 1_000_000 }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  server.keepAliveTimeout = 5000;
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const key = async (role: 'ADMIN' | 'REVIEWER' | 'NCB', country?: string) => {
    const secret = generateKey();
    await createUserWithKey(db.prisma, { name: `Bench ${role}`, role, country, key: secret, label: 'bench' });
    return secret;
  };
  const ncbKeys = new Map<string, Promise<string>>();
  const ncbKey = (country: string) => {
    if (!ncbKeys.has(country)) ncbKeys.set(country, key('NCB', country));
    return ncbKeys.get(country)!;
  };

  return {
    baseUrl,
    call: client(baseUrl),
    db,
    env,
    worker,
    taskQueue,
    key,
    ncbKey,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await dispatcher.stop();
      for (const w of [worker, deliveryWorker]) if (w.getState() === 'RUNNING') w.shutdown();
      await running.catch(() => undefined);
      await env.teardown();
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const quietBundler = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };
