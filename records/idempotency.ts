/** Idempotency-Key records: the first call with a key fixes the resource it made and its body. */
import type { Db } from './db';

/**
 * Records `key` for a new resource id, or finds the one an earlier call recorded. `replay`: an
 * earlier call got there first; `sameBody`: with the same body hash.
 */
export async function claimIdempotencyKey(
  db: Db,
  c: { keyId: string; scope: string; key: string; hash: string; resourceId: string },
): Promise<{ resourceId: string; replay: boolean; sameBody: boolean }> {
  await db.idempotencyRecord.createMany({
    data: [{ keyId: c.keyId, scope: c.scope, key: c.key, requestHash: c.hash, resourceId: c.resourceId }],
    skipDuplicates: true,
  });
  const rec = await db.idempotencyRecord.findUniqueOrThrow({ where: { keyId_scope_key: { keyId: c.keyId, scope: c.scope, key: c.key } } });
  return { resourceId: rec.resourceId, replay: rec.resourceId !== c.resourceId, sameBody: rec.requestHash === c.hash };
}

/** The record an earlier call made with `key`, if any. */
export function findIdempotencyKey(db: Db, k: { keyId: string; scope: string; key: string }) {
  return db.idempotencyRecord.findUnique({
    where: { keyId_scope_key: k },
    select: { resourceId: true, requestHash: true },
  });
}
