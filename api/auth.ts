/**
 * API keys: `Authorization: Bearer <key>`. Only a SHA-256 hash of each key is stored; a revoked key
 * stops working at once because every request looks its key up.
 */
import crypto from 'node:crypto';
import type { ApiKey as ApiKeyRow } from '../generated/prisma/client';
import type { PrismaClient } from '../prisma/database';
import type { Role } from '../domain/model';
import { unauthorized } from './problem';

export interface Principal {
  keyId: string;
  role: Role;
  country: string | null;
}

export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateKey(): string {
  return `snk_${crypto.randomBytes(32).toString('base64url')}`;
}

/** Creates a key; only its hash is stored, so the returned secret is the only copy. */
export async function createApiKey(
  prisma: PrismaClient,
  k: { role: Role; country?: string | null; label?: string | null; key?: string },
): Promise<{ key: string; row: ApiKeyRow }> {
  const key = k.key ?? generateKey();
  const row = await prisma.apiKey.create({
    data: { id: crypto.randomUUID(), hash: hashKey(key), role: k.role, country: k.country ?? null, label: k.label ?? null },
  });
  return { key, row };
}

export async function authenticate(prisma: PrismaClient, header: string | undefined): Promise<Principal> {
  if (!header) throw unauthorized('An API key is required: Authorization: Bearer <key>');
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
  if (!match) throw unauthorized('The Authorization header must be "Bearer <key>"');
  const row = await prisma.apiKey.findUnique({ where: { hash: hashKey(match[1]) } });
  if (!row || row.revokedAt) throw unauthorized('The API key is unknown or revoked');
  return { keyId: row.id, role: row.role, country: row.country };
}
