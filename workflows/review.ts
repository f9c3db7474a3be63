/**
 * A request's review: screening, reviewers' decisions (four eyes where screening flags it), the
 * requester's clarification, and the publication an approval leads to. Wired to Temporal's
 * handlers by notice.ts beside `PublishedDuties`; both act on the state `RequestLifecycle` keeps.
 * The order of activity calls here is what recorded histories replay against: change it only
 * behind `patched()` (see test/workflows/replay.test.ts).
 */
import { condition, patched } from '@temporalio/workflow';
import { approvalsRequired, statusAfterDecision } from '../domain/lifecycle';
import { isFinal } from '../domain/model';
import { CLARIFICATION_WINDOW_DAYS, days, expiryAfter, reminderAt } from '../domain/time';
import type { ActionResult, ClarificationInput, DecisionInput } from './messages';
import type { RequestLifecycle } from './request-lifecycle';
import { activities, type NoticeState } from './state';

/** An approval that publishes is written in one step; runs that decided before wrote it in two. */
export const PUBLISHING_DECISION_PATCH = 'publishing-decision-in-one-step';

export class RequestReview {
  constructor(private readonly request: RequestLifecycle) {}

  private get state() {
    return this.request.state;
  }

  /** Screens a request just submitted (an action delivered with the start may have ended it first). */
  async screenIfSubmitted(): Promise<void> {
    await this.request.run(async () => {
      if (!this.state.screened && this.state.status === 'SUBMITTED') await this.screen();
    });
  }

  private async screen(): Promise<void> {
    const s = this.state;
    s.screened = false;
    const { flags } = await activities.screenNotice(this.request.step());
    s.flags = flags;
    s.approvals = [];
    s.status = 'UNDER_REVIEW';
    s.screened = true;
  }

  /** A decision may arrive while screening runs: it is accepted and waits for the flags. */
  validateDecision(d: DecisionInput): void {
    this.request.admit('DECIDE', d);
  }

  async decide(d: DecisionInput): Promise<ActionResult> {
    const s = this.state;
    // Screening takes the lock too: wait for it before taking the lock, or an early decision deadlocks.
    await condition(() => s.screened || isFinal(s.status));
    return this.request.run(async () => {
      this.request.refuse('DECIDE', d.actor);
      const approvals = d.decision === 'APPROVE' ? [...s.approvals, d.actor.userId ?? d.actor.keyId] : s.approvals;
      const required = approvalsRequired(s.flags);
      const next = statusAfterDecision(d.decision, approvals.length, required);
      const at = Date.now();
      const decision = { ...this.request.step(at), ...d, status: next, approvals: approvals.length, approvalsRequired: required };
      if (next === 'PUBLISHED' && patched(PUBLISHING_DECISION_PATCH)) {
        const publication = this.publication(at);
        s.approvals = approvals;
        this.published(publication, await activities.recordPublishingDecision({ decision, publication }));
        return this.request.result();
      }
      await activities.recordDecision(decision);
      const stillInReview = next === 'UNDER_REVIEW' || next === 'PUBLISHED';
      s.approvals = stillInReview ? approvals : [];
      s.status = next === 'PUBLISHED' ? 'UNDER_REVIEW' : next;
      if (next === 'CLARIFICATION_REQUESTED') s.clarificationDeadline = at + days(CLARIFICATION_WINDOW_DAYS, this.request.daySeconds);
      if (next === 'PUBLISHED') await this.publish();
      return this.request.result();
    });
  }

  validateClarification(c: ClarificationInput): void {
    this.request.admit('CLARIFY', c);
  }

  clarify(c: ClarificationInput): Promise<ActionResult> {
    return this.request.run(async () => {
      this.request.refuse('CLARIFY', c.actor);
      const applied = await activities.applyClarification({ ...this.request.step(), ...c });
      Object.assign(this.state, { responseDays: applied.responseDays, urgency: applied.urgency ?? this.state.urgency });
      this.state.clarificationDeadline = undefined;
      await this.screen();
      return this.request.result();
    });
  }

  private async publish(): Promise<void> {
    const publication = this.publication(Date.now());
    this.published(publication, await activities.publishNotice(publication));
  }

  /** The step that publishes at `at`, with the due date and expiry it fixes. */
  private publication(at: number) {
    return {
      ...this.request.step(at),
      dueAt: at + days(this.state.responseDays, this.request.daySeconds),
      expiresAt: expiryAfter(at, this.request.daySeconds),
    };
  }

  private published(p: { at: number; dueAt: number; expiresAt: number }, recorded: { reference: string; recipients: string[] }): void {
    Object.assign(this.state, {
      status: 'PUBLISHED',
      reference: recorded.reference,
      dueAt: p.dueAt,
      reminderAt: reminderAt(p.at, p.dueAt),
      expiresAt: p.expiresAt,
      recipients: recorded.recipients,
      pendingFinal: [...recorded.recipients],
    } satisfies Partial<NoticeState>);
  }
}
