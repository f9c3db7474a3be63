/**
 * A reviewer's claim on a request's review, as lists and views show it: who holds it and since
 * when, on the request's row. The workflow keeps the claim that rules; these writes follow it,
 * each under its step's id, so a step run again writes nothing twice.
 */
import type { Actor } from '../domain/model';
import { recordStepEvent, stepWritten, type Step } from './audit';
import { inTransaction, type Db, type Prisma } from './db';

const IN_REVIEW: Prisma.EnumNoticeStatusFilter = { in: ['SUBMITTED', 'UNDER_REVIEW'] };

/**
 * `actor` holds the claim from `at`. Taken from another reviewer (`from`), the take-over is kept
 * with its reason, and the event names the reviewer who lost the claim: that is how the request's
 * trail tells them (the reason, free text, stays out of the trail).
 */
export function recordClaim(db: Db, c: Step & { actor: Actor; from?: string; reason?: string }): Promise<void> {
  return inTransaction(db, async (tx) => {
    if (await stepWritten(tx, c)) return;
    const at = new Date(c.at);
    const userId = c.actor.userId!;
    const { count } = await tx.notice.updateMany({
      where: { id: c.noticeId, status: IN_REVIEW },
      data: { claimedByUserId: userId, claimedAt: at },
    });
    if (count === 0) return;
    if (c.from && c.from !== userId) {
      await tx.claimTakeOver.create({
        data: { id: c.eventId, noticeId: c.noticeId, fromUserId: c.from, toUserId: userId, reason: c.reason ?? '', at },
      });
      await recordStepEvent(tx, c, { type: 'CLAIM_TAKEN_OVER', actor: c.actor, data: { from: c.from } });
    } else {
      await recordStepEvent(tx, c, { type: 'CLAIMED', actor: c.actor, data: {} });
    }
  });
}

/** The claim is given up: nobody holds it. */
export function recordRelease(db: Db, r: Step & { actor: Actor }): Promise<void> {
  return inTransaction(db, async (tx) => {
    if (await stepWritten(tx, r)) return;
    await tx.notice.updateMany({ where: { id: r.noticeId }, data: { claimedByUserId: null, claimedAt: null } });
    await recordStepEvent(tx, r, { type: 'CLAIM_RELEASED', actor: r.actor, data: {} });
  });
}

/** What a decision writes on the request's row beside its state: nobody holds the review then. */
export const CLAIM_RELEASED = { claimedByUserId: null, claimedAt: null } as const;
