/**
 * Migrations from several processes at once. The schema engine serialises itself with an advisory
 * lock of its own that it gives up on after 10 seconds ("Timed out trying to acquire a postgres
 * advisory lock"), so API and worker processes started together used to fail while one of them
 * migrated. Here each process first waits, as long as it takes, for a session lock of ours, then
 * asks which migrations are still pending and starts the engine only when there are some: the
 * engine's own lock is then never contended by our processes, and a start with nothing to apply
 * costs one query. A process that dies while holding the lock ends its session, which frees it.
 */
import { Client } from 'pg';
import type { PrismaClient } from './database';

/** Our lock's key (the schema engine's is 72707369): any constant no other code uses. */
export const MIGRATION_LOCK_KEY = 5_118_227_401;

/** Runs `fn` while holding the migration lock of the PostgreSQL server at `url`, waiting for it if taken. */
export async function withMigrationLock<T>(url: string, fn: () => Promise<T>, waiting: () => void = () => undefined): Promise<T> {
  const session = new Client({ connectionString: url });
  await session.connect();
  try {
    const free = await session.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1) AS taken', [MIGRATION_LOCK_KEY]);
    if (!free.rows[0].taken) {
      waiting();
      await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    }
    return await fn();
  } finally {
    // Ending the session releases the lock, even if unlocking itself failed.
    await session.end().catch(() => undefined);
  }
}

/** The names in `committed` that the database has not applied yet (all of them on an empty database). */
export async function pendingMigrations(prisma: PrismaClient, committed: string[]): Promise<string[]> {
  const [{ present }] = await prisma.$queryRawUnsafe<{ present: boolean }[]>(
    `SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present`,
  );
  if (!present) return committed;
  const rows = await prisma.$queryRawUnsafe<{ name: string }[]>(
    'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  const applied = new Set(rows.map((r) => r.name));
  return committed.filter((name) => !applied.has(name));
}
