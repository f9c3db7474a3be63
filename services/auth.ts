/** Who holds an API key: `Authorization: Bearer <key>` names the caller of every /v1 route. */
import crypto from 'node:crypto';
import type { PrismaClient } from '../records/db';
import { findActiveKey, LAST_USED_RESOLUTION_MS, touchKey } from '../records/keys';
import type { Principal } from './context';
import { unauthenticated } from './refusals';

export function generateKey(): string {
  return `snk_${crypto.randomBytes(32).toString('base64url')}`;
}

export async function authenticate(prisma: PrismaClient, header: string | undefined): Promise<Principal> {
  if (!header) throw unauthenticated('An API key is required: Authorization: Bearer <key>');
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <key>"');
  const now = new Date();
  const row = await findActiveKey(prisma, match[1], now);
  if (!row) throw unauthenticated('The API key is unknown, revoked or expired, or its user is disabled');
  // lastUsedAt to the minute: a write once a minute per key, not one per call.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) await touchKey(prisma, row.id, now);
  return principalOf(row);
}

/** The caller a key names: its user, acting through it. */
export function principalOf(row: {
  id: string;
  user: { id: string; name: string; role: Principal['role']; country: string | null };
}): Principal {
  return { keyId: row.id, userId: row.user.id, name: row.user.name, role: row.user.role, country: row.user.country };
}
