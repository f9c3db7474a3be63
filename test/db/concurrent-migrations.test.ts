/**
 * Processes of a scaled-out system start together against one PostgreSQL database: each applies
 * what is pending (a deploy step, `npm run db:migrate`, does the same) and none may fail because
 * another is migrating. (The embedded PGlite belongs to one process: nothing to race there.)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { Database } from '../../prisma/database';
import { MIGRATIONS_DIR, openPreparedDatabase } from '../../prisma/migrate';
import { MIGRATION_LOCK_KEY } from '../../prisma/migration-lock';
import { createTestDatabase, testDatabaseKind } from '../support/database';

const onPostgres = testDatabaseKind() === 'postgres';
const ROOT = path.resolve(__dirname, '../..');
/** The lock the schema engine takes itself, and gives up on after 10 seconds. */
const SCHEMA_ENGINE_LOCK_KEY = 72707369;
const committed = fs
  .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

async function urlOf(db: Database): Promise<string> {
  const [{ name }] = await db.prisma.$queryRawUnsafe<{ name: string }[]>('SELECT current_database() AS name');
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `npm run db:migrate` as a process of its own: its exit code and output. */
function migrateProcess(url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts', 'apply'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, SILVER_DATA_DIR: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** A session of our own holding an advisory lock until released. */
async function holdLock(url: string, key: number): Promise<{ release(): Promise<void> }> {
  const session = new Client({ connectionString: url });
  await session.connect();
  await session.query('SELECT pg_advisory_lock($1)', [key]);
  return { release: () => session.end() };
}

async function appliedMigrations(db: Database): Promise<string[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ name: string }[]>(
    'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name',
  );
  return rows.map((r) => r.name);
}

(onPostgres ? describe : describe.skip)('migrations from several processes at once', () => {
  let db: Database;
  let url: string;
  beforeEach(async () => {
    db = await createTestDatabase({ migrated: false });
    url = await urlOf(db);
  });
  afterEach(() => db.close());

  test('four processes migrating an empty database together all succeed, and each migration is applied once', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => migrateProcess(url)));
    for (const run of runs) expect(run).toMatchObject({ code: 0 });
    expect(await appliedMigrations(db)).toEqual(committed);
  });

  test('a process arriving during a migration longer than the schema engine would wait for waits for it, then succeeds', async () => {
    const migrating = await holdLock(url, MIGRATION_LOCK_KEY);
    const run = migrateProcess(url);
    await new Promise((r) => setTimeout(r, 12_000));
    expect(await appliedMigrations(db).catch(() => [])).toEqual([]);
    await migrating.release();
    const { code, output } = await run;
    expect(code).toBe(0);
    expect(output).toMatch(/waiting for it/);
    expect(await appliedMigrations(db)).toEqual(committed);
  });

  test('with nothing pending, a start does not touch the schema engine (nor wait on its lock)', async () => {
    await openPreparedDatabase({ url }).then(({ db: migrated }) => migrated.close());
    const engineBusy = await holdLock(url, SCHEMA_ENGINE_LOCK_KEY);
    try {
      // Were the engine started, it would give up on its lock after 10 s and the start would fail.
      const { db: again, applied } = await openPreparedDatabase({ url });
      await again.close();
      expect(applied).toEqual([]);
    } finally {
      await engineBusy.release();
    }
  });
});

if (!onPostgres) test('(PostgreSQL only)', () => undefined);
