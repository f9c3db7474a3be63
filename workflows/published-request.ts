/**
 * What happens to a published request besides its review: recipients answer, acknowledge it or put
 * their deadline back; the CCF blocks it while it examines a complaint and decides; the requester
 * asks for a renewal in its last six months and a reviewer decides.
 */
import { patched } from '@temporalio/workflow';
import { delayProblems, expectedByProblems } from '../domain/deadlines';
import { calendarAfter, BLOCKING_DECISION_MONTHS, VALIDITY_YEARS } from '../domain/time';
import type {
  AcknowledgementInput,
  ActionInput,
  ActionResult,
  BlockingDecisionInput,
  BlockingInput,
  DelayInput,
  RenewalDecisionInput,
  RenewalInput,
  ResponseInput,
} from './messages';
import type { RequestLifecycle } from './request-lifecycle';
import { delayDeadline, dueOf, resumeClocks } from './schedule';
import { invalid, refusedBy, steps } from './state';

/** Answers taken while an earlier one is being written go together in the next write; runs before it write each alone. */
export const ANSWERS_TOGETHER_PATCH = 'answers-written-together';

type RecordedAnswer = Parameters<ReturnType<typeof steps>['recordResponses']>[0][number];

/**
 * Writes answers to the record, several to one activity when they come together: while one write
 * is under way, answers that arrive wait and then go in one. With many recipients answering at
 * once, one activity and one transaction carry several answers; a lone answer waits for nothing.
 */
class AnswerWriter {
  private waiting: { answer: RecordedAnswer; settle: (failure?: unknown) => void }[] = [];
  private writing = false;

  write(answer: RecordedAnswer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ answer, settle: (failure) => (failure === undefined ? resolve() : reject(failure)) });
      if (this.writing) return;
      this.writing = true;
      // After the handlers of answers delivered with this one have run, so that they join it.
      void Promise.resolve().then(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      try {
        await steps().recordResponses(batch.map((b) => b.answer));
        for (const b of batch) b.settle();
      } catch (failure) {
        for (const b of batch) b.settle(failure);
      }
    }
    this.writing = false;
  }
}

export class PublishedDuties {
  private readonly answers = new AnswerWriter();

  constructor(private readonly request: RequestLifecycle) {}

  private get state() {
    return this.request.state;
  }

  /** A recipient's action, for its own country only, validated as any action. */
  private admitRecipient(action: 'RESPOND' | 'ACKNOWLEDGE' | 'DELAY', input: ActionInput & { country: string }): 'REPEAT' | 'NEW' {
    // Admitted first: an input sent without the payload key has no actor to compare.
    const verdict = this.request.admit(action, input);
    if (input.country !== input.actor.country) {
      throw refusedBy({ kind: 'FORBIDDEN', code: 'NOT_RECIPIENT', message: 'A recipient answers for its own country only' });
    }
    return verdict;
  }

  // --- recipients

  validateResponse(r: ResponseInput): void {
    this.admitRecipient('RESPOND', r);
  }

  async respond(r: ResponseInput): Promise<ActionResult> {
    const first = this.request.firstResult(r);
    if (first) return first;
    this.request.refuse('RESPOND', r.actor);
    this.request.answerStarted();
    try {
      const at = Date.now();
      const due = dueOf(this.state, r.country);
      const answer = { ...r, ...this.request.step(at, this.request.stepId(r)), late: due !== undefined && at > due };
      if (patched(ANSWERS_TOGETHER_PATCH)) await this.answers.write(answer);
      else await steps().recordResponse(answer);
      if (r.final) this.state.pendingFinal = this.state.pendingFinal.filter((c) => c !== r.country);
    } finally {
      this.request.answerEnded();
    }
    return this.request.result(r);
  }

  validateAcknowledgement(a: AcknowledgementInput): void {
    if (this.admitRecipient('ACKNOWLEDGE', a) === 'REPEAT') return;
    const problems = expectedByProblems(a.expectedBy, Date.now(), dueOf(this.state, a.country));
    if (problems.length) throw invalid(problems);
  }

  async acknowledge(a: AcknowledgementInput): Promise<ActionResult> {
    const first = this.request.firstResult(a);
    if (first) return first;
    this.request.refuse('ACKNOWLEDGE', a.actor);
    this.request.answerStarted();
    try {
      await steps().recordAcknowledgement({ ...this.request.step(Date.now(), this.request.stepId(a)), ...a });
    } finally {
      this.request.answerEnded();
    }
    return this.request.result(a);
  }

  validateDelay(d: DelayInput): void {
    if (this.admitRecipient('DELAY', d) === 'REPEAT') return;
    const problems = delayProblems(dueOf(this.state, d.country) ?? 0, d.expectedBy, Date.now(), this.request.daySeconds);
    if (problems.length) throw invalid(problems);
  }

  /** The recipient's deadline moves to the date it gave; its reminder and OVERDUE follow it. */
  delay(d: DelayInput): Promise<ActionResult> {
    const first = this.request.firstResult(d);
    if (first) return Promise.resolve(first);
    return this.request.run(async () => {
      this.request.refuse('DELAY', d.actor);
      const problems = delayProblems(dueOf(this.state, d.country) ?? 0, d.expectedBy, Date.now(), this.request.daySeconds);
      if (problems.length) throw invalid(problems);
      const at = Date.now();
      await steps().recordDelay({ ...this.request.step(at, this.request.stepId(d)), ...d });
      delayDeadline(this.state, d.country, d.expectedBy, at);
      this.request.clocksChanged();
      return this.request.result(d);
    });
  }

  // --- the CCF

  validateBlocking(b: BlockingInput): void {
    this.request.admit('BLOCK', b);
  }

  /** Every clock of the request stops and recipients can no longer act on it. */
  block(b: BlockingInput): Promise<ActionResult> {
    const first = this.request.firstResult(b);
    if (first) return Promise.resolve(first);
    return this.request.run(async () => {
      this.request.refuse('BLOCK', b.actor);
      const at = Date.now();
      const decisionDueAt = calendarAfter(at, { months: BLOCKING_DECISION_MONTHS }, this.request.daySeconds);
      await steps().recordBlocking({ ...this.request.step(at, this.request.stepId(b)), ...b, decisionDueAt });
      this.state.blockedSince = at;
      this.request.clocksChanged();
      return this.request.result(b);
    });
  }

  validateBlockingDecision(d: BlockingDecisionInput): void {
    this.request.admit('DECIDE_BLOCKING', d);
  }

  /**
   * UPHELD cancels the request; DISMISSED lifts the blocking and moves every open deadline on by the
   * time it lasted. A request withdrawn or cancelled while blocked keeps its blocking open for this
   * decision, which then changes nothing but the blocking.
   */
  decideBlocking(d: BlockingDecisionInput): Promise<ActionResult> {
    const first = this.request.firstResult(d);
    if (first) return Promise.resolve(first);
    return this.request.run(async () => {
      this.request.refuse('DECIDE_BLOCKING', d.actor);
      const at = Date.now();
      const closedBefore = this.request.isOver;
      const stoodFor = d.outcome === 'DISMISSED' && !closedBefore ? at - this.state.blockedSince! : 0;
      await steps().recordBlockingDecision({
        ...this.request.step(at, this.request.stepId(d)),
        ...d,
        blockedSince: this.state.blockedSince!,
        stoodFor,
      });
      if (closedBefore) {
        this.state.blockedSince = undefined;
        this.request.clocksChanged();
      } else if (d.outcome === 'UPHELD') {
        await this.request.close('CANCELLED', { reason: d.reason, actor: d.actor, notify: 'CANCELLED' }, this.request.stepId(d, 'closing'));
        this.state.blockedSince = undefined;
      } else {
        resumeClocks(this.state, at);
        this.request.clocksChanged();
      }
      return this.request.result(d);
    });
  }

  // --- renewal

  validateRenewal(r: RenewalInput): void {
    this.request.admit('REQUEST_RENEWAL', r);
  }

  requestRenewal(r: RenewalInput): Promise<ActionResult> {
    const first = this.request.firstResult(r);
    if (first) return Promise.resolve(first);
    return this.request.run(async () => {
      this.request.refuse('REQUEST_RENEWAL', r.actor);
      await steps().recordRenewalRequest({ ...this.request.step(Date.now(), this.request.stepId(r)), ...r });
      this.state.renewalRequested = true;
      return this.request.result(r);
    });
  }

  validateRenewalDecision(d: RenewalDecisionInput): void {
    this.request.admit('DECIDE_RENEWAL', d);
  }

  /** APPROVE moves the expiry five years on (and its reassessment with it); REJECT leaves it to expire. */
  decideRenewal(d: RenewalDecisionInput): Promise<ActionResult> {
    const first = this.request.firstResult(d);
    if (first) return Promise.resolve(first);
    return this.request.run(async () => {
      this.request.refuse('DECIDE_RENEWAL', d.actor);
      const expiresAt =
        d.decision === 'APPROVE' ? calendarAfter(this.state.expiresAt!, { years: VALIDITY_YEARS }, this.request.daySeconds) : undefined;
      await steps().recordRenewalDecision({ ...this.request.step(Date.now(), this.request.stepId(d)), ...d, expiresAt });
      this.state.renewalRequested = false;
      if (expiresAt !== undefined) {
        this.state.expiresAt = expiresAt;
        this.state.reassessmentSent = false;
        this.request.clocksChanged();
      }
      return this.request.result(d);
    });
  }
}
