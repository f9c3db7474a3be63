/**
 * The migrations take a database with rows from before forward: each is applied to a database
 * holding what the earlier code wrote, and what it adds must cover those rows.
 */
import crypto from 'node:crypto';
import type { Database } from '../../prisma/database';
import { applyMigrations } from '../../prisma/migrate';
import { recordAudit, SYSTEM_ACTOR, verifyAuditChain } from '../../records/audit';
import { createTestDatabase, testDatabaseKind } from '../support/database';
import { waitFor } from '../support/helpers';

const BEFORE_USERS = '20261129071959_closure_reason_out_of_audit';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
});
afterAll(() => db?.close());

const sql = (text: string, ...values: unknown[]) => db.prisma.$executeRawUnsafe(text, ...values);

test('keys from before users existed each get a user of their own; audit events name it and are chained', async () => {
  await applyMigrations(db.adapterFactory, BEFORE_USERS);
  const [admin, ncb] = [crypto.randomUUID(), crypto.randomUUID()];
  await sql(`INSERT INTO "ApiKey" ("id", "hash", "role", "country", "label") VALUES ($1::uuid, 'h1', 'ADMIN', NULL, NULL)`, admin);
  await sql(`INSERT INTO "ApiKey" ("id", "hash", "role", "country", "label") VALUES ($1::uuid, 'h2', 'NCB', 'IT', 'Rome desk')`, ncb);
  await sql(
    `INSERT INTO "AuditEvent" ("id", "noticeId", "at", "type", "actorRole", "actorCountry", "actorKeyId", "data")
     VALUES ($1::uuid, NULL, now(), 'PILOT_UPDATED', 'ADMIN', NULL, $2, '{}'), ($3::uuid, NULL, now(), 'SCREENED', 'SYSTEM', NULL, NULL, '{}')`,
    crypto.randomUUID(),
    admin,
    crypto.randomUUID(),
  );

  await applyMigrations(db.adapterFactory);

  const keys = await db.prisma.apiKey.findMany({ include: { user: true }, orderBy: { hash: 'asc' } });
  expect(
    keys.map((k) => ({ id: k.id, userId: k.userId, user: { name: k.user.name, role: k.user.role, country: k.user.country } })),
  ).toEqual([
    { id: admin, userId: admin, user: { name: 'ADMIN', role: 'ADMIN', country: null } },
    { id: ncb, userId: ncb, user: { name: 'Rome desk', role: 'NCB', country: 'IT' } },
  ]);
  const events = await db.prisma.auditEvent.findMany({ orderBy: { seq: 'asc' } });
  expect(events.map((e) => e.actorUserId)).toEqual([admin, null]);

  // They are chained in their order, and events written afterwards continue the chain.
  for (const e of events) expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
  await recordAudit(db.prisma, { noticeId: null, at: new Date(), type: 'AFTER', actor: SYSTEM_ACTOR, data: {} });
  expect(await verifyAuditChain(db.prisma)).toEqual({ ok: true, events: 3 });
});

// On PGlite the one session the engine shares with everything else keeps the lock, and nobody can wait for it.
(testDatabaseKind() === 'postgres' ? test : test.skip)(
  'a migration leaves no lock behind: the next one on the database need not wait for it',
  async () => {
    await applyMigrations(db.adapterFactory);
    const held = () =>
      db.prisma.$queryRawUnsafe<Array<{ objid: number }>>(
        `SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
    // The engine never unlocks: its lock goes with its session, which ends when its pool is closed.
    // The server lets the lock go a moment after the socket closes, so two seconds are allowed; a pool
    // left open kept it for 10 s, as long as the next migration waits.
    await waitFor(held, (locks) => locks.length === 0, 'the migration lock to be let go', 2_000);
  },
);
