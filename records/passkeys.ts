/**
 * Passkeys (WebAuthn credentials) of users, the challenges given to console sessions for their
 * ceremonies, the sign-in policy, and a session's passage past its second factor.
 */
import type { SignInStep } from '../domain/passkeys';
import type { Db, PrismaClient } from './db';
import { closeSessionsOfUser, hashToken } from './sessions';

export type Ceremony = 'REGISTRATION' | 'SIGN_IN';

export interface NewPasskey {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
  name: string;
  createdAt: Date;
}

export async function addPasskey(db: Db, p: NewPasskey): Promise<void> {
  await db.passkey.create({ data: { ...p, counter: BigInt(p.counter) } });
}

export function userPasskeys(db: Db, userId: string) {
  return db.passkey.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } });
}

export const countPasskeys = (db: Db, userId: string) => db.passkey.count({ where: { userId } });

/** The passkey with this credential id, if it belongs to `userId`. */
export function findUserPasskey(db: Db, userId: string, credentialId: string) {
  return db.passkey.findFirst({ where: { userId, credentialId } });
}

/**
 * Notes a passkey's use and its new signature count, if the count is still the one the
 * verification started from: of two sign-ins racing with one assertion, one wins.
 */
export async function notePasskeyUse(db: Db, id: string, seenCounter: bigint, counter: number, now: Date): Promise<boolean> {
  const { count } = await db.passkey.updateMany({
    where: { id, counter: seenCounter },
    data: { counter: BigInt(counter), lastUsedAt: now },
  });
  return count === 1;
}

/** Removes one of the user's passkeys; whether there was one. */
export async function removePasskey(db: Db, userId: string, id: string): Promise<boolean> {
  return (await db.passkey.deleteMany({ where: { id, userId } })).count === 1;
}

/** Removes every passkey of a user, and closes the console sessions they may have opened; how many passkeys there were. */
export async function removeUserPasskeys(prisma: PrismaClient, userId: string): Promise<number> {
  return prisma.$transaction(async (tx) => {
    await closeSessionsOfUser(tx, userId);
    return (await tx.passkey.deleteMany({ where: { userId } })).count;
  });
}

export async function saveChallenge(
  db: Db,
  c: { challenge: string; sessionToken: string; ceremony: Ceremony; expiresAt: Date },
): Promise<void> {
  await db.passkeyChallenge.deleteMany({ where: { expiresAt: { lte: new Date() } } });
  await db.passkeyChallenge.create({
    data: { challenge: c.challenge, sessionHash: hashToken(c.sessionToken), ceremony: c.ceremony, expiresAt: c.expiresAt },
  });
}

/** Takes the challenge if this session was given it for this ceremony and it has not expired: true once at most. */
export async function takeChallenge(
  db: Db,
  c: { challenge: string; sessionToken: string; ceremony: Ceremony; now: Date },
): Promise<boolean> {
  const { count } = await db.passkeyChallenge.deleteMany({
    where: { challenge: c.challenge, sessionHash: hashToken(c.sessionToken), ceremony: c.ceremony, expiresAt: { gt: c.now } },
  });
  return count === 1;
}

export async function readSignInPolicy(db: Db): Promise<{ passkeysRequired: boolean; updatedAt: Date | null }> {
  const row = await db.signInPolicy.findUnique({ where: { id: 1 } });
  return { passkeysRequired: row?.passkeysRequired ?? false, updatedAt: row?.updatedAt ?? null };
}

export async function saveSignInPolicy(db: Db, policy: { passkeysRequired: boolean }, now: Date): Promise<void> {
  const data = { passkeysRequired: policy.passkeysRequired, updatedAt: now };
  await db.signInPolicy.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
}

/**
 * The session waiting for `step` passes it, under a new token (the one it had was given out
 * before the second factor): true when it was waiting for that step.
 */
export async function passSignInStep(db: Db, s: { token: string; step: SignInStep; newToken: string }): Promise<boolean> {
  const { count } = await db.consoleSession.updateMany({
    where: { tokenHash: hashToken(s.token), pendingStep: s.step },
    data: { tokenHash: hashToken(s.newToken), pendingStep: null },
  });
  return count === 1;
}
