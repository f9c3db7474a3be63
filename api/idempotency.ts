/** Idempotency-Key: the same key from the same principal with the same body gets the same result. */
import crypto from 'node:crypto';
import type { PrismaClient } from '../prisma/database';
import { conflict } from './problem';

/** A hash of the parsed body with keys sorted, so key order and whitespace do not matter. */
export function requestHash(body: unknown): string {
  return crypto.createHash('sha256').update(canonical(body)).digest('hex');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Records the key for a new resource id, or finds the id recorded by an earlier call.
 * `replay` is true when an earlier call with the same key and body got there first.
 */
export async function claimIdempotencyKey(
  prisma: PrismaClient,
  c: { keyId: string; scope: string; key: string; hash: string; resourceId: string },
): Promise<{ resourceId: string; replay: boolean }> {
  await prisma.idempotencyRecord.createMany({
    data: [{ keyId: c.keyId, scope: c.scope, key: c.key, requestHash: c.hash, resourceId: c.resourceId }],
    skipDuplicates: true,
  });
  const rec = await prisma.idempotencyRecord.findUniqueOrThrow({
    where: { keyId_scope_key: { keyId: c.keyId, scope: c.scope, key: c.key } },
  });
  if (rec.requestHash !== c.hash) throw conflict('This Idempotency-Key was already used with a different body');
  return { resourceId: rec.resourceId, replay: rec.resourceId !== c.resourceId };
}
