/**
 * The writes of an amendment's review: its submission with the flags screening raised, each
 * approval, and its decision. An approval that decides applies the additions to the request,
 * extends a diffusion to the countries it adds and tells everyone concerned, in one transaction.
 * The amendment's id is its action's; a step run again finds the row it wrote, or the state it made.
 */
import { applyAmendment, newRecipients, type AmendmentChanges } from '../domain/amendments';
import { derivedId } from '../domain/ids';
import type { Actor, Flag } from '../domain/model';
import { subjectKey } from '../domain/screening';
import { recordStepEvent, recordStepEvents, type Step } from './audit';
import type { Db, Prisma } from './db';
import { inTransaction } from './db';
import { recordIdentifiers, type IdentifierDigest } from './links';
import { contentColumns, requestContent } from './notices';
import { indexSubject } from './search';

export interface AmendmentSubmission {
  reason: string;
  changes: AmendmentChanges;
  flags: Flag[];
  actor: Actor;
}

/** The amendment, UNDER_REVIEW with its flags. Step id = amendment id. */
export async function recordAmendment(db: Db, a: Step & AmendmentSubmission): Promise<void> {
  const at = new Date(a.at);
  await inTransaction(db, async (tx) => {
    if (await tx.amendment.findUnique({ where: { id: a.eventId }, select: { id: true } })) return;
    await tx.amendment.create({
      data: {
        id: a.eventId,
        noticeId: a.noticeId,
        reason: a.reason,
        changes: a.changes as unknown as Prisma.InputJsonValue,
        flags: a.flags,
        approvedBy: [],
        addedRecipients: [],
        requestedByKeyId: a.actor.keyId,
        submittedAt: at,
      },
    });
    await tx.notice.update({ where: { id: a.noticeId }, data: { updatedAt: at } });
    await recordStepEvent(tx, a, { type: 'AMENDMENT_SUBMITTED', actor: a.actor, data: { amendmentId: a.eventId, flags: a.flags } });
  });
}

export interface AmendmentDecisionRecord {
  amendmentId: string;
  actor: Actor & { userId: string };
  reason?: string;
  approvals: number;
  approvalsRequired: number;
}

/** An approval that does not yet decide (the first of two). A reviewer counts once. */
export async function recordAmendmentApproval(db: Db, d: Step & AmendmentDecisionRecord): Promise<void> {
  await inTransaction(db, async (tx) => {
    const count = await tx.$executeRaw`
      UPDATE "Amendment" SET "approvedBy" = array_append("approvedBy", ${d.actor.userId}::uuid)
      WHERE "id" = ${d.amendmentId}::uuid AND "status" = 'UNDER_REVIEW' AND NOT (${d.actor.userId}::uuid = ANY("approvedBy"))`;
    if (count === 0) return;
    await recordStepEvent(tx, d, {
      type: 'AMENDMENT_APPROVAL',
      actor: d.actor,
      data: { amendmentId: d.amendmentId, approvals: d.approvals, approvalsRequired: d.approvalsRequired },
    });
  });
}

const requesterOf = (db: Db, id: string) =>
  db.notice.findUniqueOrThrow({ where: { id }, select: { reference: true, requestingCountry: true } });

/**
 * The approval that decides: the request gains the additions (its identifiers linked, its aliases
 * searchable), the countries added are its recipients from now, answering by `dueAt`; existing
 * recipients are told AMENDED, new ones PUBLISHED, the requester AMENDMENT_DECIDED. Answers the
 * countries added (those of the first run when the step runs again).
 */
export async function recordAmendmentApplied(
  db: Db,
  d: Step & AmendmentDecisionRecord & { dueAt: number },
  digests: IdentifierDigest[],
): Promise<{ added: string[] }> {
  const at = new Date(d.at);
  return inTransaction(db, async (tx) => {
    const amendment = await tx.amendment.findUniqueOrThrow({ where: { id: d.amendmentId } });
    if (amendment.status !== 'UNDER_REVIEW') return { added: amendment.addedRecipients };
    const notice = await tx.notice.findUniqueOrThrow({ where: { id: d.noticeId } });
    const changes = amendment.changes as unknown as AmendmentChanges;
    const content = applyAmendment(requestContent(notice), changes);
    const existing = (await tx.recipient.findMany({ where: { noticeId: d.noticeId }, select: { country: true } })).map((r) => r.country);
    const added = newRecipients(existing, changes.add.recipients);
    await tx.notice.update({
      where: { id: d.noticeId },
      data: { ...contentColumns(content), subjectKey: subjectKey(content.subject), updatedAt: at },
    });
    await tx.amendment.update({
      where: { id: d.amendmentId },
      data: {
        status: 'APPROVED',
        decidedAt: at,
        decisionReason: d.reason ?? null,
        approvedBy: [...amendment.approvedBy, d.actor.userId],
        addedRecipients: added,
      },
    });
    const dueAt = new Date(d.dueAt);
    await tx.$executeRaw`
      INSERT INTO "Recipient" ("noticeId", "country", "dueAt")
      SELECT ${d.noticeId}::uuid, country, ${dueAt}::timestamptz FROM unnest(${added}::text[]) AS country
      ON CONFLICT DO NOTHING`;
    await recordIdentifiers(tx, { noticeId: d.noticeId, source: 'SOUGHT', digests, at });
    await indexSubject(tx, d.noticeId, content.subject);
    const reference = notice.reference;
    const part = (name: string) => ({ ...d, eventId: derivedId(d.eventId, name) });
    await recordStepEvents(tx, [
      {
        step: d,
        type: 'AMENDMENT_DECIDED',
        actor: d.actor,
        data: { amendmentId: d.amendmentId, decision: 'APPROVE', approvals: d.approvals, addedRecipients: added },
        tell: { type: 'AMENDMENT_DECIDED', countries: [notice.requestingCountry], reference },
      },
      {
        step: part('amended'),
        type: 'AMENDED',
        data: { amendmentId: d.amendmentId },
        tell: { type: 'AMENDED', countries: existing, reference },
      },
      ...(added.length
        ? [
            {
              step: part('extended'),
              type: 'EXTENDED',
              data: { amendmentId: d.amendmentId, recipients: added, dueAt: dueAt.toISOString() },
              tell: { type: 'PUBLISHED' as const, countries: added, reference },
            },
          ]
        : []),
    ]);
    return { added };
  });
}

/** A rejection: nothing of the request changes; the requester is told. */
export async function recordAmendmentRejected(db: Db, d: Step & { amendmentId: string; reason?: string; actor: Actor }): Promise<void> {
  const at = new Date(d.at);
  await inTransaction(db, async (tx) => {
    const { count } = await tx.amendment.updateMany({
      where: { id: d.amendmentId, status: 'UNDER_REVIEW' },
      data: { status: 'REJECTED', decidedAt: at, decisionReason: d.reason ?? null },
    });
    if (count === 0) return;
    const notice = await requesterOf(tx, d.noticeId);
    await tx.notice.update({ where: { id: d.noticeId }, data: { updatedAt: at } });
    await recordStepEvent(tx, d, {
      type: 'AMENDMENT_DECIDED',
      actor: d.actor,
      data: { amendmentId: d.amendmentId, decision: 'REJECT' },
      tell: { type: 'AMENDMENT_DECIDED', countries: [notice.requestingCountry], reference: notice.reference },
    });
  });
}
