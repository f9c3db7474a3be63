/**
 * On PostgreSQL the application runs as a login member of `silver_app` (README, "Database roles"):
 * the whole system works through it, yet it cannot change or remove audit events, set aside their
 * triggers or move the chain's head. (The embedded PGlite has one superuser: nothing to test there.)
 */
import crypto from 'node:crypto';
import type { Database } from '../../prisma/database';
import { openPreparedDatabase } from '../../prisma/migrate';
import { createTestDatabase, testDatabaseKind } from '../support/database';
import { publish } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

const onPostgres = testDatabaseKind() === 'postgres';
const login = `silver_api_test_${crypto.randomBytes(4).toString('hex')}`;

let owner: Database;
let sys: TestSystem;

(onPostgres ? describe : describe.skip)('the application role', () => {
  beforeAll(async () => {
    owner = await createTestDatabase();
    const name = (await owner.prisma.$queryRawUnsafe<{ name: string }[]>('SELECT current_database() AS name'))[0].name;
    await owner.prisma.$executeRawUnsafe(`CREATE ROLE ${login} LOGIN PASSWORD 'app-secret' IN ROLE silver_app`);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.username = login;
    url.password = 'app-secret';
    url.pathname = `/${name}`;
    // Start-up as the system does it: pending migrations (none) and seed data, through the role.
    const { db } = await openPreparedDatabase({ url: url.toString() });
    sys = await startTestSystem({ db });
  });
  afterAll(async () => {
    await sys?.stop();
    await owner?.close();
    const { Client } = await import('pg');
    const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${login}`);
    await admin.end();
  });

  test('the system works through it: requests are submitted, published and audited, and the chain holds', async () => {
    const [ncb, reviewer] = [await sys.key('NCB', 'IT'), await sys.key('REVIEWER')];
    await sys.pilot(['IT', 'FR']);
    const published = await publish(sys, ncb, reviewer);
    const events = await sys.call('GET', `/v1/notices/${published.id}/events`, { key: ncb });
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['SUBMITTED', 'DECISION', 'PUBLISHED']));
    const check = await sys.call('GET', '/v1/audit/verify', { key: sys.adminKey });
    expect(check.body).toMatchObject({ ok: true });
    expect(check.body.events).toBeGreaterThan(3);
  });

  test.each([
    ['UPDATE "AuditEvent" SET "type" = \'X\'', /permission denied/],
    ['DELETE FROM "AuditEvent"', /permission denied/],
    ['TRUNCATE "AuditEvent"', /permission denied/],
    ['DROP TRIGGER "AuditEvent_append_only" ON "AuditEvent"', /must be owner/],
    ['ALTER TABLE "AuditEvent" DISABLE TRIGGER USER', /must be owner/],
    ['DROP TRIGGER "AuditEvent_chain" ON "AuditEvent"', /must be owner/],
    ['UPDATE "AuditChainHead" SET "lastHash" = \'\'', /permission denied/],
    ['DELETE FROM "AuditChainHead"', /permission denied/],
    [
      'CREATE OR REPLACE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
      /must be owner|permission denied/,
    ],
  ])('it may not: %s', async (statement, refusal) => {
    const before = await owner.prisma.auditEvent.count();
    await expect(sys.db.prisma.$executeRawUnsafe(statement)).rejects.toThrow(refusal);
    expect(await owner.prisma.auditEvent.count()).toBe(before);
    expect((await sys.call('GET', '/v1/audit/verify', { key: sys.adminKey })).body.ok).toBe(true);
  });
});

if (!onPostgres) test('(PostgreSQL only)', () => undefined);
