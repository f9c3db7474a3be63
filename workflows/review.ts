/**
 * A request's review: screening, reviewers' decisions (four eyes where screening flags it), the
 * requester's clarification, and the publication an approval leads to. Wired to Temporal's
 * handlers by notice.ts beside `PublishedDuties`; both act on the state `RequestLifecycle` keeps.
 * The order of activity calls here is what recorded histories replay against: change it only
 * behind `patched()` (see test/workflows/replay.test.ts).
 */
import { condition, patched } from '@temporalio/workflow';
import { approvalsRequired, statusAfterDecision } from '../domain/lifecycle';
import { isFinal, personOf } from '../domain/model';
import { CLARIFICATION_WINDOW_DAYS, days, expiryAfter, reminderAt } from '../domain/time';
import type { ActionInput, ActionResult, ClaimInput, ClarificationInput, DecisionInput } from './messages';
import type { RequestLifecycle } from './request-lifecycle';
import { steps, type NoticeState } from './state';

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
      if (!this.state.screened && this.state.status === 'SUBMITTED') await this.screen(this.request.ownStepId('screening'));
    });
  }

  /** Screens the content as it stands; `id` names the screening (see `screenIfSubmitted` and `clarify`). */
  private async screen(id: string | undefined): Promise<void> {
    const s = this.state;
    s.screened = false;
    const { flags } = await steps().screenNotice(this.request.step(Date.now(), id));
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
    const first = this.request.firstResult(d);
    if (first) return first;
    // Screening takes the lock too: wait for it before taking the lock, or an early decision deadlocks.
    await condition(() => s.screened || isFinal(s.status));
    return this.request.run(async () => {
      this.request.refuse('DECIDE', d.actor);
      const approvals = d.decision === 'APPROVE' ? [...s.approvals, personOf(d.actor)] : s.approvals;
      const required = approvalsRequired(s.flags);
      const next = statusAfterDecision(d.decision, approvals.length, required);
      const at = Date.now();
      const decision = {
        ...this.request.step(at, this.request.stepId(d)),
        ...d,
        status: next,
        approvals: approvals.length,
        approvalsRequired: required,
      };
      const publicationId = this.request.stepId(d, 'publication');
      // The decision's write releases the claim in the record; no command changes, so no patch.
      s.claim = undefined;
      if (next === 'PUBLISHED' && patched(PUBLISHING_DECISION_PATCH)) {
        const publication = this.publication(at, publicationId);
        s.approvals = approvals;
        this.published(publication, await steps().recordPublishingDecision({ decision, publication }));
        return this.request.result(d);
      }
      await steps().recordDecision(decision);
      const stillInReview = next === 'UNDER_REVIEW' || next === 'PUBLISHED';
      s.approvals = stillInReview ? approvals : [];
      s.status = next === 'PUBLISHED' ? 'UNDER_REVIEW' : next;
      if (next === 'CLARIFICATION_REQUESTED') s.clarificationDeadline = at + days(CLARIFICATION_WINDOW_DAYS, this.request.daySeconds);
      if (next === 'PUBLISHED') await this.publish(publicationId);
      return this.request.result(d);
    });
  }

  validateClaim(c: ClaimInput): void {
    this.request.admit('CLAIM', c, c.takeOver === true);
  }

  /** A reviewer takes the review (from another, when taking over): others may not decide it meanwhile. */
  claim(c: ClaimInput): Promise<ActionResult> {
    const first = this.request.firstResult(c);
    if (first) return Promise.resolve(first);
    return this.request.run(async () => {
      this.request.refuse('CLAIM', c.actor, c.takeOver === true);
      const userId = personOf(c.actor);
      const at = Date.now();
      const from = this.state.claim?.userId;
      await steps().recordClaim({ ...this.request.step(at, this.request.stepId(c)), actor: c.actor, from, reason: c.reason });
      this.state.claim = { userId, at };
      return this.request.result(c);
    });
  }

  validateRelease(r: ActionInput): void {
    this.request.admit('RELEASE', r);
  }

  release(r: ActionInput): Promise<ActionResult> {
    const first = this.request.firstResult(r);
    if (first) return Promise.resolve(first);
    return this.request.run(async () => {
      this.request.refuse('RELEASE', r.actor);
      await steps().recordRelease({ ...this.request.step(Date.now(), this.request.stepId(r)), actor: r.actor });
      this.state.claim = undefined;
      return this.request.result(r);
    });
  }

  validateClarification(c: ClarificationInput): void {
    this.request.admit('CLARIFY', c);
  }

  clarify(c: ClarificationInput): Promise<ActionResult> {
    const first = this.request.firstResult(c);
    if (first) return Promise.resolve(first);
    return this.request.run(async () => {
      this.request.refuse('CLARIFY', c.actor);
      const applied = await steps().applyClarification({ ...this.request.step(Date.now(), this.request.stepId(c)), ...c });
      Object.assign(this.state, { responseDays: applied.responseDays, urgency: applied.urgency ?? this.state.urgency });
      this.state.clarificationDeadline = undefined;
      await this.screen(this.request.stepId(c, 'screening'));
      return this.request.result(c);
    });
  }

  private async publish(id?: string): Promise<void> {
    const publication = this.publication(Date.now(), id);
    this.published(publication, await steps().publishNotice(publication));
  }

  /** The step that publishes at `at`, with the due date and expiry it fixes. */
  private publication(at: number, id?: string) {
    return {
      ...this.request.step(at, id),
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
