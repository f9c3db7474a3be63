/**
 * A real Temporal server on PostgreSQL, as a cluster runs it: its two databases set up (or brought
 * up to date) with its own SQL tool, the server started with the config kept in temporal/cluster/
 * and the certificates of cluster-tls.ts (mutual TLS: every call here shows the client
 * certificate), and the system's namespace prepared. Built by server-build.ts.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msNumberToTs } from '@temporalio/common/lib/time';
import { Client as PgClient } from 'pg';
import { clientTlsConfig, type ClusterTls } from './cluster-tls';
import { killGroup, LIFELINE } from './dev-server';
import { TEMPORAL_SCHEMA_DIR, TEMPORAL_SERVER_BIN, TEMPORAL_SQL_TOOL } from './server-build';
import { PROJECT_ROOT } from '../system/paths';

const execFileAsync = promisify(execFile);
const CONFIG_DIR = path.join(PROJECT_ROOT, 'temporal', 'cluster');

export interface TemporalDatabases {
  /** A PostgreSQL server, as postgresql://user:password@host:port/any-database. */
  serverUrl: string;
  /** The server's main database and its visibility database. */
  main: string;
  visibility: string;
}

/** Creates the two databases if missing and applies every schema version not yet applied. */
export async function setupTemporalSchemas(dbs: TemporalDatabases, log: (msg: string) => void): Promise<void> {
  const url = new URL(dbs.serverUrl);
  for (const name of [dbs.main, dbs.visibility]) await createDatabaseIfMissing(dbs.serverUrl, name);
  const env = {
    ...process.env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: url.hostname,
    SQL_PORT: url.port || '5432',
    SQL_USER: decodeURIComponent(url.username),
    SQL_PASSWORD: decodeURIComponent(url.password),
  };
  const schemas: Array<[string, string]> = [
    [dbs.main, 'temporal'],
    [dbs.visibility, 'visibility'],
  ];
  for (const [database, schema] of schemas) {
    // setup-schema -v 0.0 is skipped where a schema exists; update-schema applies what is missing.
    await execFileAsync(TEMPORAL_SQL_TOOL, ['--db', database, 'setup-schema', '-v', '0.0'], { env });
    await execFileAsync(TEMPORAL_SQL_TOOL, ['--db', database, 'update-schema', '-d', path.join(TEMPORAL_SCHEMA_DIR, schema, 'versioned')], {
      env,
    });
    log(`Temporal schema "${schema}" up to date in database ${database}`);
  }
}

export async function createDatabaseIfMissing(serverUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Unusable database name "${name}" (lower-case letters, digits, _)`);
  const admin = new PgClient({ connectionString: serverUrl });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return;
    await admin.query(`CREATE DATABASE ${name}`).catch((err: { code?: string }) => {
      if (err.code !== '42P04') throw err; // created meanwhile by someone else
    });
  } finally {
    await admin.end();
  }
}

/**
 * The highest frontend port: the services' membership ports (up to the frontend's + 8) are stored
 * in cluster_membership.rpc_port, a PostgreSQL SMALLINT, and a server on a port past 32767 dies at
 * start ("value is out of range for type smallint").
 */
export const MAX_FRONTEND_PORT = 32_767 - 8;

/** The ports of one server: the frontend (what clients use) and the rest next to it. */
export function serverPorts(frontend: number) {
  if (!Number.isInteger(frontend) || frontend < 1 || frontend > MAX_FRONTEND_PORT) {
    throw new Error(`The Temporal frontend's port must be from 1 to ${MAX_FRONTEND_PORT} (its services take the eight after it)`);
  }
  return {
    TEMPORAL_FRONTEND_PORT: frontend,
    TEMPORAL_HTTP_PORT: frontend + 1,
    TEMPORAL_HISTORY_PORT: frontend + 2,
    TEMPORAL_MATCHING_PORT: frontend + 3,
    TEMPORAL_WORKER_PORT: frontend + 4,
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT: frontend + 5,
    TEMPORAL_HISTORY_MEMBERSHIP_PORT: frontend + 6,
    TEMPORAL_MATCHING_MEMBERSHIP_PORT: frontend + 7,
    TEMPORAL_WORKER_MEMBERSHIP_PORT: frontend + 8,
  };
}

export interface TemporalServerProcess {
  address: string;
  child: ChildProcess;
  /** Resolves when the process has exited, however. */
  exited: Promise<void>;
  /** SIGTERM, then waits for it to exit (SIGKILL to its process group after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Starts the server (logs to `logFile`) and waits until its frontend answers. */
export async function startTemporalServer(opts: {
  dbs: TemporalDatabases;
  port: number;
  tls: ClusterTls;
  logFile: string;
  readyWithinMs?: number;
}): Promise<TemporalServerProcess> {
  const url = new URL(opts.dbs.serverUrl);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_DB: opts.dbs.main,
    TEMPORAL_VISIBILITY_DB: opts.dbs.visibility,
    TEMPORAL_DB_HOST: url.hostname,
    TEMPORAL_DB_PORT: url.port || '5432',
    TEMPORAL_DB_USER: decodeURIComponent(url.username),
    TEMPORAL_DB_PASSWORD: decodeURIComponent(url.password),
    TEMPORAL_DYNAMIC_CONFIG: path.join(CONFIG_DIR, 'dynamicconfig.yaml'),
    CLUSTER_TLS_CA: opts.tls.ca.cert,
    CLUSTER_TLS_SERVER_CERT: opts.tls.server.cert,
    CLUSTER_TLS_SERVER_KEY: opts.tls.server.key,
    CLUSTER_TLS_CLIENT_CERT: opts.tls.client.cert,
    CLUSTER_TLS_CLIENT_KEY: opts.tls.client.key,
    CLUSTER_TLS_INTERNODE_CA: opts.tls.internodeCa.cert,
    CLUSTER_TLS_INTERNODE_CERT: opts.tls.internode.cert,
    CLUSTER_TLS_INTERNODE_KEY: opts.tls.internode.key,
    CLUSTER_TLS_SERVER_NAME: opts.tls.serverName,
    ...Object.fromEntries(Object.entries(serverPorts(opts.port)).map(([k, v]) => [k, String(v)])),
  };
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const out = fs.openSync(opts.logFile, 'a');
  // No authorizer: mutual TLS decides who may connect, and whoever holds the client certificate
  // may do everything. A cluster shared with other systems adds one.
  const args = ['--config-file', path.join(CONFIG_DIR, 'server.yaml'), '--allow-no-auth', 'start'];
  // As the embedded dev server: in a process group of its own (a Ctrl-C reaches the cluster first,
  // which stops it last), and stopped by its lifeline if the cluster is killed outright.
  const child = spawn('/bin/sh', ['-c', LIFELINE, 'temporal-server', TEMPORAL_SERVER_BIN, ...args], {
    env,
    stdio: ['pipe', out, out],
    detached: true,
  });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${opts.port}`;
  const server: TemporalServerProcess = {
    address,
    child,
    exited,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(killer);
      child.stdin?.destroy();
    },
  };
  const gaveUp = await Promise.race([
    waitUntilServing(address, opts.tls, opts.readyWithinMs ?? 120_000),
    exited.then(() => 'exited' as const),
  ]);
  if (gaveUp) {
    await server.stop(1000);
    throw new Error(`The Temporal server did not start (${gaveUp}); see ${opts.logFile}`);
  }
  return server;
}

/** Undefined once the frontend answers a health check; otherwise why it gave up. */
async function waitUntilServing(address: string, tls: ClusterTls, withinMs: number): Promise<string | undefined> {
  const end = Date.now() + withinMs;
  // A refused certificate looks like a server still starting: the last error tells them apart.
  let last = 'no answer';
  while (Date.now() < end) {
    const connection = await Connection.connect({ address, tls: clientTlsConfig(tls), connectTimeout: 2000 }).catch((err: Error) => {
      last = err.message;
      return undefined;
    });
    if (connection) {
      const serving = await connection.healthService
        .check({})
        .then((r) => r.status === 1)
        .catch((err: Error) => {
          last = err.message;
          return false;
        });
      await connection.close();
      if (serving) return undefined;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return `${last} within ${withinMs} ms`;
}

/**
 * The system's namespace, registered if missing, its closed histories kept `retentionSeconds`
 * (at least the day Temporal requires). Search attributes the workflows use belong here too: this
 * is the one place a cluster's namespace is prepared.
 */
export async function prepareNamespace(address: string, tls: ClusterTls, namespace: string, retentionSeconds: number): Promise<void> {
  const connection = await Connection.connect({ address, tls: clientTlsConfig(tls) });
  try {
    const ttl = msNumberToTs(Math.max(86_400, Math.ceil(retentionSeconds)) * 1000);
    const exists = await connection.workflowService.describeNamespace({ namespace }).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await connection.workflowService
        .registerNamespace({ namespace, workflowExecutionRetentionPeriod: ttl })
        .catch((err: { code?: number }) => {
          if (err.code !== 6) throw err; // ALREADY_EXISTS: registered meanwhile
        });
    }
    // A new namespace reaches every frontend within seconds: wait until this one knows it.
    for (let i = 0; i < 60; i++) {
      const ok = await connection.workflowService.describeNamespace({ namespace }).then(
        () => true,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`The namespace ${namespace} was registered but is not visible`);
  } finally {
    await connection.close();
  }
}
