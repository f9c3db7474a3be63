/**
 * API keys: `Authorization: Bearer <key>`. Only a SHA-256 hash of each key is stored; a revoked key
 * stops working at once because every request looks its key up.
 */
import crypto from 'node:crypto';
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

export async function authenticate(prisma: PrismaClient, header: string | undefined): Promise<Principal> {
  if (!header) throw unauthorized('An API key is required: Authorization: Bearer <key>');
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
  if (!match) throw unauthorized('The Authorization header must be "Bearer <key>"');
  const row = await prisma.apiKey.findUnique({ where: { hash: hashKey(match[1]) } });
  if (!row || row.revokedAt) throw unauthorized('The API key is unknown or revoked');
  return { keyId: row.id, role: row.role, country: row.country };
}
