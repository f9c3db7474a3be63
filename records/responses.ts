/**
 * What recipients do with a published request, and the deadlines the workflow keeps for them:
 * answers (with the assets they located), reminders and OVERDUE.
 */
import { assetIdentity, type LocatedAsset } from '../domain/assets';
import { derivedId } from '../domain/ids';
import type { Actor, Outcome as ResponseOutcome } from '../domain/model';
import { recordStepEvent, recordStepEvents, type Step } from './audit';
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
 * Records answers to one request, in one transaction: those the workflow took together while an
 * earlier write was under way (see workflows/published-request.ts). Each located asset is one row
 * per recipient and asset: an asset reported again (an interim answer, then the final one) updates
 * its row instead of counting twice. `digests[i]` are the linkable identifiers of answer i's assets.
 *
 * It writes the answers and the recipients' own rows, never the request's row: 195 recipients
 * answering at once do not queue on one lock. Returns, per answer, whether it is on record.
 */
export async function recordResponses(
  db: Db,
  answers: (Step & ResponseRecord)[],
  digests: IdentifierDigest[][] = [],
): Promise<{ recorded: boolean[] }> {
  if (answers.length === 0) return { recorded: [] };
  const noticeId = answers[0].noticeId;
  if (answers.some((a) => a.noticeId !== noticeId)) throw new Error('recordResponses takes answers to one request');
  return inTransaction(db, async (tx) => {
    const { notice, inserted } = await insertAnswers(tx, noticeId, answers);
    // The workflow takes no answer once a request is closing; a retry of answers taken before finds them.
    if (!notice) {
      await tx.notice.findUniqueOrThrow({ where: { id: noticeId }, select: { id: true } });
      const found = new Set(
        (await tx.response.findMany({ where: { id: { in: answers.map((a) => a.responseId) } }, select: { id: true } })).map((r) => r.id),
      );
      return { recorded: answers.map((a) => found.has(a.responseId)) };
    }
    // Those recorded already (a retried step) need nothing more.
    // An answer sent twice at once can be here twice: its first copy is the one recorded.
    const isNew = new Set(inserted);
    const fresh = answers.filter((a, i) => isNew.has(a.responseId) && answers.findIndex((b) => b.responseId === a.responseId) === i);
    if (fresh.length > 0) {
      await upsertLocatedAssets(tx, fresh);
      const freshDigests = fresh.flatMap((a) => digests[answers.indexOf(a)] ?? []);
      await recordIdentifiers(tx, { noticeId, source: 'LOCATED', digests: freshDigests, at: new Date(fresh.at(-1)!.at) });
      await recordStepEvents(
        tx,
        fresh.map((r) => ({
          step: r,
          type: 'RESPONSE',
          actor: r.actor,
          data: { responseId: r.responseId, outcome: r.outcome, final: r.final, assets: r.assets.length, late: r.late },
          tell: { type: 'RESPONSE_RECEIVED' as const, countries: [notice.requestingCountry], reference: notice.reference },
        })),
      );
    }
    return { recorded: answers.map(() => true) };
  });
}

/**
 * One statement, as every answer pays for its round trips: the request is still PUBLISHED (else
 * nothing is written and `notice` is null), the answers not recorded before are inserted, and
 * their recipients' rows settled. A final answer settles its recipient; an interim one shows it is
 * answering, unless it is already late. Each recipient's row is written once however often it
 * answered.
 */
async function insertAnswers(
  tx: Prisma.TransactionClient,
  noticeId: string,
  answers: (Step & ResponseRecord)[],
): Promise<{ notice: { requestingCountry: string; reference: string | null } | null; inserted: string[] }> {
  const [row] = await tx.$queryRaw<{ notice: { requestingCountry: string; reference: string | null } | null; inserted: string[] }[]>`
    WITH notice AS (
      SELECT "requestingCountry", "reference" FROM "Notice" WHERE "id" = ${noticeId}::uuid AND "status" = 'PUBLISHED'
    ), answer AS (
      SELECT * FROM unnest(${answers.map((a) => a.responseId)}::uuid[], ${answers.map((a) => a.country)}::text[],
                           ${answers.map((a) => a.outcome)}::text[], ${answers.map((a) => a.final)}::boolean[],
                           ${answers.map((a) => a.reason ?? null)}::text[], ${answers.map((a) => a.handlingCode)}::text[],
                           ${answers.map((a) => JSON.stringify(a.assets))}::text[], ${answers.map((a) => a.late)}::boolean[],
                           ${answers.map((a) => a.actor.keyId)}::uuid[], ${answers.map((a) => new Date(a.at))}::timestamptz[])
        WITH ORDINALITY AS a(id, country, outcome, final, reason, handling, assets, late, key, at, n)
    ), inserted AS (
      INSERT INTO "Response" ("id", "noticeId", "country", "outcome", "final", "reason", "handlingCode", "assets", "late", "keyId", "createdAt")
      SELECT a.id, ${noticeId}::uuid, a.country, a.outcome::"ResponseOutcome", a.final, a.reason, a.handling, a.assets::jsonb, a.late, a.key, a.at
      FROM answer a WHERE EXISTS (SELECT 1 FROM notice) ORDER BY a.n
      ON CONFLICT DO NOTHING
      RETURNING "id", "country", "final", "createdAt"
    ), settled AS (
      UPDATE "Recipient" AS r
      SET "respondedAt" = a.at,
          "final" = r."final" OR a.final,
          "status" = CASE WHEN a.final OR r."status" <> 'OVERDUE' THEN 'RESPONDED'::"RecipientStatus" ELSE r."status" END
      FROM (SELECT "country", max("createdAt") AS at, bool_or("final") AS final FROM inserted GROUP BY "country") AS a
      WHERE r."noticeId" = ${noticeId}::uuid AND r."country" = a.country
    )
    SELECT (SELECT row_to_json(notice) FROM notice) AS notice, ARRAY(SELECT "id"::text FROM inserted) AS inserted`;
  return row;
}

/** Records one answer (see recordResponses). */
export async function recordResponse(db: Db, r: Step & ResponseRecord, digests: IdentifierDigest[] = []): Promise<{ recorded: boolean }> {
  const { recorded } = await recordResponses(db, [r], [digests]);
  return { recorded: recorded[0] };
}

async function upsertLocatedAssets(tx: Prisma.TransactionClient, answers: (Step & ResponseRecord)[]): Promise<void> {
  // The latest report of an asset wins, within one answer as across answers; one row per
  // recipient and asset, or the statement would update a row twice.
  const latest = new Map<string, { r: Step & ResponseRecord; identity: string; a: LocatedAsset }>();
  for (const r of answers) for (const a of r.assets) latest.set(`${r.country}|${assetIdentity(a)}`, { r, identity: assetIdentity(a), a });
  if (latest.size === 0) return;
  const rows = [...latest.values()].map(({ r, identity, a }) => ({
    // A retry derives the same id for an asset row first reported by a response.
    id: derivedId(r.responseId, identity),
    responseId: r.responseId,
    country: r.country,
    identity,
    category: a.category,
    currency: a.estimatedValue?.currency ?? null,
    amount: a.estimatedValue?.amount ?? null,
  }));
  await tx.$executeRaw`
    INSERT INTO "LocatedAsset" ("id", "responseId", "noticeId", "country", "identity", "category", "currency", "amount")
    SELECT a.id, a.response, ${answers[0].noticeId}::uuid, a.country, a.identity, a.category, a.currency, a.amount
    FROM unnest(${rows.map((x) => x.id)}::uuid[], ${rows.map((x) => x.responseId)}::uuid[], ${rows.map((x) => x.country)}::text[],
                ${rows.map((x) => x.identity)}::text[], ${rows.map((x) => x.category)}::text[],
                ${rows.map((x) => x.currency)}::text[], ${rows.map((x) => x.amount)}::numeric[])
         AS a(id, response, country, identity, category, currency, amount)
    ON CONFLICT ("noticeId", "country", "identity") DO UPDATE
      SET "responseId" = EXCLUDED."responseId", "category" = EXCLUDED."category", "currency" = EXCLUDED."currency", "amount" = EXCLUDED."amount"`;
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
