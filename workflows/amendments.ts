/**
 * An amendment's review, which the workflow owns as it owns the request's: the requester's
 * amendment is screened, then reviewers decide it (two different ones when screening flags it). An
 * approval applies it; a diffusion extended gains recipients that answer by a deadline of their own,
 * the request's answer window from the approval, and the request completes only once they answer.
 * One amendment is under review at a time.
 */
import { approvalsRequired } from '../domain/lifecycle';
import { personOf } from '../domain/model';
import { days } from '../domain/time';
import type { ActionResult, AmendmentDecisionInput, AmendmentInput } from './messages';
import type { RequestLifecycle } from './request-lifecycle';
import { delayDeadline } from './schedule';
import { refusedBy, steps } from './state';

export class AmendmentReview {
  constructor(private readonly request: RequestLifecycle) {}

  private get state() {
    return this.request.state;
  }

  validateAmendment(a: AmendmentInput): void {
    this.request.admit('AMEND', a);
  }

  amend(a: AmendmentInput): Promise<ActionResult> {
    const first = this.request.firstResult(a);
    if (first) return Promise.resolve(first);
    return this.request.run(async () => {
      this.request.refuse('AMEND', a.actor);
      // The amendment is known by its step's id: the action's, so a repeat finds it.
      const step = this.request.step(Date.now(), this.request.stepId(a));
      const { flags } = await steps().submitAmendment({ ...step, reason: a.reason, changes: a.changes, actor: a.actor });
      this.state.amendment = { id: step.eventId, flags, approvals: [] };
      return this.request.result(a);
    });
  }

  validateAmendmentDecision(d: AmendmentDecisionInput): void {
    if (this.request.admit('DECIDE_AMENDMENT', d) === 'REPEAT') return;
    this.named(d);
  }

  /** The decision must name the amendment under review (another, decided or unknown, has nothing to decide). */
  private named(d: AmendmentDecisionInput): void {
    if (this.state.amendment?.id !== d.amendmentId) {
      throw refusedBy({ kind: 'CONFLICT', code: 'NO_AMENDMENT_PENDING', message: 'This amendment does not await a decision' });
    }
  }

  decideAmendment(d: AmendmentDecisionInput): Promise<ActionResult> {
    const first = this.request.firstResult(d);
    if (first) return Promise.resolve(first);
    return this.request.run(async () => {
      this.request.refuse('DECIDE_AMENDMENT', d.actor);
      this.named(d);
      const s = this.state;
      const pending = s.amendment!;
      const at = Date.now();
      const step = this.request.step(at, this.request.stepId(d));
      const actor = { ...d.actor, userId: personOf(d.actor) };
      if (d.decision === 'REJECT') {
        await steps().rejectAmendment({ ...step, amendmentId: pending.id, reason: d.reason, actor });
        s.amendment = undefined;
        return this.request.result(d);
      }
      const approvals = [...pending.approvals, actor.userId];
      const required = approvalsRequired(pending.flags);
      const decision = {
        ...step,
        amendmentId: pending.id,
        reason: d.reason,
        actor,
        approvals: approvals.length,
        approvalsRequired: required,
      };
      if (approvals.length < required) {
        await steps().recordAmendmentApproval(decision);
        pending.approvals = approvals;
        return this.request.result(d);
      }
      const dueAt = at + days(s.responseDays, this.request.daySeconds);
      const { added } = await steps().applyAmendment({ ...decision, dueAt });
      for (const country of added.filter((c) => !s.recipients.includes(c))) {
        s.recipients = [...s.recipients, country];
        s.pendingFinal = [...s.pendingFinal, country];
        delayDeadline(s, country, dueAt, at);
      }
      s.amendment = undefined;
      this.request.clocksChanged();
      return this.request.result(d);
    });
  }
}
