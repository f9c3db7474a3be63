/** Who holds an API key: `Authorization: Bearer <key>` names the caller of every /v1 route. */
import crypto from 'node:crypto';
import { hashKey, isUsable } from '../records/keys';
import type { Principal, ServiceDeps } from './context';
import { keyCache } from './key-cache';
import { unauthenticated } from './refusals';

export function generateKey(): string {
  return `snk_${crypto.randomBytes(32).toString('base64url')}`;
}

/** The refusal of a key that does not work, whatever the reason (a caller learns nothing more). */
export const KEY_DOES_NOT_WORK = 'The API key is unknown, revoked or expired, or its user is disabled';

/**
 * Keys checked through this process's cache (key-cache.ts). A key's use (`lastUsedAt`) is noted
 * by the rate limiter's count, in the same statement (services/perimeter.ts), not here.
 */
export function keyring(deps: ServiceDeps) {
  const cache = keyCache(deps);
  return {
    /** Starts listening for key changes (the first call would otherwise); settles once listening or refused once. */
    start: cache.start,
    state: cache.state,
    holds: cache.holds,
    changed: cache.changed,

    async authenticate(header: string | undefined): Promise<Principal> {
      if (!header) throw unauthenticated('An API key is required: Authorization: Bearer <key>');
      const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
      if (!match) throw unauthenticated('The Authorization header must be "Bearer <key>"');
      const row = await cache.byHash(hashKey(match[1]));
      if (!row || !isUsable(row, new Date())) throw unauthenticated(KEY_DOES_NOT_WORK);
      return principalOf(row);
    },

    /** The caller a key names by its id (a console session's key), if it works at `now`. */
    async principalOfKey(id: string, now: Date): Promise<Principal | undefined> {
      const row = await cache.byId(id);
      return row && isUsable(row, now) ? principalOf(row) : undefined;
    },
  };
}
export type Keyring = ReturnType<typeof keyring>;

/** The caller a key names: its user, acting through it. */
export function principalOf(row: {
  id: string;
  user: { id: string; name: string; role: Principal['role']; country: string | null };
}): Principal {
  return { keyId: row.id, userId: row.user.id, name: row.user.name, role: row.user.role, country: row.user.country };
}
