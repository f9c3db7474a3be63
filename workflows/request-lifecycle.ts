/**
 * One request's process state and what each action and timer does to it. The workflow function
 * (notice.ts) wires this class to Temporal's handlers and runs its main loop.
 *
 * Timers are absolute epoch milliseconds in `NoticeState`, so a continued-as-new run picks them up
 * unchanged. The order of activity calls and timers here is what recorded histories replay against:
 * change it only behind `patched()` (see test/workflows/replay.test.ts).
 */
import { condition, uuid4, workflowInfo } from '@temporalio/workflow';
import { approvalRefusal, approvalsRequired, refusal, statusAfterDecision, type Action } from '../domain/lifecycle';
import { type Actor, type Status, isFinal } from '../domain/model';
import { CLARIFICATION_WINDOW_DAYS, days, expiryAfter, reminderAt } from '../domain/time';
import type { ActionResult, ClarificationInput, ClosureInput, DecisionInput, NoticeProgress, ResponseInput } from './messages';
import {
  ActionLock,
  activities,
  conflict,
  DEFAULT_HISTORY_LIMIT,
  forbidden,
  initialState,
  type NoticeState,
  type NoticeWorkflowInput,
} from './state';

export class RequestLifecycle {
  readonly state: NoticeState;
  private readonly noticeId: string;
  private readonly daySeconds: number;
  private readonly historyLimit: number;
  /** Held by one state-changing action at a time (responses only wait for closing actions). */
  private readonly lock = new ActionLock();
  /** A closing action (withdrawal, cancellation, completion, expiry) is under way: no more responses. */
  private closing = false;
  private responsesInFlight = 0;

  constructor(private readonly input: NoticeWorkflowInput) {
    this.noticeId = input.noticeId;
    this.daySeconds = input.daySeconds;
    this.historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    this.state = input.state ?? initialState(input);
  }

  get status(): Status {
    return this.state.status;
  }

  get isOver(): boolean {
    return isFinal(this.state.status);
  }

  /** Nothing is being changed right now: a safe moment to continue as new. */
  get idle(): boolean {
    return !this.lock.held;
  }

  progress(): NoticeProgress {
    const s = this.state;
    return {
      status: s.status,
      flags: s.flags,
      approvals: s.approvals,
      approvalsRequired: approvalsRequired(s.flags),
      reference: s.reference,
      pendingFinal: s.pendingFinal,
      historyLength: workflowInfo().historyLength,
    };
  }

  continuationInput(): NoticeWorkflowInput {
    return { ...this.input, state: this.state };
  }

  get shouldContinueAsNew(): boolean {
    return workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > this.historyLimit;
  }

  private exclusively<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(fn);
  }

  /** The id and time of a step about to write: the id keeps a retried activity from writing twice. */
  private step(at = Date.now()) {
    return { noticeId: this.noticeId, eventId: uuid4(), at };
  }

  private result(): ActionResult {
    return { status: this.state.status };
  }

  private refuse(action: Action): void {
    const reason = refusal(action, this.state.status);
    if (reason) throw conflict(reason);
  }

  // --- screening

  /** Screens a request just submitted (an action delivered with the start may have ended it first). */
  async screenIfSubmitted(): Promise<void> {
    await this.exclusively(async () => {
      if (!this.state.screened && this.state.status === 'SUBMITTED') await this.screen();
    });
  }

  private async screen(): Promise<void> {
    const s = this.state;
    s.screened = false;
    const { flags } = await activities.screenNotice(this.step());
    s.flags = flags;
    s.approvals = [];
    s.status = 'UNDER_REVIEW';
    s.screened = true;
  }

  // --- review

  /** A decision may arrive while screening runs: it is accepted and waits for the flags. */
  validateDecision(d: DecisionInput): void {
    if (this.state.status !== 'SUBMITTED') this.refuse('DECIDE');
    const again = d.decision === 'APPROVE' ? approvalRefusal(this.state.approvals, d.actor.userId ?? d.actor.keyId) : undefined;
    if (again) throw conflict(again);
  }

  async decide(d: DecisionInput): Promise<ActionResult> {
    const s = this.state;
    // Screening takes the lock too: wait for it before taking the lock, or an early decision deadlocks.
    await condition(() => s.screened || isFinal(s.status));
    return this.exclusively(async () => {
      this.refuse('DECIDE');
      const again = d.decision === 'APPROVE' ? approvalRefusal(s.approvals, d.actor.userId ?? d.actor.keyId) : undefined;
      if (again) throw conflict(again);
      const approvals = d.decision === 'APPROVE' ? [...s.approvals, d.actor.userId ?? d.actor.keyId] : s.approvals;
      const required = approvalsRequired(s.flags);
      const next = statusAfterDecision(d.decision, approvals.length, required);
      const at = Date.now();
      await activities.recordDecision({ ...this.step(at), ...d, status: next, approvals: approvals.length, approvalsRequired: required });
      const stillInReview = next === 'UNDER_REVIEW' || next === 'PUBLISHED';
      s.approvals = stillInReview ? approvals : [];
      s.status = next === 'PUBLISHED' ? 'UNDER_REVIEW' : next;
      if (next === 'CLARIFICATION_REQUESTED') s.clarificationDeadline = at + days(CLARIFICATION_WINDOW_DAYS, this.daySeconds);
      if (next === 'PUBLISHED') await this.publish();
      return this.result();
    });
  }

  validateClarification(c: ClarificationInput): void {
    if (c.actor.country !== this.state.requestingCountry) throw forbidden('Only the requesting NCB can answer');
    this.refuse('CLARIFY');
  }

  clarify(c: ClarificationInput): Promise<ActionResult> {
    return this.exclusively(async () => {
      this.refuse('CLARIFY');
      const applied = await activities.applyClarification({ ...this.step(), ...c });
      this.state.responseDays = applied.responseDays;
      this.state.clarificationDeadline = undefined;
      await this.screen();
      return this.result();
    });
  }

  private async publish(): Promise<void> {
    const at = Date.now();
    const dueAt = at + days(this.state.responseDays, this.daySeconds);
    const expiresAt = expiryAfter(at, this.daySeconds);
    const published = await activities.publishNotice({ ...this.step(at), dueAt, expiresAt });
    Object.assign(this.state, {
      status: 'PUBLISHED',
      reference: published.reference,
      dueAt,
      reminderAt: reminderAt(at, dueAt),
      expiresAt,
      recipients: published.recipients,
      pendingFinal: [...published.recipients],
    } satisfies Partial<NoticeState>);
  }

  // --- closing

  private refuseClosing(action: 'WITHDRAW' | 'CANCEL'): void {
    this.refuse(action);
    if (this.closing) throw conflict(`The request is already being closed`);
  }

  validateWithdrawal(_w: ClosureInput): void {
    this.refuseClosing('WITHDRAW');
  }

  withdraw(w: ClosureInput): Promise<ActionResult> {
    return this.exclusively(async () => {
      this.refuseClosing('WITHDRAW');
      await this.close('WITHDRAWN', {
        reason: w.reason,
        actor: w.actor,
        notify: this.state.status === 'PUBLISHED' ? 'WITHDRAWN' : undefined,
      });
      return this.result();
    });
  }

  validateCancellation(_c: ClosureInput): void {
    this.refuseClosing('CANCEL');
  }

  cancel(c: ClosureInput): Promise<ActionResult> {
    return this.exclusively(async () => {
      this.refuseClosing('CANCEL');
      await this.close('CANCELLED', { reason: c.reason, grounds: c.grounds, actor: c.actor, notify: 'CANCELLED' });
      return this.result();
    });
  }

  private async close(
    status: Status,
    event: { reason?: string; grounds?: string[]; actor?: Actor; notify?: 'WITHDRAWN' | 'CANCELLED' },
  ): Promise<void> {
    this.closing = true;
    await condition(() => this.responsesInFlight === 0);
    await activities.closeNotice({ ...this.step(), status, ...event });
    this.state.status = status;
  }

  // --- responses

  validateResponse(r: ResponseInput): void {
    this.refuse('RESPOND');
    if (this.closing) throw conflict('The request is being closed: no more responses');
    if (!this.state.recipients.includes(r.country)) throw forbidden('Only a recipient can respond');
  }

  /** Responses from different recipients run side by side; only a closing action waits for them. */
  async respond(r: ResponseInput): Promise<ActionResult> {
    this.validateResponse(r);
    this.responsesInFlight++;
    try {
      const at = Date.now();
      await activities.recordResponse({ ...r, ...this.step(at), late: this.state.dueAt !== undefined && at > this.state.dueAt });
      if (r.final) this.state.pendingFinal = this.state.pendingFinal.filter((c) => c !== r.country);
    } finally {
      this.responsesInFlight--;
    }
    return this.result();
  }

  // --- timers

  /** The next moment the current state waits for, if any. */
  nextDeadline(): number | undefined {
    const s = this.state;
    if (s.status === 'CLARIFICATION_REQUESTED') return s.clarificationDeadline;
    if (s.status !== 'PUBLISHED') return undefined;
    if (!s.reminderSent && s.reminderAt !== undefined) return s.reminderAt;
    if (!s.overdueMarked && s.dueAt !== undefined) return s.dueAt;
    return s.expiresAt;
  }

  /** Waits until the state changes, every recipient has answered, history grows long, or the next deadline. */
  async waitForChangeOrDeadline(): Promise<void> {
    const s = this.state;
    const deadline = this.nextDeadline();
    const statusBefore = s.status;
    const wake = () =>
      s.status !== statusBefore || (s.status === 'PUBLISHED' && s.pendingFinal.length === 0 && !this.lock.held) || this.shouldContinueAsNew;
    if (deadline === undefined) await condition(wake);
    else if (deadline > Date.now()) await condition(wake, deadline - Date.now());
  }

  /** Does what has come due: lapse, completion, expiry, OVERDUE or reminders. */
  handleDue(): Promise<void> {
    return this.exclusively(async () => {
      const s = this.state;
      const now = Date.now();
      if (s.status === 'CLARIFICATION_REQUESTED' && s.clarificationDeadline !== undefined && now >= s.clarificationDeadline) {
        await this.close('LAPSED', { reason: `No clarification within ${CLARIFICATION_WINDOW_DAYS} days` });
      } else if (s.status === 'PUBLISHED') {
        if (s.pendingFinal.length === 0) {
          await this.close('COMPLETED', {});
        } else if (s.expiresAt !== undefined && now >= s.expiresAt) {
          await this.close('EXPIRED', {});
        } else if (!s.overdueMarked && s.dueAt !== undefined && now >= s.dueAt) {
          await activities.markOverdue({ ...this.step(now), countries: s.pendingFinal });
          s.overdueMarked = true;
          s.reminderSent = true;
        } else if (!s.reminderSent && s.reminderAt !== undefined && now >= s.reminderAt) {
          await activities.sendReminders({ ...this.step(now), countries: s.pendingFinal });
          s.reminderSent = true;
        }
      }
    });
  }
}
