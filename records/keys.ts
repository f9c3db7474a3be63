/**
 * Users and their API keys. Only a SHA-256 hash of each secret is stored; the secret itself is
 * shown once. A key acts with its user's role and country; a key works while it is not revoked,
 * not expired and its user not disabled.
 */
import crypto from 'node:crypto';
import type { Role } from '../domain/model';
import type { User } from '../generated/prisma/client';
import type { Db, Prisma, PrismaClient, Tx } from './db';
import { closeSessionsOfUser } from './sessions';

export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface NewUser {
  name: string;
  role: Role;
  country?: string | null;
}

export function createUser(db: Db, u: NewUser) {
  return db.user.create({ data: { id: crypto.randomUUID(), name: u.name, role: u.role, country: u.country ?? null } });
}

export function findUser(db: Db, id: string) {
  return db.user.findUnique({ where: { id } });
}

export function listUsers(db: Db) {
  return db.user.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

export interface NewKey {
  key: string;
  userId: string;
  label?: string | null;
  expiresAt?: Date | null;
  createdAt?: Date;
}

export function createApiKey(db: Db, k: NewKey) {
  return db.apiKey.create({
    data: {
      id: crypto.randomUUID(),
      hash: hashKey(k.key),
      userId: k.userId,
      label: k.label ?? null,
      expiresAt: k.expiresAt ?? null,
      createdAt: k.createdAt ?? new Date(),
    },
    include: { user: true },
  });
}

/** A user holding one new key, in one transaction (the first form of POST /v1/api-keys, and tests). */
export function createUserWithKey(prisma: PrismaClient, u: NewUser & Omit<NewKey, 'userId'>) {
  return prisma.$transaction(async (tx) => createApiKey(tx, { ...u, userId: (await createUser(tx, u)).id }));
}

/** The bootstrap ADMIN key: created with its user on first start, left as it is afterwards. */
export async function ensureAdminKey(prisma: PrismaClient, key: string, label: string): Promise<void> {
  if (await prisma.apiKey.findUnique({ where: { hash: hashKey(key) }, select: { id: true } })) return;
  await createUserWithKey(prisma, { name: 'Bootstrap administrator', role: 'ADMIN', key, label }).catch((err: { code?: string }) => {
    if (err.code !== 'P2002') throw err; // another process created it meanwhile
  });
}

/** Keys that work at `now`: not revoked, not expired, their user not disabled. */
const usable = (now: Date): Prisma.ApiKeyWhereInput => ({
  revokedAt: null,
  OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
  user: { disabledAt: null },
});

/** Whether a key works at `now`: not revoked, not expired, its user not disabled. */
export function isUsable(row: { revokedAt: Date | null; expiresAt: Date | null; user: { disabledAt: Date | null } }, now: Date): boolean {
  return !row.revokedAt && !row.user.disabledAt && !(row.expiresAt && row.expiresAt <= now);
}

/**
 * The channel on which PostgreSQL names a key ("key:<id>") or a user ("user:<id>") whose change may
 * change what its keys can do, or "*" (a trigger sends them: migration key_change_notifications).
 */
export const KEY_CHANGES_CHANNEL = 'silver_keys';

/** What checking a key needs of it and of its user: what that trigger watches, the ids and the hash. */
const keySelect = {
  id: true,
  hash: true,
  userId: true,
  expiresAt: true,
  revokedAt: true,
  user: { select: { id: true, name: true, role: true, country: true, disabledAt: true } },
} satisfies Prisma.ApiKeySelect;
export type KeyRow = Prisma.ApiKeyGetPayload<{ select: typeof keySelect }>;

/** The key with this hash and its user, whether it works or not. */
export function findKeyByHash(db: Db, hash: string): Promise<KeyRow | null> {
  return db.apiKey.findUnique({ where: { hash }, select: keySelect });
}

export function findKeyById(db: Db, id: string): Promise<KeyRow | null> {
  return db.apiKey.findUnique({ where: { id }, select: keySelect });
}

/** The key with this secret and its user, if it works at `now`. */
export async function findActiveKey(db: Db, key: string, now: Date) {
  const row = await findKeyByHash(db, hashKey(key));
  return row && isUsable(row, now) ? row : null;
}

/** The names of these users (or of none, for ids that are not users'). */
export async function userNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } });
  return new Map(rows.map((u) => [u.id, u.name]));
}

/** How often `lastUsedAt` is written: at most once per key in this interval, not on every call. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Those of `ids` that name no user (an id that is not a UUID names none). */
export async function unknownUsers(db: Db, ids: readonly string[]): Promise<string[]> {
  const wellFormed = ids.filter((id) => UUID.test(id));
  const found = new Set(
    (await db.user.findMany({ where: { id: { in: wellFormed } }, select: { id: true } })).map((u) => u.id.toLowerCase()),
  );
  return ids.filter((id) => !found.has(id.toLowerCase()));
}

export const LAST_USED_RESOLUTION_MS = 60_000;

/** Notes that a key was used at `now`, unless that was already noted less than a minute ago. */
export async function touchKey(db: Db, id: string, now: Date): Promise<void> {
  const before = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  await db.apiKey.updateMany({ where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: before } }] }, data: { lastUsedAt: now } });
}

/**
 * Keys not revoked whose user is enabled (expired ones included, so an administrator sees them),
 * oldest first. A disabled user's keys are left out until the user is enabled again.
 */
export function listActiveKeys(db: Db) {
  return db.apiKey.findMany({
    where: { revokedAt: null, user: { disabledAt: null } },
    orderBy: { createdAt: 'asc' },
    include: { user: true },
  });
}

/**
 * Whether `leaving` (a key or a user) is the last ADMIN able to act: it holds a usable ADMIN key
 * and no other enabled ADMIN user holds one.
 */
async function isLastAdmin(tx: Tx, leaving: { keyId: string } | { userId: string }, now: Date): Promise<boolean> {
  const admins: Prisma.ApiKeyWhereInput = { AND: [usable(now), { user: { role: 'ADMIN' } }] };
  const own: Prisma.ApiKeyWhereInput = 'keyId' in leaving ? { id: leaving.keyId } : { userId: leaving.userId };
  if ((await tx.apiKey.count({ where: { AND: [admins, own] } })) === 0) return false;
  return (await tx.apiKey.count({ where: { AND: [admins, { NOT: own }] } })) === 0;
}

/**
 * Runs `fn` while no other change to who is an active ADMIN can run: revocations and disablings
 * take this one lock, so two of them racing for the last two ADMIN keys or users cannot both pass
 * (each would otherwise still see the other's as active).
 */
function withAdminLock<T>(prisma: PrismaClient, fn: (tx: Tx, now: Date) => Promise<T>): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('admin-keys'))`;
    return fn(tx, new Date());
  });
}

/** Revokes a key, unless it is the last usable ADMIN key: that would lock every administrator out. */
export function revokeKey(prisma: PrismaClient, id: string): Promise<'REVOKED' | 'NOT_FOUND' | 'LAST_ADMIN'> {
  return withAdminLock(prisma, async (tx, now) => {
    const key = await tx.apiKey.findUnique({ where: { id }, include: { user: true } });
    if (!key || key.revokedAt) return 'NOT_FOUND';
    if (await isLastAdmin(tx, { keyId: id }, now)) return 'LAST_ADMIN';
    await tx.apiKey.update({ where: { id }, data: { revokedAt: now } });
    return 'REVOKED';
  });
}

/**
 * Disables a user, unless it is the last ADMIN able to act. Its keys stop working because their
 * user is disabled (`usable`), not by revoking them: enabling the user again brings back those
 * that are neither revoked nor expired. Its console sessions are closed. `keys`: how many keys stopped.
 */
export function disableUser(prisma: PrismaClient, id: string): Promise<{ outcome: 'DISABLED' | 'NOT_FOUND' | 'LAST_ADMIN'; keys: number }> {
  return withAdminLock(prisma, async (tx, now) => {
    const user = await tx.user.findUnique({ where: { id } });
    if (!user || user.disabledAt) return { outcome: 'NOT_FOUND', keys: 0 };
    if (await isLastAdmin(tx, { userId: id }, now)) return { outcome: 'LAST_ADMIN', keys: 0 };
    const keys = await tx.apiKey.count({ where: { AND: [usable(now), { userId: id }] } });
    await tx.user.update({ where: { id }, data: { disabledAt: now } });
    await closeSessionsOfUser(tx, id);
    return { outcome: 'DISABLED', keys };
  });
}

/**
 * Enables a disabled user again (an enabled one is left as it is): its keys that are neither
 * revoked nor expired work again. The user's row changing is what tells every process's key
 * cache (the trigger of migration key_change_notifications). `keys`: how many keys work again.
 */
export async function enableUser(
  prisma: PrismaClient,
  id: string,
): Promise<{ outcome: 'ENABLED' | 'ALREADY_ENABLED' | 'NOT_FOUND'; user?: User; keys: number }> {
  return prisma.$transaction(async (tx) => {
    const now = new Date();
    const { count } = await tx.user.updateMany({ where: { id, disabledAt: { not: null } }, data: { disabledAt: null } });
    const user = await tx.user.findUnique({ where: { id } });
    if (!user) return { outcome: 'NOT_FOUND', keys: 0 };
    if (count === 0) return { outcome: 'ALREADY_ENABLED', user, keys: 0 };
    return { outcome: 'ENABLED', user, keys: await tx.apiKey.count({ where: { AND: [usable(now), { userId: id }] } }) };
  });
}

/** The ids of every key `userId` holds or held: a person's past acts may be recorded under any of them. */
export async function keyIdsOf(db: Db, userId: string): Promise<Set<string>> {
  const rows = await db.apiKey.findMany({ where: { userId }, select: { id: true } });
  return new Set(rows.map((k) => k.id));
}
