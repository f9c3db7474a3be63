/**
 * The writes of what happens to a published request besides its answers: acknowledgements and
 * delays by recipients, blockings by the CCF and their decisions, renewals and the reassessment
 * reminder. Ids come from the workflow; a retried step finds its earlier row and writes nothing twice.
 */
import type { Actor, BlockingOutcome, RenewalDecision } from '../domain/model';
import { recordStepEvent, type Step } from './audit';
import type { Db, Tx } from './db';
import { inTransaction } from './db';

const recipientsOf = async (tx: Tx, noticeId: string) =>
  (await tx.recipient.findMany({ where: { noticeId }, select: { country: true } })).map((r) => r.country);
const noticeOf = (tx: Tx, id: string) =>
  tx.notice.findUniqueOrThrow({ where: { id }, select: { reference: true, requestingCountry: true } });

export async function recordAcknowledgement(db: Db, a: Step & { country: string; expectedBy?: number; actor: Actor }): Promise<void> {
  const at = new Date(a.at);
  await inTransaction(db, async (tx) => {
    const where = { noticeId_country: { noticeId: a.noticeId, country: a.country } };
    const row = await tx.recipient.findUniqueOrThrow({ where });
    await tx.recipient.update({
      where,
      data: {
        acknowledgedAt: row.acknowledgedAt ?? at,
        ...(a.expectedBy !== undefined ? { expectedBy: new Date(a.expectedBy) } : {}),
        // Acknowledging changes nothing for a recipient already late, delayed or answering.
        ...(row.status === 'PENDING' ? { status: 'ACKNOWLEDGED' } : {}),
      },
    });
    await recordStepEvent(tx, a, {
      type: 'ACKNOWLEDGED',
      actor: a.actor,
      data: { country: a.country, expectedBy: a.expectedBy !== undefined ? new Date(a.expectedBy).toISOString() : null },
    });
  });
}

/** The recipient's deadline moves; the requester is told, with the recipient's reason. */
export async function recordDelay(db: Db, d: Step & { country: string; reason: string; expectedBy: number; actor: Actor }): Promise<void> {
  const at = new Date(d.at);
  await inTransaction(db, async (tx) => {
    const notice = await noticeOf(tx, d.noticeId);
    const expectedBy = new Date(d.expectedBy);
    await tx.recipient.update({
      where: { noticeId_country: { noticeId: d.noticeId, country: d.country } },
      data: { status: 'DELAYED', dueAt: expectedBy, expectedBy, delayedAt: at, delayReason: d.reason },
    });
    await recordStepEvent(tx, d, {
      type: 'DELAYED',
      actor: d.actor,
      data: { country: d.country, expectedBy: expectedBy.toISOString() },
      tell: { type: 'DELAY', countries: [notice.requestingCountry], reference: notice.reference, detail: `${d.country}: ${d.reason}` },
    });
  });
}

export async function recordBlocking(db: Db, b: Step & { reason: string; decisionDueAt: number; actor: Actor }): Promise<void> {
  const at = new Date(b.at);
  await inTransaction(db, async (tx) => {
    if (await tx.blocking.findUnique({ where: { id: b.eventId }, select: { id: true } })) return;
    const notice = await noticeOf(tx, b.noticeId);
    const decisionDueAt = new Date(b.decisionDueAt);
    await tx.blocking.create({
      data: { id: b.eventId, noticeId: b.noticeId, since: at, reason: b.reason, decisionDueAt, blockedByKeyId: b.actor.keyId },
    });
    await tx.notice.update({ where: { id: b.noticeId }, data: { updatedAt: at } });
    await recordStepEvent(tx, b, {
      type: 'BLOCKED',
      actor: b.actor,
      // The complaint and the decision's reason stay in the audit trail: the CCF's own record of what it did.
      data: { decisionDueAt: decisionDueAt.toISOString(), reason: b.reason },
      tell: { type: 'BLOCKED', countries: await recipientsOf(tx, b.noticeId), reference: notice.reference },
    });
  });
}

/**
 * The CCF's decision on the open blocking. DISMISSED: every recipient deadline that had not passed
 * when the clocks stopped moves on by `stoodFor` ms, and recipients are told. (UPHELD cancels the
 * request: the closing step that follows tells them.)
 */
export async function recordBlockingDecision(
  db: Db,
  d: Step & { outcome: BlockingOutcome; reason: string; blockedSince: number; stoodFor: number; actor: Actor },
): Promise<void> {
  const at = new Date(d.at);
  await inTransaction(db, async (tx) => {
    const { count } = await tx.blocking.updateMany({
      where: { noticeId: d.noticeId, decidedAt: null },
      data: { decidedAt: at, outcome: d.outcome, decisionReason: d.reason },
    });
    if (count === 0) return;
    const notice = await noticeOf(tx, d.noticeId);
    if (d.outcome === 'DISMISSED') {
      await tx.$executeRaw`
        UPDATE "Recipient" SET "dueAt" = "dueAt" + ${d.stoodFor} * interval '1 millisecond'
        WHERE "noticeId" = ${d.noticeId}::uuid AND NOT "final" AND "dueAt" > ${new Date(d.blockedSince)}`;
    }
    await tx.notice.update({ where: { id: d.noticeId }, data: { updatedAt: at } });
    await recordStepEvent(tx, d, {
      type: 'BLOCKING_DECIDED',
      actor: d.actor,
      data: { outcome: d.outcome, reason: d.reason, blockedForMs: d.stoodFor },
      tell:
        d.outcome === 'DISMISSED'
          ? { type: 'UNBLOCKED', countries: await recipientsOf(tx, d.noticeId), reference: notice.reference }
          : undefined,
    });
  });
}

export async function recordRenewalRequest(db: Db, r: Step & { reason: string; actor: Actor }): Promise<void> {
  const at = new Date(r.at);
  await inTransaction(db, async (tx) => {
    if (await tx.renewal.findUnique({ where: { id: r.eventId }, select: { id: true } })) return;
    await tx.renewal.create({
      data: { id: r.eventId, noticeId: r.noticeId, requestedAt: at, reason: r.reason, requestedByKeyId: r.actor.keyId },
    });
    await tx.notice.update({ where: { id: r.noticeId }, data: { updatedAt: at } });
    await recordStepEvent(tx, r, { type: 'RENEWAL_REQUESTED', actor: r.actor, data: {} });
  });
}

/** A reviewer's decision on the renewal asked for; APPROVE sets the new expiry and tells recipients. */
export async function recordRenewalDecision(
  db: Db,
  d: Step & { decision: RenewalDecision; reason: string; expiresAt?: number; actor: Actor },
): Promise<void> {
  const at = new Date(d.at);
  await inTransaction(db, async (tx) => {
    const expiresAt = d.expiresAt !== undefined ? new Date(d.expiresAt) : null;
    const { count } = await tx.renewal.updateMany({
      where: { noticeId: d.noticeId, decidedAt: null },
      data: { decidedAt: at, decision: d.decision, decisionReason: d.reason, expiresAt },
    });
    if (count === 0) return;
    const notice = await noticeOf(tx, d.noticeId);
    await tx.notice.update({ where: { id: d.noticeId }, data: { updatedAt: at, ...(expiresAt ? { expiresAt } : {}) } });
    await recordStepEvent(tx, d, {
      type: 'RENEWAL_DECIDED',
      actor: d.actor,
      data: { decision: d.decision, expiresAt: expiresAt?.toISOString() ?? null },
      tell: expiresAt ? { type: 'RENEWED', countries: await recipientsOf(tx, d.noticeId), reference: notice.reference } : undefined,
    });
  });
}

/** Six months before expiry, the requester is asked whether the request should be kept. */
export async function recordReassessmentDue(db: Db, r: Step & { expiresAt: number }): Promise<void> {
  await inTransaction(db, async (tx) => {
    const notice = await noticeOf(tx, r.noticeId);
    await recordStepEvent(tx, r, {
      type: 'REASSESSMENT_DUE',
      data: { expiresAt: new Date(r.expiresAt).toISOString() },
      tell: { type: 'REASSESSMENT_DUE', countries: [notice.requestingCountry], reference: notice.reference },
    });
  });
}
