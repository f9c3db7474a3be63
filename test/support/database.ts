/**
 * A fresh, migrated database for one test file: the embedded PGlite by default, or a new database
 * on the PostgreSQL server named by TEST_DATABASE_URL when the suite runs its "postgres" project.
 */
import crypto from 'node:crypto';
import { Client as PgClient } from 'pg';
import { openDatabase, type Database, type DatabaseTarget, type PrismaClient } from '../../prisma/database';
import { openPreparedDatabase } from '../../prisma/migrate';

export function testDatabaseKind(): 'pglite' | 'postgres' {
  return process.env.SILVER_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
}

/** A fresh database, migrated and seeded; with `{ migrated: false }`, empty (for tests of the migrations). */
export async function createTestDatabase(opts: { migrated?: boolean } = {}): Promise<Database> {
  const open = opts.migrated === false ? openDatabase : async (t: DatabaseTarget) => (await openPreparedDatabase(t)).db;
  if (testDatabaseKind() === 'pglite') return open({ memory: true });
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('SILVER_TEST_DB=postgres needs TEST_DATABASE_URL (a PostgreSQL server URL)');
  return freshDatabaseOn(serverUrl, 'silver_test', open);
}

/** A new database of its own on the PostgreSQL server at `serverUrl`, opened by `open` and dropped on close. */
export async function freshDatabaseOn(
  serverUrl: string,
  prefix: string,
  open: (t: DatabaseTarget) => Promise<Database>,
): Promise<Database> {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new PgClient({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await open({ url: url.toString() });
  return {
    ...db,
    close: async () => {
      await db.close();
      const cleanup = new PgClient({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/**
 * `count` published requests from IT, the newest first in time, with empty content: the bulk a
 * permanent scheme accumulates, for tests of plans and maintenance (addressed to no one yet).
 */
export function insertPublishedRequests(prisma: PrismaClient, count: number): Promise<number> {
  return prisma.$executeRawUnsafe(`
    INSERT INTO "Notice" (id, kind, status, "requestingCountry", "createdByKeyId", "createdAt", "updatedAt", "publishedAt",
      "closureGrounds", "requestedRecipients", purposes, subject, offence, "assetsSought", "handlingCode", urgency, language, flags, "caseNumber")
    SELECT gen_random_uuid(), 'NOTICE', 'PUBLISHED', 'IT', gen_random_uuid(), now() - g * interval '1 second', now(), now(),
      '{}', '{}', '{}', '{}', '{}', '{}', 'H1', 'NORMAL', 'en', '{}', 'IT-2026-' || lpad(g::text, 5, '0') FROM generate_series(1, ${count}) g`);
}

/**
 * `prisma` as it is, with a count of the calls of `operation` on `model` made through it (a Prisma
 * query extension: every call still reaches the database).
 */
export function countingPrisma(prisma: PrismaClient, model: string, operation: string): { prisma: PrismaClient; calls: () => number } {
  let calls = 0;
  const counted = prisma.$extends({
    query: {
      $allModels: {
        $allOperations({ model: m, operation: o, args, query }) {
          if (m === model && o === operation) calls++;
          return query(args);
        },
      },
    },
  });
  return { prisma: counted as unknown as PrismaClient, calls: () => calls };
}
