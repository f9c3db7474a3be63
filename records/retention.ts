/**
 * Erasing the personal data of requests that ended long enough ago (domain/retention.ts says what
 * goes and what stays). A request is erased in one transaction, and only once.
 */
import type { LocatedAsset } from '../domain/assets';
import type { AssetSought, Offence } from '../domain/request';
import { purgedAssetSought, purgedLocatedAsset, purgedOffence } from '../domain/retention';
import { recordAudit, SYSTEM_ACTOR } from './audit';
import { Prisma } from '../generated/prisma/client';
import type { Db, PrismaClient } from './db';
import { eraseSearchTerms } from './search';

const json = (v: unknown) => v as Prisma.InputJsonValue;

/** Requests ended before `endedBefore` and not yet erased, oldest first. */
export function endedBefore(db: Db, endedBefore: Date, limit: number) {
  return db.notice.findMany({
    where: { closedAt: { lte: endedBefore }, purgedAt: null },
    select: { id: true },
    orderBy: { closedAt: 'asc' },
    take: limit,
  });
}

/** Erases one request's personal data; false if it was erased already (or is not ended). */
export async function purgeRequest(prisma: PrismaClient, id: string, at: Date): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const notice = await tx.notice.findUnique({ where: { id } });
    if (!notice || notice.purgedAt || !notice.closedAt) return false;
    await tx.notice.update({
      where: { id },
      data: {
        subject: {},
        offence: json(purgedOffence(notice.offence as unknown as Offence)),
        assetsSought: json((notice.assetsSought as unknown as AssetSought[]).map(purgedAssetSought)),
        subjectKey: null,
        closureReason: null,
        purgedAt: at,
      },
    });
    await tx.decision.updateMany({ where: { noticeId: id }, data: { reason: null } });
    await tx.clarification.updateMany({ where: { noticeId: id }, data: { message: '', changes: {}, before: Prisma.DbNull } });
    await tx.message.updateMany({ where: { noticeId: id }, data: { body: '' } });
    for (const r of await tx.response.findMany({ where: { noticeId: id }, select: { id: true, assets: true } })) {
      const assets = (r.assets as unknown as LocatedAsset[]).map(purgedLocatedAsset);
      await tx.response.update({ where: { id: r.id }, data: { reason: null, assets: json(assets) } });
    }
    // An asset's identity may be its identifiers: what stays is its row, counted once.
    await tx.$executeRaw`UPDATE "LocatedAsset" SET "identity" = "id"::text WHERE "noticeId" = ${id}::uuid`;
    await tx.assetIdentifier.deleteMany({ where: { noticeId: id } });
    await eraseSearchTerms(tx, id);
    await tx.recipient.updateMany({ where: { noticeId: id }, data: { delayReason: null } });
    await tx.notification.updateMany({ where: { noticeId: id, detail: { not: null } }, data: { detail: null } });
    await tx.blocking.updateMany({ where: { noticeId: id }, data: { reason: null, decisionReason: null } });
    await tx.renewal.updateMany({ where: { noticeId: id }, data: { reason: null, decisionReason: null } });
    await tx.claimTakeOver.updateMany({ where: { noticeId: id }, data: { reason: '' } });
    // The documents themselves: the court order, register extracts.
    await tx.attachment.deleteMany({ where: { noticeId: id } });
    await tx.amendment.updateMany({ where: { noticeId: id }, data: { reason: '', changes: {}, decisionReason: null } });
    await tx.outcome.updateMany({ where: { noticeId: id }, data: { note: null } });
    await recordAudit(tx, { noticeId: id, at, type: 'PURGED', actor: SYSTEM_ACTOR, data: {} });
    return true;
  });
}
