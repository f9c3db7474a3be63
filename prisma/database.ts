import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client';
import { listenOnPglite, listenOnServer, type Listen } from './notifications';
import { ConnectionAwareClient } from './pg-client';
import { preparedStatements, statementNames } from './prepared-statements';

export type { PrismaClient } from '../generated/prisma/client';

export interface Database {
  prisma: PrismaClient;
  /** The adapter factory the migration runner needs (the schema engine connects through it). */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  kind: 'pglite' | 'postgres';
  /** Where the data lives, for start-up messages (no secrets). */
  location: string;
  /** PostgreSQL's notifications on a channel; closing the database stops every listener. */
  listen: Listen;
  /**
   * The embedded database only: runs `during` while no statement can start (those in progress,
   * whole transactions included, finish first), handing it a tarball of the database's files as
   * they are then. What `during` does is covered by the same hold: a backup copies Temporal's state
   * there too, so that no record write falls between the two copies.
   */
  snapshot?<T>(during: (files: Blob) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type DatabaseTarget = { url: string } | { pgliteDir: string } | { memory: true };

export class DatabaseOpenError extends Error {}

/**
 * PostgreSQL's default 128 MB of shared buffers would all sit in this process's memory (PGlite
 * touches every page of them); an embedded database of pilot size is served as well by 16 MB, and
 * the operating system's page cache keeps what they do not.
 */
const EMBEDDED_SETTINGS = { postgresqlconf: ['shared_buffers = 16MB'] };

/**
 * Opens the case database: a PostgreSQL server when a URL is given, otherwise the embedded PGlite
 * (PostgreSQL compiled to WebAssembly, one connection, in this process).
 */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if ('url' in target) {
    const adapterFactory = wholeScripts(
      new PrismaPg(
        { connectionString: target.url, max: 10, Client: ConnectionAwareClient },
        { statementNameGenerator: statementNames() as (query: { sql: string }) => string },
      ),
    );
    const prisma = new PrismaClient({ adapter: adapterFactory });
    const location = redactUrl(target.url);
    try {
      await prisma.$queryRawUnsafe('SELECT 1');
    } catch (err) {
      await prisma.$disconnect().catch(() => undefined);
      throw new DatabaseOpenError(`Cannot reach the PostgreSQL server at ${location}: ${(err as Error).message}`);
    }
    const listeners = listenerSet((channel, h) => listenOnServer(target.url, channel, h));
    return {
      prisma,
      adapterFactory,
      kind: 'postgres',
      location,
      listen: listeners.listen,
      close: async () => {
        await listeners.stopAll();
        await prisma.$disconnect();
      },
    };
  }

  let pglite: PGlite;
  const location = 'pgliteDir' in target ? target.pgliteDir : 'memory';
  try {
    if ('pgliteDir' in target) {
      // PGlite's own error for this is an object without a message.
      if (fs.existsSync(target.pgliteDir) && !fs.statSync(target.pgliteDir).isDirectory()) throw new Error('it is not a folder');
      fs.mkdirSync(path.dirname(target.pgliteDir), { recursive: true });
      pglite = await PGlite.create(target.pgliteDir, EMBEDDED_SETTINGS);
    } else {
      pglite = await PGlite.create(EMBEDDED_SETTINGS);
    }
    await pglite.query('SELECT 1');
  } catch (err) {
    throw new DatabaseOpenError(
      `Cannot open the embedded database in ${location}: ${(err as Error).message || String(err)}. ` +
        'The folder may be damaged or written by another PGlite version; move it away to start afresh.',
    );
  }
  // The adapter takes PGlite's query interface; this one keeps each statement prepared.
  const adapterFactory = new PrismaPGlite(preparedStatements(pglite) as unknown as PGlite);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  const listeners = listenerSet((channel, h) => listenOnPglite(pglite, channel, h));
  return {
    prisma,
    adapterFactory,
    kind: 'pglite',
    location,
    listen: listeners.listen,
    // Every query, exec and transaction of PGlite takes this lock; dumpDataDir takes another one.
    snapshot: (during) => pglite._runExclusiveTransaction(async () => during(await pglite.dumpDataDir('none'))),
    close: async () => {
      await listeners.stopAll();
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

/** Listeners kept so that closing the database stops those still running. */
function listenerSet(start: Listen) {
  const running = new Set<() => Promise<void>>();
  return {
    listen: ((channel, handlers) => {
      const stop = start(channel, handlers);
      const once = async () => {
        if (running.delete(once)) await stop();
      };
      running.add(once);
      return once;
    }) satisfies Listen,
    stopAll: () => Promise.all([...running].map((stop) => stop())).then(() => undefined),
  };
}

/**
 * @prisma/adapter-pg runs a migration script split on every ';', which cuts a `$$ ... $$` function
 * body apart. PostgreSQL's simple query protocol takes the whole script at once (in one implicit
 * transaction), so send it whole.
 */
function wholeScripts(factory: PrismaPg): PrismaPg {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const a = adapter as unknown as { client: { query(sql: string): Promise<unknown> }; onError(e: unknown): never };
    adapter.executeScript = async (script: string) => {
      await a.client.query(script).catch((e: unknown) => a.onError(e));
    };
    return adapter;
  };
  return factory;
}

/**
 * PGlite runs PostgreSQL as a standalone backend: there is no autovacuum, so its tables are never
 * analysed nor vacuumed unless we do it. Without statistics the planner guesses a few dozen rows
 * per table and, for example, hash-joins every recipient row to list a country's first 20 requests
 * (40 ms at 10,000 requests, growing with them, against under 1 ms with statistics). This runs
 * `VACUUM (ANALYZE)` on the embedded database soon after start and then every `everyMs`; it waits
 * for any transaction in progress (PGlite runs it exclusively). A PostgreSQL server's autovacuum
 * does this itself, so there it does nothing. Stopping waits for a run in progress.
 */
export function scheduleEmbeddedMaintenance(
  db: Database,
  report: (outcome: { ms: number } | { err: unknown }) => void,
  { firstAfterMs = 60_000, everyMs = 10 * 60_000 } = {},
): () => Promise<void> {
  if (db.kind !== 'pglite') return async () => undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const maintain = () => {
    if (stopped || running) return;
    const started = performance.now();
    running = db.prisma
      .$executeRawUnsafe('VACUUM (ANALYZE)')
      .then(
        () => report({ ms: Math.round(performance.now() - started) }),
        (err: unknown) => report({ err }),
      )
      .finally(() => (running = undefined));
  };
  const first = setTimeout(maintain, firstAfterMs).unref();
  const every = setInterval(maintain, everyMs).unref();
  return async () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(every);
    await running;
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgresql://(unparseable url)';
  }
}
