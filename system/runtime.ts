/**
 * Starting and stopping the system: database (embedded PGlite or a PostgreSQL server), migrations
 * and seed data, Temporal (embedded dev server or an existing cluster), the worker and the API.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import pino, { type Logger } from 'pino';
import { buildApp } from '../api/app';
import { scheduleEmbeddedMaintenance, type Database } from '../prisma/database';
import { openPreparedDatabase } from '../prisma/migrate';
import { ensureAdminKey } from '../records/keys';
import { createServices } from '../services';
import { generateKey } from '../services/auth';
import { encryptedDataConverter } from '../temporal/codec';
import { connectClient, connectWorker, limitClosedHistoryRetention } from '../temporal/connection';
import { startDevServer, assertPortFree, type DevServer } from '../temporal/dev-server';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { installTemporalRuntime } from '../temporal/telemetry';
import { createDeliveryWorker, createWorker } from '../temporal/worker';
import { deliveryTaskQueue } from '../workflows/webhook-delivery';
import { serveBackups, workflowTasksSettled } from './backup';
import { databaseTarget, type Config } from './config';
import { makeOwnerOnly, prepareDataDir } from './data-dir';
import { payloadKeys, readSecretFile, writeSecretFile } from './secrets';

export type Mode = 'all' | 'api' | 'worker';

export interface RunningSystem {
  apiUrl?: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  db: Database;
  client: Client;
  stop(): Promise<void>;
}

export class StartupError extends Error {}

export function createLogger(config: Config): Logger {
  const log = pino({ level: config.logLevel, base: { service: 'silver-notice' } });
  // The Temporal SDK logs through pino too, and serves the worker's metrics (once per process: the runtime is global).
  installTemporalRuntime({ log, bindAddress: config.workerMetricsAddress });
  return log;
}

export interface StartOptions {
  /**
   * Makes a new embedded database (initdb, migrations, reference data) in a short-lived process of
   * its own. PGlite's WebAssembly memory and the schema engine's grow to some 900 MiB doing it, and
   * a process keeps what its WebAssembly memory grew to: the system then opens a database ready.
   */
  prepareNewEmbeddedDatabase?: (pgliteDir: string) => Promise<void>;
}

/** Whether the embedded database's folder holds a database yet (PostgreSQL's first file). */
const embeddedDatabaseExists = (pgliteDir: string) => fs.existsSync(path.join(pgliteDir, 'PG_VERSION'));

/**
 * A new embedded database, made beside its place in a folder named after this process and moved in
 * whole: a start stopped half-way leaves nothing to open, and a later start clears what it left
 * once that start is gone. Its maker may outlive it for a moment, inside initdb, but only ever
 * writes to its own start's folder.
 */
async function makeEmbeddedDatabase(pgliteDir: string, make: (dir: string) => Promise<void>, log: Logger): Promise<void> {
  if (fs.existsSync(pgliteDir) && fs.readdirSync(pgliteDir).length > 0) {
    throw new StartupError(`${pgliteDir} holds files but no database: move it away to start afresh`);
  }
  const parent = path.dirname(pgliteDir);
  const prefix = `${path.basename(pgliteDir)}.making-`;
  for (const left of fs.existsSync(parent) ? fs.readdirSync(parent).filter((f) => f.startsWith(prefix)) : []) {
    if (!processAlive(Number(left.slice(prefix.length)))) fs.rmSync(path.join(parent, left), { recursive: true, force: true });
  }
  log.info('making the embedded database');
  const making = `${pgliteDir}.making-${process.pid}`;
  await make(making);
  if (fs.existsSync(pgliteDir)) fs.rmdirSync(pgliteDir);
  fs.renameSync(making, pgliteDir);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function startSystem(
  config: Config,
  mode: Mode,
  log: Logger,
  say: (line: string) => void = (l) => console.log(l),
  options: StartOptions = {},
): Promise<RunningSystem> {
  if (mode !== 'all' && (!config.databaseUrl || !config.temporal.address)) {
    throw new StartupError(
      `Running the ${mode} on its own needs DATABASE_URL and TEMPORAL_ADDRESS: the embedded database and Temporal server ` +
        'belong to one process. Use "npm start" for everything in one process.',
    );
  }
  const stack: Array<() => Promise<void>> = [];
  const stop = async () => {
    while (stack.length) {
      const step = stack.pop()!;
      await step().catch((err) => log.error({ err }, 'error while stopping'));
    }
  };
  try {
    if (mode !== 'worker') await assertPortFree(config.port, 'the API', 'PORT');
    const warn = (msg: string) => log.warn(msg);
    prepareDataDir(config.dataDir, warn);

    const payload = payloadKeys(config, mode, warn);
    if (config.acceptPlaintextPayloads) {
      warn(
        'SILVER_PLAINTEXT_PAYLOADS=accept: Temporal payloads in clear are trusted, from whoever sends them; unset it once no request started before encryption runs',
      );
    }
    const dataConverter = encryptedDataConverter(payload.keys, { acceptPlaintext: config.acceptPlaintextPayloads });
    const target = databaseTarget(config);
    if ('pgliteDir' in target && options.prepareNewEmbeddedDatabase && !embeddedDatabaseExists(target.pgliteDir)) {
      await makeEmbeddedDatabase(target.pgliteDir, options.prepareNewEmbeddedDatabase, log);
    }
    const { db, applied } = await openPreparedDatabase(target, () => log.info('another process is migrating the database: waiting for it'));
    stack.push(() => db.close());
    // PGlite gives the files it creates the modes PostgreSQL asks for, past the umask: 0666 for all
    // of a new database's, 0644 for the relation cache files it writes again at every start.
    if ('pgliteDir' in target) makeOwnerOnly(target.pgliteDir);
    stack.push(
      scheduleEmbeddedMaintenance(db, (outcome) =>
        'err' in outcome
          ? log.warn({ err: outcome.err }, 'embedded database maintenance failed')
          : log.debug({ ms: outcome.ms }, 'embedded database vacuumed and analysed'),
      ),
    );
    if (applied.length) log.info({ applied }, 'database migrations applied');
    const adminKeyNote = await bootstrapAdminKey(db, config, warn);

    let devServer: DevServer | undefined;
    let temporalAddress = config.temporal.address;
    if (!temporalAddress) {
      devServer = await startDevServer({
        dataDir: path.join(config.dataDir, 'temporal'),
        port: config.temporal.embeddedPort,
        uiPort: config.temporal.embeddedUiPort,
        namespace: config.temporal.namespace,
        log: (m) => log.info(m),
      });
      stack.push(() => devServer!.stop());
      temporalAddress = devServer.address;
    }

    const { client, connection } = await connectClient(config.temporal, temporalAddress, dataConverter);
    stack.push(() => (connection as Connection).close());
    await registerSearchAttributes(connection, config.temporal.namespace);
    if (devServer) {
      // A cluster's namespace is its operators' to configure (README); the embedded one is ours.
      await limitClosedHistoryRetention(client, config.temporal.namespace, config.retentionDays * config.daySeconds);
    }
    const services = createServices({
      prisma: db.prisma,
      temporal: client,
      taskQueue: config.temporal.taskQueue,
      daySeconds: config.daySeconds,
      log,
      allowPrivateWebhooks: config.webhookAllowPrivate,
      listen: db.listen,
      oidc: config.oidc,
    });
    // Refused calls still queued are written before the database closes.
    stack.push(() => services.perimeter.security.stop());

    let worker: Worker | undefined;
    if (mode !== 'api') {
      const nativeConnection: NativeConnection = await connectWorker(config.temporal, temporalAddress);
      stack.push(() => nativeConnection.close());
      const workerOptions = {
        connection: nativeConnection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        prisma: db.prisma,
        log: log.child({ component: 'worker' }),
        retentionDays: config.retentionDays,
        daySeconds: config.daySeconds,
        dataConverter,
        allowPrivateWebhooks: config.webhookAllowPrivate,
        workflowCache: config.workflowCache,
      };
      worker = await createWorker(workerOptions);
      const workers = [worker, await createDeliveryWorker(workerOptions)];
      const resumed = await services.workflows.resumeSubmitted();
      await services.workflows.startRetention();
      if (resumed) log.info({ resumed }, 'started workflows for submissions recorded without one');
      const running = Promise.all(workers.map((w) => w.run()));
      running.catch((err) => log.fatal({ err }, 'the worker stopped'));
      stack.push(async () => {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await running.catch(() => undefined);
      });
      const dispatcher = services.deliveryDispatcher();
      dispatcher.start();
      stack.push(() => dispatcher.stop());
      // Everything embedded: `npm run backup` asks this process for a consistent copy.
      if (devServer && db.snapshot) {
        const sources = { dataDir: config.dataDir, db, temporalDb: devServer.dbFile, settle: workflowTasksSettled(worker) };
        stack.push(await serveBackups({ ...sources, log }));
      }
    }

    let apiUrl: string | undefined;
    if (mode !== 'worker') {
      // Keys are cached only while their changes are heard: listening before the first call lets it count.
      await services.keys.start();
      const app = buildApp({ services, log, rateLimitPerMinute: config.rateLimitPerMinute, trustProxy: config.trustProxy });
      const server: Server = await new Promise((resolve, reject) => {
        const s = app.listen(config.port, () => resolve(s));
        s.once('error', reject);
      });
      server.keepAliveTimeout = 5000;
      stack.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      );
      apiUrl = `http://localhost:${config.port}`;
    }

    say('');
    say('Silver Notice workflow engine is running');
    if (apiUrl) say(`  API              ${apiUrl}   (reference: ${apiUrl}/docs, ready: ${apiUrl}/readyz)`);
    say(`  Database         ${db.kind === 'pglite' ? `embedded PGlite in ${db.location}` : db.location}`);
    say(`  Temporal         ${temporalAddress}${devServer ? ' (embedded dev server)' : ''}, namespace ${config.temporal.namespace}`);
    if (devServer) say(`  Temporal Web UI  ${devServer.uiUrl}`);
    if (worker)
      say(
        `  Worker           task queues ${config.temporal.taskQueue} and ${deliveryTaskQueue(config.temporal.taskQueue)} (webhook attempts)`,
      );
    say(`  One "day"        ${config.daySeconds} s`);
    if (adminKeyNote) say(adminKeyNote);
    if (payload.note) say(payload.note);
    say('');

    return { apiUrl, temporalAddress, temporalUiUrl: devServer?.uiUrl, db, client, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The first ADMIN key: SILVER_ADMIN_KEY when set, otherwise one generated on first start, kept in
 * the data dir (readable by its owner only) and printed that once.
 */
async function bootstrapAdminKey(db: Database, config: Config, warn: (msg: string) => void): Promise<string | undefined> {
  const file = path.join(config.dataDir, 'admin-key');
  const ensure = (key: string, label: string) => ensureAdminKey(db.prisma, key, label);
  if (config.adminKey) {
    await ensure(config.adminKey, 'bootstrap (SILVER_ADMIN_KEY)');
    return '  Admin key        the one in SILVER_ADMIN_KEY';
  }
  const kept = readSecretFile(file, warn);
  if (kept !== undefined) {
    await ensure(kept.trim(), 'bootstrap (generated)');
    return `  Admin key        kept in ${file}`;
  }
  const key = generateKey();
  await ensure(key, 'bootstrap (generated)');
  writeSecretFile(file, `${key}\n`);
  return `  Admin key        ${key}\n                   (shown this once; kept in ${file})`;
}
