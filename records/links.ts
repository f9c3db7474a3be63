/**
 * Linked assets. Each linkable identifier of an asset sought or located is kept as a keyed digest
 * (HMAC-SHA256 with a server secret), never in clear: two requests holding the same digest chase
 * the same asset, and are linked; the requester of each side is told.
 */
import crypto from 'node:crypto';
import { linkableIdentifiers } from '../domain/assets';
import type { Db, PrismaClient, Tx } from './db';
import { notify } from './notifications';
import { serverSecret } from './secrets';

export interface IdentifierDigest {
  type: string;
  digest: string;
}

const digestKeys = new WeakMap<PrismaClient, Promise<Buffer>>();

/** The digests of the linkable identifiers of some assets (the key is read once per database). */
export async function identifierDigests(
  prisma: PrismaClient,
  assets: readonly { identifiers?: Record<string, string> }[],
): Promise<IdentifierDigest[]> {
  const ids = linkableIdentifiers(assets);
  if (ids.length === 0) return [];
  let key = digestKeys.get(prisma);
  if (!key) digestKeys.set(prisma, (key = serverSecret(prisma, 'identifier-digest')));
  const secret = await key;
  return ids.map(({ type, value }) => ({
    type,
    digest: crypto.createHmac('sha256', secret).update(`${type}|${value}`).digest('base64url'),
  }));
}

/**
 * Records a request's identifiers and links it to every other request holding one of them. Returns
 * how many new links it made.
 */
export async function recordIdentifiers(
  tx: Tx,
  r: { noticeId: string; source: 'SOUGHT' | 'LOCATED'; digests: IdentifierDigest[]; at: Date },
): Promise<number> {
  if (r.digests.length === 0) return 0;
  await tx.assetIdentifier.createMany({
    data: r.digests.map((d) => ({ noticeId: r.noticeId, type: d.type, digest: d.digest, source: r.source, recordedAt: r.at })),
    skipDuplicates: true,
  });
  const types = r.digests.map((d) => d.type);
  const digests = r.digests.map((d) => d.digest);
  const made = await tx.$queryRaw<{ noticeId: string; otherNoticeId: string; identifierType: string }[]>`
    WITH found AS (
      SELECT DISTINCT i."noticeId" AS other, i."type"
      FROM "AssetIdentifier" i JOIN unnest(${types}::text[], ${digests}::text[]) AS d(type, digest)
        ON i."type" = d.type AND i."digest" = d.digest
      WHERE i."noticeId" <> ${r.noticeId}::uuid)
    INSERT INTO "AssetLink" ("noticeId", "otherNoticeId", "identifierType", "detectedAt")
    SELECT ${r.noticeId}::uuid, other, type, ${r.at}::timestamptz FROM found
    UNION ALL SELECT other, ${r.noticeId}::uuid, type, ${r.at}::timestamptz FROM found
    ON CONFLICT DO NOTHING
    RETURNING "noticeId", "otherNoticeId", "identifierType"`;
  if (made.length === 0) return 0;
  const requesters = await tx.notice.findMany({
    where: { id: { in: [...new Set(made.map((m) => m.noticeId))] } },
    select: { id: true, requestingCountry: true, reference: true },
  });
  // One statement for all of them: an identifier many requests share links a new request to each.
  const byId = new Map(requesters.map((n) => [n.id, n]));
  await notify(
    tx,
    ...made.map((link) => {
      const side = byId.get(link.noticeId)!;
      return {
        eventId: `link:${link.noticeId}:${link.otherNoticeId}:${link.identifierType}`,
        noticeId: link.noticeId,
        reference: side.reference,
        type: 'LINK_DETECTED' as const,
        countries: [side.requestingCountry],
        at: r.at,
      };
    }),
  );
  return made.length / 2;
}

/** The links of one request, newest first, with what the caller may learn of the other side. */
export function linksOf(db: Db, noticeId: string) {
  return db.$queryRaw<
    { identifierType: string; detectedAt: Date; otherNoticeId: string; otherReference: string | null; otherRequester: string }[]
  >`
    SELECT l."identifierType", l."detectedAt", l."otherNoticeId", n."reference" AS "otherReference", n."requestingCountry" AS "otherRequester"
    FROM "AssetLink" l JOIN "Notice" n ON n."id" = l."otherNoticeId"
    WHERE l."noticeId" = ${noticeId}::uuid
    ORDER BY l."detectedAt" DESC, l."otherNoticeId"`;
}

/** Every link once (each pair is stored in both directions), newest first. */
export function allLinks(db: Db, limit: number, after?: { detectedAt: Date; key: string }) {
  return db.$queryRaw<
    {
      noticeId: string;
      reference: string | null;
      otherNoticeId: string;
      otherReference: string | null;
      identifierType: string;
      detectedAt: Date;
    }[]
  >`
    SELECT l."noticeId", a."reference", l."otherNoticeId", b."reference" AS "otherReference", l."identifierType", l."detectedAt"
    FROM "AssetLink" l JOIN "Notice" a ON a."id" = l."noticeId" JOIN "Notice" b ON b."id" = l."otherNoticeId"
    WHERE l."noticeId" < l."otherNoticeId"
      AND (${after?.detectedAt ?? null}::timestamptz IS NULL
           OR (l."detectedAt", l."noticeId"::text || l."otherNoticeId"::text || l."identifierType") < (${after?.detectedAt ?? null}::timestamptz, ${after?.key ?? ''}))
    ORDER BY l."detectedAt" DESC, l."noticeId"::text || l."otherNoticeId"::text || l."identifierType" DESC
    LIMIT ${limit + 1}`;
}
