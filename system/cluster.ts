/**
 * The system as a cluster runs it, on one machine: a real Temporal server on PostgreSQL behind
 * mutual TLS (temporal/cluster-tls.ts), the database migrated once as a deploy step, then N API
 * and M worker processes against the same database and Temporal server, each kept running by a
 * supervisor. `npm run cluster` starts it; the fault tests (test/faults) kill its parts. The
 * README's scale-out section follows this file.
 */
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKey } from '../services/auth';
import { newPayloadKey } from '../temporal/codec';
import { clientTlsEnv, ensureClusterTls, type ClusterTls } from '../temporal/cluster-tls';
import {
  createDatabaseIfMissing,
  prepareNamespace,
  serverPorts,
  setupTemporalSchemas,
  startTemporalServer,
  type TemporalDatabases,
  type TemporalServerProcess,
} from '../temporal/cluster-server';
import { ensureTemporalServer } from '../temporal/server-build';
import { prepareDataDir } from './data-dir';
import { PROJECT_ROOT } from './paths';
import { readSecretFile, writeSecretFile } from './secrets';
import { supervise, type Supervised } from './supervisor';

/**
 * The environment every node process of the system starts with (npm's scripts set the same).
 * glibc gives each thread that allocates its own malloc arena; the Temporal SDK's native threads
 * and libuv's pool then leave memory in arenas that are never returned. Two arenas took a loaded
 * worker from 623 to 446 MiB and the API from 337 to 289 MiB (`bench:load`, PostgreSQL, 10,100
 * open). It must be set before node starts; a value already set wins.
 */
export const NATIVE_HEAP_ENV = { MALLOC_ARENA_MAX: '2' };

const execFileAsync = promisify(execFile);
const ROOT = PROJECT_ROOT;
/** The system as `npm run api` / `npm run worker` run it: the bundle scripts/prepare.ts builds. */
const SYSTEM = ['--enable-source-maps', 'dist/main.js'];

export interface ClusterOptions {
  /** A PostgreSQL server whose user may create databases: postgresql://user:password@host:port/postgres. */
  postgresUrl: string;
  /** Names the databases: NAME (the system's), NAME_temporal and NAME_temporal_visibility. */
  name: string;
  apis: number;
  workers: number;
  /** The first API's port; the others follow it. */
  apiPort: number;
  /** The Temporal frontend's port; its other services take the eight ports after it. */
  temporalPort: number;
  /** Keys, TLS certificates (tls/) and logs. */
  dataDir: string;
  /** More environment for the API and worker processes (SILVER_DAY_SECONDS, LOG_LEVEL...). */
  env?: NodeJS.ProcessEnv;
  say?: (line: string) => void;
}

export interface Cluster {
  apiUrls: string[];
  temporalAddress: string;
  /** The certificates of its mutual TLS: a client of the Temporal server shows `client`. */
  tls: ClusterTls;
  /** The system's own database. */
  databaseUrl: string;
  adminKey: string;
  apis: Supervised[];
  workers: Supervised[];
  /** Stops the Temporal server and starts it again on the same databases. */
  restartTemporal(): Promise<void>;
  /** Stops every process: the APIs first, then the workers (they drain), then Temporal. */
  stop(): Promise<void>;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const say = opts.say ?? ((line: string) => console.log(line));
  serverPorts(opts.temporalPort); // refuses an unusable port before minutes of building
  ensureTemporalServer(say);
  prepareDataDir(opts.dataDir, say);
  const logs = path.join(opts.dataDir, 'logs');
  const secret = (file: string, make: () => string) => {
    const at = path.join(opts.dataDir, file);
    const kept = readSecretFile(at, say);
    if (kept !== undefined) return kept.trim();
    writeSecretFile(at, `${make()}\n`);
    return readSecretFile(at, say)!.trim();
  };
  // Every process of a cluster must share the payload keys; the admin key is the bootstrap one.
  const payloadKeys = secret('payload-keys', () => newPayloadKey());
  const adminKey = secret('admin-key', generateKey);
  const tls = ensureClusterTls(path.join(opts.dataDir, 'tls'), say);

  const dbs: TemporalDatabases = {
    serverUrl: opts.postgresUrl,
    main: `${opts.name}_temporal`,
    visibility: `${opts.name}_temporal_visibility`,
  };
  await setupTemporalSchemas(dbs, say);
  let stopping = false;
  const stoppedOnPurpose = new WeakSet<TemporalServerProcess>();
  let temporal: TemporalServerProcess = await startTemporal();
  async function startTemporal(): Promise<TemporalServerProcess> {
    const server = await startTemporalServer({ dbs, port: opts.temporalPort, tls, logFile: path.join(logs, 'temporal-server.log') });
    // Like every other part, the server is started again if it dies.
    void server.exited.then(() => {
      if (stopping || stoppedOnPurpose.has(server)) return;
      say('the Temporal server exited; starting it again');
      void restart();
    });
    return server;
  }
  async function restart(): Promise<void> {
    for (;;) {
      try {
        temporal = await startTemporal();
        return;
      } catch (err) {
        say(`${(err as Error).message}; trying again in 5 s`);
        await new Promise((r) => setTimeout(r, 5000));
      }
    }
  }
  say(`Temporal server on ${temporal.address}, databases ${dbs.main} and ${dbs.visibility}`);
  let apis: Supervised[] = [];
  let workers: Supervised[] = [];
  const stopAll = async () => {
    stopping = true;
    await Promise.all(apis.map((p) => p.stop()));
    await Promise.all(workers.map((p) => p.stop()));
    await temporal.stop();
  };
  let databaseUrl: string;
  try {
    const namespace = opts.env?.TEMPORAL_NAMESPACE ?? 'default';
    const retentionDays = Number(opts.env?.SILVER_RETENTION_DAYS ?? 180);
    const daySeconds = Number(opts.env?.SILVER_DAY_SECONDS ?? 86400);
    await prepareNamespace(temporal.address, tls, namespace, retentionDays * daySeconds);

    await createDatabaseIfMissing(opts.postgresUrl, opts.name);
    databaseUrl = Object.assign(new URL(opts.postgresUrl), { pathname: `/${opts.name}` }).toString();
    const env: NodeJS.ProcessEnv = {
      ...NATIVE_HEAP_ENV,
      ...process.env,
      ...opts.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      ...clientTlsEnv(tls),
      SILVER_PAYLOAD_KEY: payloadKeys.split('\n').join(','),
      SILVER_ADMIN_KEY: adminKey,
      SILVER_DATA_DIR: opts.dataDir,
    };
    // The deploy step: migrations once, before the processes (which would wait for it anyway).
    say('Migrating the database (npm run db:migrate) ...');
    const migrated = await execFileAsync(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts', 'apply'], { cwd: ROOT, env });
    say(migrated.stdout.trim());

    const processOf = (kind: 'api' | 'worker', i: number): Supervised =>
      supervise(
        {
          name: `${kind}-${i + 1}`,
          command: process.execPath,
          args: [...SYSTEM, kind],
          env: kind === 'api' ? { ...env, PORT: String(opts.apiPort + i) } : env,
          cwd: ROOT,
          logFile: path.join(logs, `${kind}-${i + 1}.log`),
          readyLine: /workflow engine is running/,
        },
        say,
      );
    apis = Array.from({ length: opts.apis }, (_, i) => processOf('api', i));
    workers = Array.from({ length: opts.workers }, (_, i) => processOf('worker', i));
    await Promise.all([...apis, ...workers].map((p) => p.ready()));
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    apiUrls: apis.map((_, i) => `http://127.0.0.1:${opts.apiPort + i}`),
    temporalAddress: temporal.address,
    tls,
    databaseUrl,
    adminKey,
    apis,
    workers,
    async restartTemporal() {
      stoppedOnPurpose.add(temporal);
      await temporal.stop();
      await restart();
    },
    stop: stopAll,
  };
}
