/** Who holds an API key: `Authorization: Bearer <key>` names the caller of every /v1 route. */
import crypto from 'node:crypto';
import { findActiveKey } from '../records/keys';
import type { PrismaClient } from '../records/db';
import type { Principal } from './context';
import { unauthenticated } from './refusals';

export function generateKey(): string {
  return `snk_${crypto.randomBytes(32).toString('base64url')}`;
}

export async function authenticate(prisma: PrismaClient, header: string | undefined): Promise<Principal> {
  if (!header) throw unauthenticated('An API key is required: Authorization: Bearer <key>');
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <key>"');
  const row = await findActiveKey(prisma, match[1]);
  if (!row) throw unauthenticated('The API key is unknown or revoked');
  return { keyId: row.id, role: row.role, country: row.country };
}
