/** Users and their API keys: who may call the API, as whom, and until when. */
import type { Role } from '../domain/model';
import { keyExpiresAt } from '../domain/time';
import { recordAction } from '../records/audit';
import {
  createApiKey,
  createUser,
  createUserWithKey,
  disableUser,
  enableUser,
  findUser,
  listActiveKeys,
  listUsers,
  revokeKey,
} from '../records/keys';
import { generateKey, type Keyring } from './auth';
import type { Principal, ServiceDeps } from './context';
import { conflict, invalid, notFound } from './refusals';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function userView(u: { id: string; name: string; role: Role; country: string | null; createdAt: Date; disabledAt: Date | null }) {
  return { id: u.id, name: u.name, role: u.role, country: u.country, createdAt: u.createdAt.toISOString(), disabledAt: iso(u.disabledAt) };
}

function keyView(k: {
  id: string;
  userId: string;
  label: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  user: { role: Role; country: string | null };
}) {
  return {
    id: k.id,
    userId: k.userId,
    role: k.user.role,
    country: k.user.country,
    label: k.label,
    createdAt: k.createdAt.toISOString(),
    expiresAt: iso(k.expiresAt),
    lastUsedAt: iso(k.lastUsedAt),
  };
}

/** A key for an existing user (`userId`), or (the first form) for a new user named after the label or the role. */
export interface KeyRequest {
  userId?: string;
  role?: Role;
  country?: string;
  label?: string;
  expiresInDays?: number;
}

/**
 * `keys`: this process's keyring, told of the changes made here so they take effect at once in
 * this process too (others hear them from PostgreSQL).
 */
export function peopleService(deps: ServiceDeps, keyring?: Pick<Keyring, 'changed'>) {
  const { prisma } = deps;

  return {
    async createUser(principal: Principal, u: { name: string; role: Role; country?: string }) {
      const user = await createUser(prisma, u);
      await recordAction(prisma, principal, 'USER_CREATED', { userId: user.id, role: user.role, country: user.country });
      return userView(user);
    },

    async users() {
      return { items: (await listUsers(prisma)).map(userView) };
    },

    async disableUser(principal: Principal, id: string) {
      const { outcome, keys } = await disableUser(prisma, id);
      if (outcome === 'NOT_FOUND') throw notFound('No enabled user has this id');
      if (outcome === 'LAST_ADMIN')
        throw conflict('This is the last active ADMIN; give another user an ADMIN key before disabling this one', 'LAST_ADMIN');
      keyring?.changed(`user:${id}`);
      await recordAction(prisma, principal, 'USER_DISABLED', { userId: id, keysStopped: keys });
    },

    /** Enables a disabled user again: its keys neither revoked nor expired work again at once. */
    async enableUser(principal: Principal, id: string) {
      const { outcome, user, keys } = await enableUser(prisma, id);
      if (outcome === 'NOT_FOUND') throw notFound('No user has this id');
      keyring?.changed(`user:${id}`);
      // Enabling an enabled user changes nothing, so a retried call answers the same and is not audited twice.
      if (outcome === 'ENABLED') await recordAction(prisma, principal, 'USER_ENABLED', { userId: id, keysWorkingAgain: keys });
      return userView(user!);
    },

    /** A new key; its secret is in this answer only. */
    async createKey(principal: Principal, k: KeyRequest) {
      const key = generateKey();
      const createdAt = new Date();
      const expiresAt =
        k.expiresInDays === undefined ? null : new Date(keyExpiresAt(createdAt.getTime(), k.expiresInDays, deps.daySeconds));
      let row;
      if (k.userId !== undefined) {
        const user = await findUser(prisma, k.userId);
        if (!user) throw invalid('The body is invalid', [{ path: 'userId', code: 'NOT_A_USER', message: 'is not the id of a user' }]);
        if (user.disabledAt) throw conflict('This user is disabled: it can hold no key', 'USER_DISABLED');
        row = await createApiKey(prisma, { key, userId: user.id, label: k.label, expiresAt, createdAt });
      } else {
        const role = k.role!;
        row = await createUserWithKey(prisma, {
          name: k.label ?? role,
          role,
          country: k.country,
          key,
          label: k.label,
          expiresAt,
          createdAt,
        });
        await recordAction(prisma, principal, 'USER_CREATED', { userId: row.userId, role: row.user.role, country: row.user.country });
      }
      await recordAction(prisma, principal, 'API_KEY_CREATED', {
        keyId: row.id,
        userId: row.userId,
        role: row.user.role,
        country: row.user.country,
        expiresAt: iso(row.expiresAt),
      });
      return { ...keyView(row), key };
    },

    async keys() {
      return { items: (await listActiveKeys(prisma)).map(keyView) };
    },

    async revokeKey(principal: Principal, id: string) {
      const outcome = await revokeKey(prisma, id);
      if (outcome === 'NOT_FOUND') throw notFound('No active API key has this id');
      if (outcome === 'LAST_ADMIN')
        throw conflict('This is the last active ADMIN key; create another ADMIN key before revoking it', 'LAST_ADMIN');
      keyring?.changed(`key:${id}`);
      await recordAction(prisma, principal, 'API_KEY_REVOKED', { keyId: id });
    },
  };
}
export type PeopleService = ReturnType<typeof peopleService>;
