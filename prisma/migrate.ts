/**
 * Migrations on Prisma's WebAssembly schema engine, because the native engine the Prisma CLI
 * wants cannot be downloaded on offline machines. Migrations stay plain SQL in prisma/migrations
 * and the standard `_prisma_migrations` table is kept, so `prisma migrate deploy` agrees.
 * The commands that use it from a shell are in scripts/migrate.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { indexUnindexed } from '../records/search';
import { PROJECT_ROOT } from '../system/paths';
import { openDatabase, type Database, type DatabaseTarget } from './database';
import { pendingMigrations, withMigrationLock } from './migration-lock';
import { seed } from './seed';

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations');
export const SCHEMA_PATH = path.join(PROJECT_ROOT, 'prisma', 'schema.prisma');
const NO_FILTERS = { externalTables: [] as string[], externalEnums: [] as string[] };

type SchemaEngineModule = typeof import('@prisma/schema-engine-wasm', { with: { 'resolution-mode': 'import' } });
let enginePromise: Promise<SchemaEngineModule> | undefined;

/**
 * The package imports its .wasm as an ES module, which Node 20 only allows behind
 * --experimental-wasm-modules; instantiating the bytes ourselves works everywhere.
 */
function loadEngineModule(): Promise<SchemaEngineModule> {
  enginePromise ??= (async () => {
    const bindings: any = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
    const { instance } = await (
      globalThis as unknown as { WebAssembly: { instantiate(b: Buffer, i: object): Promise<{ instance: { exports: unknown } }> } }
    ).WebAssembly.instantiate(fs.readFileSync(wasmPath), {
      './schema_engine_bg.js': bindings,
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return bindings as SchemaEngineModule;
  })();
  return enginePromise;
}

/**
 * A schema engine, and what closes its connections. Freeing the engine does not close them, and on
 * PostgreSQL it keeps its advisory lock (a session's) for as long as its connection lives: the next
 * engine on the database then waits for the lock until the pool drops the idle connection, 10 s,
 * just when its own wait gives up.
 */
async function newEngine(adapterFactory: SqlMigrationAwareDriverAdapterFactory) {
  const { SchemaEngine } = await loadEngineModule();
  const schema = fs.readFileSync(SCHEMA_PATH, 'utf8');
  const opened: Array<{ dispose(): Promise<void> }> = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = Object.create(adapterFactory);
  const kept =
    <A extends { dispose(): Promise<void> }>(open: () => Promise<A>) =>
    async () => {
      const adapter = await open();
      opened.push(adapter);
      return adapter;
    };
  tracked.connect = kept(() => adapterFactory.connect());
  tracked.connectToShadowDb = kept(() => adapterFactory.connectToShadowDb());
  const engine = await SchemaEngine.new(
    { datamodels: [['schema.prisma', schema]] },
    () => undefined,
    bindMigrationAwareSqlAdapterFactory(tracked),
  );
  return {
    engine,
    async free() {
      engine.free();
      await Promise.all(opened.splice(0).map((a) => a.dispose()));
    },
  };
}

/** The committed migrations, in order; with `upTo`, only those up to that one (tests of a migration). */
function migrationList(upTo?: string) {
  const dirs = (
    fs.existsSync(MIGRATIONS_DIR)
      ? fs
          .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => d.name)
          .sort()
      : []
  ).filter((name) => upTo === undefined || name <= upTo);
  const lockPath = path.join(MIGRATIONS_DIR, 'migration_lock.toml');
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: 'migration_lock.toml', content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: fs.readFileSync(path.join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

/** Applies every pending migration (or those up to `upTo`); returns the names applied now. */
export async function applyMigrations(adapterFactory: SqlMigrationAwareDriverAdapterFactory, upTo?: string): Promise<string[]> {
  const { engine, free } = await newEngine(adapterFactory);
  try {
    const out = await engine.applyMigrations({ migrationsList: migrationList(upTo), filters: NO_FILTERS });
    return out.appliedMigrationNames;
  } finally {
    await free();
  }
}

/**
 * Applies what is pending, safely from several processes at once: on a PostgreSQL server each waits
 * for the one migrating (migration-lock.ts); `waiting` is called when it has to.
 */
export async function migrateDatabase(db: Database, target: DatabaseTarget, waiting?: () => void): Promise<string[]> {
  const committed = migrationList().migrationDirectories.map((d) => d.path);
  const applyPending = async () => ((await pendingMigrations(db.prisma, committed)).length ? applyMigrations(db.adapterFactory) : []);
  return 'url' in target ? withMigrationLock(target.url, applyPending, waiting) : applyPending();
}

/** Opens a database ready for the system: pending migrations applied, reference data seeded. */
export async function openPreparedDatabase(target: DatabaseTarget, waiting?: () => void): Promise<{ db: Database; applied: string[] }> {
  const db = await openDatabase(target);
  try {
    const applied = await migrateDatabase(db, target, waiting);
    await seed(db.prisma);
    // Requests recorded before the search existed: their names are folded as a search folds them.
    await indexUnindexed(db.prisma);
    return { db, applied };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/** The SQL that takes a database at the committed migrations to the current schema ('' if none). */
export async function diffSchemaFromMigrations(shadowFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string> {
  const { engine, free } = await newEngine(shadowFactory);
  const schema = fs.readFileSync(SCHEMA_PATH, 'utf8');
  const result = await engine
    .diff({
      from: { tag: 'migrations', ...migrationList() },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    })
    .finally(free);
  const sql = result.stdout ?? '';
  return /^\s*(-- This is an empty migration\.)?\s*$/.test(sql) ? '' : sql;
}
