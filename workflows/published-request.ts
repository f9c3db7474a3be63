/**
 * What happens to a published request besides its review: recipients answer, acknowledge it or put
 * their deadline back; the CCF blocks it while it examines a complaint and decides; the requester
 * asks for a renewal in its last six months and a reviewer decides.
 */
import { patched } from '@temporalio/workflow';
import { delayProblems, expectedByProblems } from '../domain/deadlines';
import { recipientRefusal } from '../domain/lifecycle';
import { calendarAfter, BLOCKING_DECISION_MONTHS, VALIDITY_YEARS } from '../domain/time';
import type {
  AcknowledgementInput,
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
import { activities, conflict, forbidden, invalid } from './state';

/** Answers taken while an earlier one is being written go together in the next write; runs before it write each alone. */
export const ANSWERS_TOGETHER_PATCH = 'answers-written-together';

type RecordedAnswer = Parameters<typeof activities.recordResponses>[0][number];

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
        await activities.recordResponses(batch.map((b) => b.answer));
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

  /** The caller answers for `country`, a recipient that may act on the request now. */
  private recipientMayAct(action: 'RESPOND' | 'ACKNOWLEDGE' | 'DELAY', country: string): void {
    this.request.refuse(action);
    if (this.request.closing) throw conflict('The request is being closed: no more answers');
    if (!this.state.recipients.includes(country)) throw forbidden('Only a recipient can do this');
    if (action !== 'RESPOND') {
      const refused = recipientRefusal(action, !this.state.pendingFinal.includes(country));
      if (refused) throw conflict(refused);
    }
  }

  // --- recipients

  validateResponse(r: ResponseInput): void {
    this.recipientMayAct('RESPOND', r.country);
  }

  async respond(r: ResponseInput): Promise<ActionResult> {
    this.validateResponse(r);
    this.request.answerStarted();
    try {
      const at = Date.now();
      const due = dueOf(this.state, r.country);
      const answer = { ...r, ...this.request.step(at), late: due !== undefined && at > due };
      if (patched(ANSWERS_TOGETHER_PATCH)) await this.answers.write(answer);
      else await activities.recordResponse(answer);
      if (r.final) this.state.pendingFinal = this.state.pendingFinal.filter((c) => c !== r.country);
    } finally {
      this.request.answerEnded();
    }
    return this.request.result();
  }

  validateAcknowledgement(a: AcknowledgementInput): void {
    this.recipientMayAct('ACKNOWLEDGE', a.country);
    const problems = expectedByProblems(a.expectedBy, Date.now());
    if (problems.length) throw invalid(problems);
  }

  async acknowledge(a: AcknowledgementInput): Promise<ActionResult> {
    this.validateAcknowledgement(a);
    this.request.answerStarted();
    try {
      await activities.recordAcknowledgement({ ...this.request.step(), ...a });
    } finally {
      this.request.answerEnded();
    }
    return this.request.result();
  }

  validateDelay(d: DelayInput): void {
    this.recipientMayAct('DELAY', d.country);
    const problems = delayProblems(dueOf(this.state, d.country) ?? 0, d.expectedBy, Date.now(), this.request.daySeconds);
    if (problems.length) throw invalid(problems);
  }

  /** The recipient's deadline moves to the date it gave; its reminder and OVERDUE follow it. */
  delay(d: DelayInput): Promise<ActionResult> {
    return this.request.run(async () => {
      this.validateDelay(d);
      const at = Date.now();
      await activities.recordDelay({ ...this.request.step(at), ...d });
      delayDeadline(this.state, d.country, d.expectedBy, at);
      this.request.clocksChanged();
      return this.request.result();
    });
  }

  // --- the CCF

  validateBlocking(_b: BlockingInput): void {
    this.request.refuse('BLOCK');
  }

  /** Every clock of the request stops and recipients can no longer act on it. */
  block(b: BlockingInput): Promise<ActionResult> {
    return this.request.run(async () => {
      this.request.refuse('BLOCK');
      const at = Date.now();
      const decisionDueAt = calendarAfter(at, { months: BLOCKING_DECISION_MONTHS }, this.request.daySeconds);
      await activities.recordBlocking({ ...this.request.step(at), ...b, decisionDueAt });
      this.state.blockedSince = at;
      this.request.clocksChanged();
      return this.request.result();
    });
  }

  validateBlockingDecision(_d: BlockingDecisionInput): void {
    this.request.refuse('DECIDE_BLOCKING');
  }

  /** UPHELD cancels the request; DISMISSED lifts the blocking and moves every open deadline on by the time it lasted. */
  decideBlocking(d: BlockingDecisionInput): Promise<ActionResult> {
    return this.request.run(async () => {
      this.request.refuse('DECIDE_BLOCKING');
      const at = Date.now();
      const stoodFor = d.outcome === 'DISMISSED' ? at - this.state.blockedSince! : 0;
      await activities.recordBlockingDecision({ ...this.request.step(at), ...d, blockedSince: this.state.blockedSince!, stoodFor });
      if (d.outcome === 'UPHELD') {
        await this.request.close('CANCELLED', { reason: d.reason, actor: d.actor, notify: 'CANCELLED' });
      } else {
        resumeClocks(this.state, at);
        this.request.clocksChanged();
      }
      return this.request.result();
    });
  }

  // --- renewal

  validateRenewal(_r: RenewalInput): void {
    this.request.refuse('REQUEST_RENEWAL');
  }

  requestRenewal(r: RenewalInput): Promise<ActionResult> {
    return this.request.run(async () => {
      this.request.refuse('REQUEST_RENEWAL');
      await activities.recordRenewalRequest({ ...this.request.step(), ...r });
      this.state.renewalRequested = true;
      return this.request.result();
    });
  }

  validateRenewalDecision(_d: RenewalDecisionInput): void {
    this.request.refuse('DECIDE_RENEWAL');
  }

  /** APPROVE moves the expiry five years on (and its reassessment with it); REJECT leaves it to expire. */
  decideRenewal(d: RenewalDecisionInput): Promise<ActionResult> {
    return this.request.run(async () => {
      this.request.refuse('DECIDE_RENEWAL');
      const expiresAt =
        d.decision === 'APPROVE' ? calendarAfter(this.state.expiresAt!, { years: VALIDITY_YEARS }, this.request.daySeconds) : undefined;
      await activities.recordRenewalDecision({ ...this.request.step(), ...d, expiresAt });
      this.state.renewalRequested = false;
      if (expiresAt !== undefined) {
        this.state.expiresAt = expiresAt;
        this.state.reassessmentSent = false;
        this.request.clocksChanged();
      }
      return this.request.result();
    });
  }
}
