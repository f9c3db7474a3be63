/**
 * What recipients do with a published request, and the deadlines the workflow keeps for them:
 * answers (with the assets they located), reminders and OVERDUE.
 */
import crypto from 'node:crypto';
import { assetIdentity, type LocatedAsset } from '../domain/assets';
import type { Actor, Outcome as ResponseOutcome } from '../domain/model';
import { recordStepEvent, type Step } from './audit';
import { recordIdentifiers, type IdentifierDigest } from './links';
import type { Db, Prisma } from './db';
import { inTransaction } from './db';

export interface ResponseRecord {
  /** Chosen before the workflow sees it (stable across an Idempotency-Key replay): recording it twice writes it once. */
  responseId: string;
  country: string;
  outcome: ResponseOutcome;
  final: boolean;
  reason?: string;
  handlingCode: string;
  assets: LocatedAsset[];
  actor: Actor;
  late: boolean;
}

export function findResponse(db: Db, id: string) {
  return db.response.findUnique({ where: { id }, select: { id: true } });
}

/**
 * Records an answer. Each located asset is one row per recipient and asset: an asset reported
 * again (an interim answer, then the final one) updates its row instead of counting twice.
 *
 * It writes the answer and the recipient's own row, never the request's row: 195 recipients
 * answering at once do not queue on one lock.
 */
export async function recordResponse(db: Db, r: Step & ResponseRecord, digests: IdentifierDigest[] = []): Promise<{ recorded: boolean }> {
  const at = new Date(r.at);
  return inTransaction(db, async (tx) => {
    const notice = await tx.notice.findUniqueOrThrow({
      where: { id: r.noticeId },
      select: { requestingCountry: true, reference: true, status: true },
    });
    // The workflow takes no answer once a request is closing; a retry of one taken before finds it.
    if (notice.status !== 'PUBLISHED') return { recorded: Boolean(await findResponse(tx, r.responseId)) };
    const { count } = await tx.response.createMany({
      data: [
        {
          id: r.responseId,
          noticeId: r.noticeId,
          country: r.country,
          outcome: r.outcome,
          final: r.final,
          reason: r.reason ?? null,
          handlingCode: r.handlingCode,
          assets: r.assets as unknown as Prisma.InputJsonValue,
          late: r.late,
          keyId: r.actor.keyId,
          createdAt: at,
        },
      ],
      skipDuplicates: true,
    });
    // Recorded already (a retried step): nothing more to write.
    if (count === 0) return { recorded: true };
    await upsertLocatedAssets(tx, r);
    // A final answer settles the recipient; an interim one shows it is answering, unless it is already late.
    await tx.$executeRaw`
      UPDATE "Recipient"
      SET "respondedAt" = ${at},
          "final" = "final" OR ${r.final},
          "status" = CASE WHEN ${r.final} OR "status" <> 'OVERDUE' THEN 'RESPONDED'::"RecipientStatus" ELSE "status" END
      WHERE "noticeId" = ${r.noticeId}::uuid AND "country" = ${r.country}`;
    await recordIdentifiers(tx, { noticeId: r.noticeId, source: 'LOCATED', digests, at });
    await recordStepEvent(tx, r, {
      type: 'RESPONSE',
      actor: r.actor,
      data: { responseId: r.responseId, outcome: r.outcome, final: r.final, assets: r.assets.length, late: r.late },
      tell: { type: 'RESPONSE_RECEIVED', countries: [notice.requestingCountry], reference: notice.reference },
    });
    return { recorded: true };
  });
}

async function upsertLocatedAssets(tx: Prisma.TransactionClient, r: Step & ResponseRecord): Promise<void> {
  // The latest report of an asset wins, within one answer as across answers.
  const byIdentity = new Map(r.assets.map((a) => [assetIdentity(a), a]));
  if (byIdentity.size === 0) return;
  const rows = [...byIdentity].map(([identity, a]) => ({
    id: deriveId(r.responseId, identity),
    identity,
    category: a.category,
    currency: a.estimatedValue?.currency ?? null,
    amount: a.estimatedValue?.amount ?? null,
  }));
  await tx.$executeRaw`
    INSERT INTO "LocatedAsset" ("id", "responseId", "noticeId", "country", "identity", "category", "currency", "amount")
    SELECT a.id, ${r.responseId}::uuid, ${r.noticeId}::uuid, ${r.country}, a.identity, a.category, a.currency, a.amount
    FROM unnest(${rows.map((x) => x.id)}::uuid[], ${rows.map((x) => x.identity)}::text[], ${rows.map((x) => x.category)}::text[],
                ${rows.map((x) => x.currency)}::text[], ${rows.map((x) => x.amount)}::numeric[]) AS a(id, identity, category, currency, amount)
    ON CONFLICT ("noticeId", "country", "identity") DO UPDATE
      SET "responseId" = EXCLUDED."responseId", "category" = EXCLUDED."category", "currency" = EXCLUDED."currency", "amount" = EXCLUDED."amount"`;
}

/** A stable uuid-shaped id for an asset row first reported by a response (a retry derives the same). */
function deriveId(responseId: string, identity: string): string {
  const h = crypto.createHash('sha256').update(`${responseId}|${identity}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Reminds recipients that have not answered finally as their deadline nears. */
export async function recordReminders(db: Db, s: Step & { countries: string[] }): Promise<void> {
  await inTransaction(db, async (tx) => {
    const { reference } = await tx.notice.findUniqueOrThrow({ where: { id: s.noticeId }, select: { reference: true } });
    await recordStepEvent(tx, s, {
      type: 'REMINDERS_SENT',
      data: { countries: s.countries },
      tell: { type: 'REMINDER', countries: s.countries, reference },
    });
  });
}

/** Marks recipients without a final answer at their deadline OVERDUE, and tells them. */
export async function recordOverdue(db: Db, s: Step & { countries: string[] }): Promise<void> {
  await inTransaction(db, async (tx) => {
    const { reference } = await tx.notice.findUniqueOrThrow({ where: { id: s.noticeId }, select: { reference: true } });
    const { count } = await tx.recipient.updateMany({
      where: { noticeId: s.noticeId, country: { in: s.countries }, final: false },
      data: { status: 'OVERDUE' },
    });
    await recordStepEvent(tx, s, {
      type: 'OVERDUE',
      data: { countries: s.countries, marked: count },
      tell: { type: 'OVERDUE', countries: s.countries, reference },
    });
  });
}
