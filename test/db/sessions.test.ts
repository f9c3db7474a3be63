/**
 * A console session is opened only for a key that still works at that moment, and a sign-in racing
 * the disabling of its user cannot leave a session behind the disabling's close (which enabling
 * the user again would otherwise bring back).
 */
import crypto from 'node:crypto';
import { Client } from 'pg';
import type { Database } from '../../prisma/database';
import { createUserWithKey, disableUser, revokeKey } from '../../records/keys';
import { openSession, type NewSession } from '../../records/sessions';
import { createTestDatabase, testDatabaseKind } from '../support/database';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

async function reviewerKey(): Promise<{ keyId: string; userId: string }> {
  const key = await createUserWithKey(db.prisma, { name: 'Reviewer', role: 'REVIEWER', key: crypto.randomBytes(24).toString('hex') });
  return { keyId: key.id, userId: key.userId };
}

const session = (keyId: string): NewSession => {
  const now = new Date();
  return {
    token: crypto.randomUUID(),
    keyId,
    csrfToken: 'c',
    language: 'en',
    timeZone: 'UTC',
    createdAt: now,
    expiresAt: new Date(now.getTime() + 3600_000),
  };
};
const sessionsOf = (keyId: string) => db.prisma.consoleSession.count({ where: { keyId } });

test('a session opens for a working key, and not for a revoked key or a disabled user', async () => {
  const working = await reviewerKey();
  expect(await openSession(db.prisma, session(working.keyId))).toBe(true);
  expect(await sessionsOf(working.keyId)).toBe(1);

  const revoked = await reviewerKey();
  expect(await revokeKey(db.prisma, revoked.keyId)).toBe('REVOKED');
  expect(await openSession(db.prisma, session(revoked.keyId))).toBe(false);

  const disabled = await reviewerKey();
  expect((await disableUser(db.prisma, disabled.userId)).outcome).toBe('DISABLED');
  expect(await openSession(db.prisma, session(disabled.keyId))).toBe(false);
  expect(await sessionsOf(revoked.keyId)).toBe(0);
  expect(await sessionsOf(disabled.keyId)).toBe(0);
});

(testDatabaseKind() === 'postgres' ? test : test.skip)(
  'a sign-in that comes while its user is being disabled waits, then finds the user disabled',
  async () => {
    const { keyId, userId } = await reviewerKey();
    const [{ name }] = await db.prisma.$queryRawUnsafe<{ name: string }[]>('SELECT current_database() AS name');
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    const disabling = new Client({ connectionString: url.toString() });
    await disabling.connect();
    try {
      // What disabling does (records/keys.ts, disableUser), held open before its commit.
      await disabling.query('BEGIN');
      await disabling.query(`UPDATE "User" SET "disabledAt" = now() WHERE "id" = $1`, [userId]);
      await disabling.query(`DELETE FROM "ConsoleSession" WHERE "keyId" IN (SELECT "id" FROM "ApiKey" WHERE "userId" = $1)`, [userId]);
      let settled = false;
      const signIn = openSession(db.prisma, session(keyId)).finally(() => (settled = true));
      // The sign-in waits on the user's row until the disabling ends (unlocked, it went straight through).
      const waitingOnLock = async () =>
        Number(
          (
            await disabling.query(
              `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            )
          ).rows[0].n,
        );
      const deadline = Date.now() + 5000;
      while (!settled && (await waitingOnLock()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(settled).toBe(false);
      expect(await waitingOnLock()).toBe(1);
      await disabling.query('COMMIT');
      expect(await signIn).toBe(false);
      expect(await sessionsOf(keyId)).toBe(0);
    } finally {
      await disabling.end();
    }
  },
);
