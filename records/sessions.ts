/** Console sessions: a browser's signed-in session, kept by the hash of its token. */
import crypto from 'node:crypto';
import type { SignInStep } from '../domain/passkeys';
import type { Db } from './db';

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface NewSession {
  token: string;
  keyId: string;
  csrfToken: string;
  language: string;
  timeZone: string;
  createdAt: Date;
  expiresAt: Date;
  /** What the session waits for before it may act (its second factor); null or absent: nothing. */
  pendingStep?: SignInStep | null;
  /** A single sign-on session's ID token (the hint of the provider's sign-out). */
  idToken?: string;
}

/**
 * Opens a session for a key that still works at its opening; false when it no longer does.
 * Its user's row is locked while the session is written, as disabling it locks it: a sign-in
 * racing a disabling either finishes first (and the disabling closes its session) or waits and
 * finds the user disabled. Written without the check, a session opened in between outlived the
 * disabling's close, and came back when the user was enabled again. (This rests on READ COMMITTED,
 * PostgreSQL's default: the disabling's close, a later statement, sees a session committed first.)
 */
export async function openSession(db: Db, s: NewSession): Promise<boolean> {
  const opened = await db.$executeRaw`
    INSERT INTO "ConsoleSession" ("tokenHash", "keyId", "csrfToken", "language", "timeZone", "idToken", "createdAt", "expiresAt", "pendingStep")
    SELECT ${hashToken(s.token)}, k."id", ${s.csrfToken}, ${s.language}, ${s.timeZone}, ${s.idToken ?? null},
           ${s.createdAt}::timestamptz, ${s.expiresAt}::timestamptz, ${s.pendingStep ?? null}::"SignInStep"
    FROM "ApiKey" k JOIN "User" u ON u."id" = k."userId" -- the key works: records/keys.ts, usable()
    WHERE k."id" = ${s.keyId}::uuid AND k."revokedAt" IS NULL AND u."disabledAt" IS NULL
      AND (k."expiresAt" IS NULL OR k."expiresAt" > ${s.createdAt}::timestamptz)
    FOR SHARE OF u`;
  return opened === 1;
}

/** The session with this token, while it has not run out at `now` (whether its key still works is the caller's to check). */
export async function findSession(db: Db, token: string, now: Date) {
  const session = await db.consoleSession.findUnique({ where: { tokenHash: hashToken(token) } });
  return session && session.expiresAt > now ? session : null;
}

/** Moves a session's end on, never past `limit`'s cap (the caller computes it). */
export async function extendSession(db: Db, token: string, expiresAt: Date): Promise<void> {
  await db.consoleSession.updateMany({ where: { tokenHash: hashToken(token) }, data: { expiresAt } });
}

export async function setSessionPreferences(db: Db, token: string, prefs: { language: string; timeZone: string }): Promise<void> {
  await db.consoleSession.updateMany({ where: { tokenHash: hashToken(token) }, data: prefs });
}

/** The ID token a single sign-on session was opened with (none for a key's session). */
export async function sessionIdToken(db: Db, token: string): Promise<string | null> {
  const row = await db.consoleSession.findUnique({ where: { tokenHash: hashToken(token) }, select: { idToken: true } });
  return row?.idToken ?? null;
}

export async function closeSession(db: Db, token: string): Promise<void> {
  await db.consoleSession.deleteMany({ where: { tokenHash: hashToken(token) } });
}

/**
 * Closes every console session of a user, whichever of its keys opened it: when it is disabled
 * (which enabling undoes, so its sessions must not come back with it) and when its passkeys are
 * reset (one was lost).
 */
export async function closeSessionsOfUser(db: Db, userId: string): Promise<void> {
  await db.$executeRaw`DELETE FROM "ConsoleSession" WHERE "keyId" IN (SELECT "id" FROM "ApiKey" WHERE "userId" = ${userId}::uuid)`;
}

/** Drops sessions that ended before `now`. */
export async function closeExpiredSessions(db: Db, now: Date): Promise<void> {
  await db.consoleSession.deleteMany({ where: { expiresAt: { lte: now } } });
}
