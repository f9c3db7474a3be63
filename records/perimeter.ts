/**
 * What the perimeter keeps: calls counted per client and window (the rate limiter's store, shared
 * by every API process through the database) and the refused calls (security events).
 */
import type { Db, Prisma } from './db';
import { LAST_USED_RESOLUTION_MS } from './keys';

/** Counts one call of `key` in the window starting at `windowStart`; the calls counted so far. */
export async function countCall(db: Db, key: string, windowStart: Date): Promise<number> {
  const [{ hits }] = await db.$queryRaw<{ hits: number }[]>`
    INSERT INTO "RateLimitWindow" ("key", "windowStart", "hits") VALUES (${key}, ${windowStart}, 1)
    ON CONFLICT ("key", "windowStart") DO UPDATE SET "hits" = "RateLimitWindow"."hits" + 1
    RETURNING "hits"`;
  return hits;
}

/**
 * Counts one call of API key `keyId` as `countCall` does, and notes the key's use (`lastUsedAt`,
 * written at most once a minute) in the same statement: one round trip for both. The update finds
 * no row in all but one call a minute, and then writes nothing.
 */
export async function countKeyCall(db: Db, key: string, windowStart: Date, keyId: string, now: Date): Promise<number> {
  const before = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  const [{ hits }] = await db.$queryRaw<{ hits: number }[]>`
    WITH "used" AS (
      UPDATE "ApiKey" SET "lastUsedAt" = ${now}
      WHERE "id" = ${keyId}::uuid AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ${before})
    )
    INSERT INTO "RateLimitWindow" ("key", "windowStart", "hits") VALUES (${key}, ${windowStart}, 1)
    ON CONFLICT ("key", "windowStart") DO UPDATE SET "hits" = "RateLimitWindow"."hits" + 1
    RETURNING "hits"`;
  return hits;
}

export async function uncountCall(db: Db, key: string, windowStart: Date): Promise<void> {
  await db.rateLimitWindow.updateMany({ where: { key, windowStart, hits: { gt: 0 } }, data: { hits: { decrement: 1 } } });
}

export async function callsCounted(db: Db, key: string, windowStart: Date): Promise<number> {
  return (await db.rateLimitWindow.findUnique({ where: { key_windowStart: { key, windowStart } } }))?.hits ?? 0;
}

export async function forgetCalls(db: Db, key: string): Promise<void> {
  await db.rateLimitWindow.deleteMany({ where: { key } });
}

/** Drops the counts of windows that ended before `before`. */
export async function forgetWindowsBefore(db: Db, before: Date): Promise<void> {
  await db.rateLimitWindow.deleteMany({ where: { windowStart: { lt: before } } });
}

export type SecurityEventRow = Prisma.SecurityEventCreateManyInput;

export async function recordSecurityEvents(db: Db, events: SecurityEventRow[]): Promise<void> {
  if (events.length) await db.securityEvent.createMany({ data: events });
}

/** Newest first, strictly before `beforeSeq` when given; one row more than `limit` tells there is a next page. */
export function listSecurityEvents(db: Db, f: { limit: number; beforeSeq?: bigint; kind?: SecurityEventRow['kind'] }) {
  return db.securityEvent.findMany({
    where: { ...(f.beforeSeq !== undefined ? { seq: { lt: f.beforeSeq } } : {}), ...(f.kind ? { kind: f.kind } : {}) },
    orderBy: { seq: 'desc' },
    take: f.limit + 1,
  });
}
