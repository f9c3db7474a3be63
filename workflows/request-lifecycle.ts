/**
 * One request's process state, its closing, and the clocks that drive it. The workflow function
 * (notice.ts) wires this class, `RequestReview` (screening, decisions, clarification, publication)
 * and `PublishedDuties` (what recipients, the CCF and renewal do to a published request) to
 * Temporal's handlers and runs the main loop.
 *
 * Timers are absolute epoch milliseconds in `NoticeState`, so a continued-as-new run picks them up
 * unchanged. The order of activity calls and timers here is what recorded histories replay against:
 * change it only behind `patched()` (see test/workflows/replay.test.ts).
 */
import { condition, patched, uuid4, workflowInfo } from '@temporalio/workflow';
import type { ActionName } from '../domain/actions';
import { refusalOf, whenRefusal } from '../domain/permissions';
import { actorRefusal } from '../domain/callers';
import { derivedId } from '../domain/ids';
import { approvalsRequired } from '../domain/lifecycle';
import { type Actor, type Status, isFinal, personOf } from '../domain/model';
import { CLARIFICATION_WINDOW_DAYS } from '../domain/time';
import { isUnsealed, type ActionInput, type ActionResult, type ClosureInput, type NoticeProgress } from './messages';
import { dueStep, markDone, nextDeadline, type ScheduleOptions } from './schedule';
import { callerOf, situationOf } from './standing';
import { SearchAttributesShown } from './search-attributes';
import {
  ActionLock,
  type ClosingEvent,
  DEFAULT_HISTORY_LIMIT,
  HANDLED_KEPT,
  refusedBy,
  initialState,
  steps,
  type NoticeState,
  type NoticeWorkflowInput,
} from './state';

/** A request closed while blocked waits for the CCF's decision; runs that closed so before ended at once. */
export const BLOCKING_OUTLIVES_CLOSING_PATCH = 'blocking-outlives-closing';

/** Requests asked to reassess six months before they expire; runs that started before keep their old timers. */
export const REASSESSMENT_PATCH = 'reassessment-six-months-before-expiry';

export class RequestLifecycle {
  readonly state: NoticeState;
  readonly noticeId: string;
  readonly daySeconds: number;
  private readonly historyLimit: number;
  /** Held by one state-changing action at a time (responses only wait for closing actions). */
  private readonly lock = new ActionLock();
  /** A closing action (withdrawal, cancellation, completion, expiry) is under way: no more responses. */
  closing = false;
  private responsesInFlight = 0;
  /** Counts changes to the clocks (a delay, a blocking, a renewal), so the main loop sets its timer anew. */
  private clockChanges = 0;
  readonly search = new SearchAttributesShown();

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

  /** Nothing is left for the workflow to do: the request is final and no blocking awaits the CCF's decision. */
  get isDone(): boolean {
    if (!this.isOver) return false;
    return this.state.blockedSince === undefined || !patched(BLOCKING_OUTLIVES_CLOSING_PATCH);
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
      ownDeadlines: Object.keys(s.ownDeadlines ?? {}),
      blocked: s.blockedSince !== undefined,
      renewalRequested: s.renewalRequested ?? false,
      expiresAt: s.expiresAt,
      historyLength: workflowInfo().historyLength,
    };
  }

  continuationInput(): NoticeWorkflowInput {
    return { ...this.input, state: this.state };
  }

  get shouldContinueAsNew(): boolean {
    return workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > this.historyLimit;
  }

  /** Runs `fn` holding the lock: one state-changing action at a time. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(fn);
  }

  /**
   * Marks an answer under way: answers from different recipients run side by side; only a closing
   * action waits for them. (Counted inline by the handler, not wrapped: an extra await would reorder
   * the commands that recorded histories replay.)
   */
  answerStarted(): void {
    this.responsesInFlight++;
  }

  answerEnded(): void {
    this.responsesInFlight--;
  }

  /**
   * The id and time of a step about to write: the id keeps a step run again from writing twice. It
   * is derived from the action's id (see `stepId`) or the deadline's; steps of actions recorded
   * before actions had ids draw a fresh one.
   */
  step(at = Date.now(), id?: string) {
    return { noticeId: this.noticeId, eventId: id ?? uuid4(), at };
  }

  /** The id of `action`'s step (`part` when it writes more than one), if the action has an id. */
  stepId(action: ActionInput, part?: string): string | undefined {
    if (!action.actionId) return undefined;
    return part ? derivedId(action.actionId, part) : action.actionId;
  }

  /** The id of a step a deadline or the workflow itself takes: the same each time it is run. */
  ownStepId(...parts: (string | number)[]): string {
    return derivedId(this.noticeId, ...parts);
  }

  /** The answer to `action` now that it has taken effect; remembered, so that a repeat of it gets the same. */
  result(action?: ActionInput): ActionResult {
    const result = { status: this.state.status };
    if (action?.actionId) {
      const handled = (this.state.handled ??= []);
      handled.push({ id: action.actionId, by: personOf(action.actor), result });
      if (handled.length > HANDLED_KEPT) handled.splice(0, handled.length - HANDLED_KEPT);
    }
    return result;
  }

  /**
   * The first answer to `action`, if its id was handled before (by this run or an earlier one):
   * repeats are the workflow's to judge, and a repeat is answered as the first attempt was,
   * whatever has happened since. The same id from another person is no repeat.
   */
  firstResult(action: ActionInput): ActionResult | undefined {
    if (!action.actionId) return undefined;
    const by = personOf(action.actor);
    return this.state.handled?.find((h) => h.id === action.actionId && h.by === by)?.result;
  }

  /**
   * An update's validator: the workflow trusts no caller. It refuses what was not encrypted by the
   * system, an actor the system cannot have made, and an action that is not this actor's or does
   * not fit now, by the same catalogue the services ask. Nothing refused here reaches the history.
   */
  admit(action: ActionName, input: ActionInput, takingOver = false): 'REPEAT' | 'NEW' {
    if (isUnsealed(input)) {
      throw refusedBy({ kind: 'FORBIDDEN', code: 'UNSEALED', message: "The action was not encrypted under the system's payload key" });
    }
    const unknown = actorRefusal(input.actor);
    if (unknown) throw refusedBy(unknown);
    // A repeat is answered with its first result, whatever the request's state is now.
    if (this.firstResult(input)) return 'REPEAT';
    const caller = { ...callerOf(this.state, input.actor), takingOver };
    const refused = refusalOf(action, caller, this.situation(input.actor));
    if (refused) throw refusedBy(refused);
    return 'NEW';
  }

  /** Refuses `action` when it no longer fits the request now that it has its turn (its state, a blocking, a renewal under way). */
  refuse(action: ActionName, actor: Actor, takingOver = false): void {
    const refused = whenRefusal(action, { ...callerOf(this.state, actor), takingOver }, this.situation(actor));
    if (refused) throw refusedBy(refused);
  }

  private situation(actor: Actor) {
    return situationOf(this.state, actor, { closing: this.closing, daySeconds: this.daySeconds });
  }

  clocksChanged(): void {
    this.clockChanges++;
  }

  // --- closing

  validateWithdrawal(w: ClosureInput): void {
    this.admit('WITHDRAW', w);
  }

  withdraw(w: ClosureInput): Promise<ActionResult> {
    const first = this.firstResult(w);
    if (first) return Promise.resolve(first);
    return this.run(async () => {
      this.refuse('WITHDRAW', w.actor);
      const notify = this.state.status === 'PUBLISHED' ? 'WITHDRAWN' : undefined;
      await this.close('WITHDRAWN', { reason: w.reason, actor: w.actor, notify }, this.stepId(w));
      return this.result(w);
    });
  }

  validateCancellation(c: ClosureInput): void {
    this.admit('CANCEL', c);
  }

  cancel(c: ClosureInput): Promise<ActionResult> {
    const first = this.firstResult(c);
    if (first) return Promise.resolve(first);
    return this.run(async () => {
      this.refuse('CANCEL', c.actor);
      await this.close('CANCELLED', { reason: c.reason, grounds: c.grounds, actor: c.actor, notify: 'CANCELLED' }, this.stepId(c));
      return this.result(c);
    });
  }

  /** Ends the request: once the answers under way are recorded, the record moves to `status`. */
  async close(status: Status, event: ClosingEvent, id: string = this.ownStepId(status)): Promise<void> {
    this.closing = true;
    try {
      await condition(() => this.responsesInFlight === 0);
      await steps().closeNotice({ ...this.step(Date.now(), id), status, ...event });
    } catch (failure) {
      // Refused by the record (an actor no user is): the request stays open to answers.
      this.closing = false;
      throw failure;
    }
    this.state.status = status;
  }

  // --- clocks

  private schedule(): ScheduleOptions {
    // Only a published request has an expiry to be reassessed before (and asking marks the history).
    return { daySeconds: this.daySeconds, reassessment: this.state.status === 'PUBLISHED' && patched(REASSESSMENT_PATCH) };
  }

  /** Waits until the state or its clocks change, every recipient has answered, history grows long, or the next deadline. */
  async waitForChangeOrDeadline(): Promise<void> {
    const s = this.state;
    const deadline = nextDeadline(s, this.schedule());
    this.search.update(s, deadline);
    const statusBefore = s.status;
    const clocksBefore = this.clockChanges;
    const wake = () =>
      s.status !== statusBefore ||
      this.clockChanges !== clocksBefore ||
      (s.status === 'PUBLISHED' && s.pendingFinal.length === 0 && !this.lock.held) ||
      this.shouldContinueAsNew;
    if (deadline === undefined) await condition(wake);
    else if (deadline > Date.now()) await condition(wake, deadline - Date.now());
  }

  /** Does what has come due: lapse, completion, expiry, OVERDUE, reminders or reassessment. */
  handleDue(): Promise<void> {
    return this.run(async () => {
      const now = Date.now();
      const schedule = this.schedule();
      const step = dueStep(this.state, now, schedule);
      if (!step) return;
      if (step.kind === 'LAPSE') return this.close('LAPSED', { reason: `No clarification within ${CLARIFICATION_WINDOW_DAYS} days` });
      if (step.kind === 'COMPLETE') return this.close('COMPLETED', {});
      // Recipients must delete an expired request: they are told (a step's input, not a new command).
      if (step.kind === 'EXPIRE') return this.close('EXPIRED', { notify: 'EXPIRED' });
      // The deadline that came due names the step: the same reminder sent again is the same step.
      const id = this.ownStepId(step.kind, nextDeadline(this.state, schedule) ?? now, ...(step.kind === 'REASSESS' ? [] : step.countries));
      if (step.kind === 'REASSESS') await steps().askReassessment({ ...this.step(now, id), expiresAt: this.state.expiresAt! });
      else if (step.countries.length && step.kind === 'OVERDUE')
        await steps().markOverdue({ ...this.step(now, id), countries: step.countries });
      else if (step.countries.length) await steps().sendReminders({ ...this.step(now, id), countries: step.countries });
      markDone(this.state, step);
    });
  }
}
