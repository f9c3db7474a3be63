/** API keys. Only a SHA-256 hash of each secret is stored; the secret itself is shown once. */
import crypto from 'node:crypto';
import type { Role } from '../domain/model';
import type { Db, PrismaClient } from './db';

export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

export function createApiKey(db: Db, k: { key: string; role: Role; country?: string | null; label?: string | null }) {
  return db.apiKey.create({
    data: { id: crypto.randomUUID(), hash: hashKey(k.key), role: k.role, country: k.country ?? null, label: k.label ?? null },
  });
}

/** The bootstrap ADMIN key: created on first start, left as it is afterwards. */
export async function ensureAdminKey(db: Db, key: string, label: string): Promise<void> {
  await db.apiKey.createMany({ data: [{ id: crypto.randomUUID(), hash: hashKey(key), role: 'ADMIN', label }], skipDuplicates: true });
}

export async function findActiveKey(db: Db, key: string) {
  const row = await db.apiKey.findUnique({ where: { hash: hashKey(key) } });
  return row && !row.revokedAt ? row : null;
}

export function listActiveKeys(db: Db) {
  return db.apiKey.findMany({ where: { revokedAt: null }, orderBy: { createdAt: 'asc' } });
}

/**
 * Revokes a key, unless it is the last active ADMIN key: that would lock every administrator out.
 * The check holds under a lock, so two revocations racing for the last two ADMIN keys cannot both
 * pass (each would otherwise still see the other's key as active).
 */
export async function revokeKey(prisma: PrismaClient, id: string): Promise<'REVOKED' | 'NOT_FOUND' | 'LAST_ADMIN'> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('admin-keys'))`;
    const key = await tx.apiKey.findUnique({ where: { id } });
    if (!key || key.revokedAt) return 'NOT_FOUND';
    if (key.role === 'ADMIN' && (await tx.apiKey.count({ where: { role: 'ADMIN', revokedAt: null } })) <= 1) return 'LAST_ADMIN';
    await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    return 'REVOKED';
  });
}
