/**
 * API keys kept in memory once looked up, by the hash of their secret, until PostgreSQL says they
 * changed: a trigger notifies `silver_keys` of every change to a key's revocation, expiry or owner
 * and to its user's disabling, role, country or name, whoever makes it (migration
 * key_change_notifications), and each process forgets what it names. Revocation thus reaches every
 * API process as soon as the notification does, not when an entry lapses.
 *
 * Nothing is served from memory unless the process is listening: before the first LISTEN, and from
 * a lost connection until it listens again, every key is looked up (what was sent meanwhile was
 * missed, so the cache is emptied both when listening stops and when it starts again). A key that
 * is not found is not kept, so a key created elsewhere needs no notification. Expiry is checked
 * at every call against the kept `expiresAt`: an expired key is refused at its expiry, cached or not.
 */
import type { Logger } from 'pino';
import type { Listen } from '../prisma/notifications';
import type { PrismaClient } from '../records/db';
import { findKeyByHash, findKeyById, KEY_CHANGES_CHANNEL, type KeyRow } from '../records/keys';

/** Keys kept at most; beyond, the longest kept is dropped (a key not kept is only looked up again). */
export const KEY_CACHE_LIMIT = 10_000;

export interface KeyCacheDeps {
  prisma: PrismaClient;
  log: Logger;
  /** The database's notifications; without them nothing is kept and every call looks its key up. */
  listen?: Listen;
}

export function keyCache(deps: KeyCacheDeps, limit = KEY_CACHE_LIMIT) {
  const { prisma, log } = deps;
  const byHash = new Map<string, KeyRow>();
  const hashById = new Map<string, string>();
  let listening = false;
  let heardBefore = false;
  /**
   * Moves on with every notification and every change of listening. A lookup whose answer comes
   * back after a move is not kept: the database may have read the row before the change the
   * notification announced.
   */
  let generation = 0;
  let started: Promise<void> | undefined;

  const drop = (hash: string) => {
    const row = byHash.get(hash);
    if (!row) return;
    byHash.delete(hash);
    hashById.delete(row.id);
  };
  const forgetAll = () => {
    generation++;
    byHash.clear();
    hashById.clear();
  };
  const forget = (payload: string) => {
    generation++;
    const colon = payload.indexOf(':');
    const [kind, id] = [payload.slice(0, colon), payload.slice(colon + 1)];
    if (kind === 'key') {
      const hash = hashById.get(id);
      if (hash) drop(hash);
    } else if (kind === 'user') {
      for (const [hash, row] of byHash) if (row.userId === id) drop(hash);
    } else forgetAll();
  };
  const keep = (row: KeyRow) => {
    drop(row.hash);
    if (byHash.size >= limit) drop(byHash.keys().next().value!);
    byHash.set(row.hash, row);
    hashById.set(row.id, row.hash);
  };

  /** Starts listening, once; settles when listening, or when the first attempt failed (it is tried again meanwhile). */
  function start(): Promise<void> {
    if (started) return started;
    const { listen } = deps;
    if (!listen) return (started = Promise.resolve());
    started = new Promise<void>((settle) => {
      listen(KEY_CHANGES_CHANNEL, {
        message: forget,
        listening() {
          forgetAll();
          listening = true;
          if (heardBefore) log.info('listening to key changes again: API keys are cached again');
          heardBefore = true;
          settle();
        },
        lost(err) {
          listening = false;
          forgetAll();
          log.warn({ err }, 'not listening to key changes: every API key is looked up until listening again');
          settle();
        },
      });
    });
    return started;
  }

  async function lookUp(find: () => Promise<KeyRow | null>): Promise<KeyRow | null> {
    void start();
    const seen = generation;
    const row = await find();
    if (row && listening && generation === seen) keep(row);
    return row;
  }

  return {
    start,
    /** The key with this hash and its user, whether it works or not (null: no such key). */
    byHash(hash: string): Promise<KeyRow | null> {
      const kept = listening ? byHash.get(hash) : undefined;
      return kept ? Promise.resolve(kept) : lookUp(() => findKeyByHash(prisma, hash));
    },
    byId(id: string): Promise<KeyRow | null> {
      const hash = listening ? hashById.get(id) : undefined;
      const kept = hash === undefined ? undefined : byHash.get(hash);
      return kept ? Promise.resolve(kept) : lookUp(() => findKeyById(prisma, id));
    },
    /** How many keys are kept, and whether they are served. */
    state: () => ({ size: byHash.size, listening }),
    /** Whether the key with this id is kept. */
    holds: (keyId: string) => hashById.has(keyId),
    /**
     * A change this process made itself (`key:<id>`, `user:<id>`): forgotten at once, without waiting
     * for the notification that tells every process (it still comes, and forgets again).
     */
    changed: forget,
  };
}
export type KeyCache = ReturnType<typeof keyCache>;
