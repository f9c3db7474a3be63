/**
 * The life of one Silver Notice request, from submission to its final state. Workflow id = request id.
 *
 * The workflow owns the state and every timer (clarification window, reminder, due date, expiry);
 * the case record in PostgreSQL is written by activities and read by the API. Timers are kept as
 * absolute epoch milliseconds in `NoticeState`, so a continued-as-new run picks them up unchanged.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { type Actor, type Status, BEFORE_PUBLICATION, isFinal } from '../domain/model';
import { CLARIFICATION_WINDOW_DAYS, days, expiryAfter, reminderAt } from '../domain/time';
import {
  type ActionResult,
  type ClosureInput,
  type DecisionInput,
  FAILURE_CONFLICT,
  FAILURE_FORBIDDEN,
  cancelUpdate,
  clarifyUpdate,
  decideUpdate,
  progressQuery,
  respondUpdate,
  withdrawUpdate,
} from './messages';

const act = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface NoticeState {
  status: Status;
  requestingCountry: string;
  responseDays: number;
  flags: string[];
  /** Key ids of reviewers who approved in the current review round. */
  approvals: string[];
  screened: boolean;
  clarificationDeadline?: number;
  reference?: string;
  dueAt?: number;
  reminderAt?: number;
  reminderSent: boolean;
  overdueMarked: boolean;
  expiresAt?: number;
  recipients: string[];
  /** Recipients that have not yet sent a final response. */
  pendingFinal: string[];
}

export interface NoticeWorkflowInput {
  noticeId: string;
  requestingCountry: string;
  responseDays: number;
  daySeconds: number;
  /** Set when continuing as new. */
  state?: NoticeState;
  /** Continue as new past this many history events (tests lower it). */
  historyLimit?: number;
}

const DEFAULT_HISTORY_LIMIT = 10_000;

function conflict(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: FAILURE_CONFLICT, nonRetryable: true });
}

export async function silverNoticeWorkflow(input: NoticeWorkflowInput): Promise<Status> {
  const { noticeId, daySeconds } = input;
  const s: NoticeState = input.state ?? {
    status: 'SUBMITTED',
    requestingCountry: input.requestingCountry,
    responseDays: input.responseDays,
    flags: [],
    approvals: [],
    screened: false,
    reminderSent: false,
    overdueMarked: false,
    recipients: [],
    pendingFinal: [],
  };
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;

  // One state-changing action at a time; responses run alongside each other and are only
  // excluded while a closing action (withdrawal, cancellation, completion, expiry) holds the lock.
  let locked = false;
  let closing = false;
  let responsesInFlight = 0;
  async function exclusively<T>(fn: () => Promise<T>): Promise<T> {
    // Every waiter whose condition holds is woken in the same pass: check again before taking the lock.
    while (locked) await condition(() => !locked);
    locked = true;
    try {
      return await fn();
    } finally {
      locked = false;
    }
  }
  const result = (): ActionResult => ({ status: s.status });
  const approvalsRequired = () => (s.flags.length > 0 ? 2 : 1);

  async function screen(): Promise<void> {
    s.screened = false;
    const { flags } = await act.screenNotice({ noticeId, eventId: uuid4(), at: Date.now() });
    s.flags = flags;
    s.approvals = [];
    s.status = 'UNDER_REVIEW';
    s.screened = true;
  }

  async function close(status: Status, event: { reason?: string; grounds?: string[]; actor?: Actor; notify?: 'WITHDRAWN' | 'CANCELLED' }) {
    closing = true;
    await condition(() => responsesInFlight === 0);
    await act.closeNotice({
      noticeId,
      eventId: uuid4(),
      at: Date.now(),
      status,
      releaseQuota: BEFORE_PUBLICATION.includes(s.status),
      reason: event.reason,
      grounds: event.grounds,
      actor: event.actor,
      notify: event.notify,
    });
    s.status = status;
  }

  async function publish(): Promise<void> {
    const at = Date.now();
    const dueAt = at + days(s.responseDays, daySeconds);
    const expiresAt = expiryAfter(at, daySeconds);
    const published = await act.publishNotice({ noticeId, eventId: uuid4(), at, dueAt, expiresAt });
    Object.assign(s, {
      status: 'PUBLISHED',
      reference: published.reference,
      dueAt,
      reminderAt: reminderAt(at, dueAt),
      expiresAt,
      recipients: published.recipients,
      pendingFinal: [...published.recipients],
    } satisfies Partial<NoticeState>);
  }

  setHandler(progressQuery, () => ({
    status: s.status,
    flags: s.flags,
    approvals: s.approvals,
    approvalsRequired: approvalsRequired(),
    reference: s.reference,
    pendingFinal: s.pendingFinal,
    historyLength: workflowInfo().historyLength,
  }));

  /** Why a decision does not fit now; `screening` also lets one through while screening runs (it waits). */
  const checkDecision = (d: DecisionInput, screening: boolean) => {
    if (s.status !== 'UNDER_REVIEW' && !(screening && s.status === 'SUBMITTED')) {
      throw conflict(`A decision can only be taken UNDER_REVIEW; the request is ${s.status}`);
    }
    if (d.decision === 'APPROVE' && s.approvals.includes(d.actor.keyId)) {
      throw conflict('This reviewer has already approved; a second approval must come from a different reviewer');
    }
  };
  setHandler(
    decideUpdate,
    async (d) => {
      // Screening takes the lock too: wait for it before taking the lock, or an early decision deadlocks.
      await condition(() => s.screened || isFinal(s.status));
      return exclusively(async () => {
        checkDecision(d, false);
        const approvals = d.decision === 'APPROVE' ? [...s.approvals, d.actor.keyId] : s.approvals;
        const approved = d.decision === 'APPROVE' && approvals.length >= approvalsRequired();
        const next: Status =
          d.decision === 'REJECT' ? 'REJECTED' : d.decision === 'REQUEST_CLARIFICATION' ? 'CLARIFICATION_REQUESTED' : 'UNDER_REVIEW';
        const at = Date.now();
        await act.recordDecision({
          noticeId,
          decisionId: uuid4(),
          at,
          decision: d.decision,
          reason: d.reason,
          grounds: d.grounds,
          actor: d.actor,
          status: next,
          releaseQuota: next === 'REJECTED',
          approvals: approvals.length,
          approvalsRequired: approvalsRequired(),
        });
        s.approvals = next === 'UNDER_REVIEW' ? approvals : [];
        s.status = next;
        if (next === 'CLARIFICATION_REQUESTED') s.clarificationDeadline = at + days(CLARIFICATION_WINDOW_DAYS, daySeconds);
        if (approved) await publish();
        return result();
      });
    },
    { validator: (d) => checkDecision(d, true) },
  );

  setHandler(
    clarifyUpdate,
    (c) =>
      exclusively(async () => {
        if (s.status !== 'CLARIFICATION_REQUESTED') throw conflict(`No clarification is awaited; the request is ${s.status}`);
        const applied = await act.applyClarification({
          noticeId,
          clarificationId: uuid4(),
          at: Date.now(),
          message: c.message,
          changes: c.changes,
          actor: c.actor,
        });
        s.responseDays = applied.responseDays;
        s.clarificationDeadline = undefined;
        await screen();
        return result();
      }),
    {
      validator: (c) => {
        if (c.actor.country !== s.requestingCountry)
          throw ApplicationFailure.create({ message: 'Only the requesting NCB can answer', type: FAILURE_FORBIDDEN, nonRetryable: true });
        if (s.status !== 'CLARIFICATION_REQUESTED') throw conflict(`No clarification is awaited; the request is ${s.status}`);
      },
    },
  );

  const closable = (what: string, allowed: (st: Status) => boolean) => () => {
    if (!allowed(s.status) || closing) throw conflict(`The request cannot be ${what}: it is ${s.status}`);
  };
  const canWithdraw = (st: Status) => !isFinal(st);
  const canCancel = (st: Status) => st === 'PUBLISHED';

  setHandler(
    withdrawUpdate,
    (w: ClosureInput) =>
      exclusively(async () => {
        closable('withdrawn', canWithdraw)();
        await close('WITHDRAWN', { reason: w.reason, actor: w.actor, notify: s.status === 'PUBLISHED' ? 'WITHDRAWN' : undefined });
        return result();
      }),
    { validator: (_w: ClosureInput) => closable('withdrawn', canWithdraw)() },
  );

  setHandler(
    cancelUpdate,
    (c: ClosureInput) =>
      exclusively(async () => {
        closable('cancelled', canCancel)();
        await close('CANCELLED', { reason: c.reason, grounds: c.grounds, actor: c.actor, notify: 'CANCELLED' });
        return result();
      }),
    { validator: (_c: ClosureInput) => closable('cancelled', canCancel)() },
  );

  const checkResponse = (country: string) => {
    if (s.status !== 'PUBLISHED' || closing) throw conflict(`Responses are accepted while PUBLISHED; the request is ${s.status}`);
    if (!s.recipients.includes(country)) {
      throw ApplicationFailure.create({ message: 'Only a recipient can respond', type: FAILURE_FORBIDDEN, nonRetryable: true });
    }
  };
  setHandler(
    respondUpdate,
    async (r) => {
      checkResponse(r.country);
      responsesInFlight++;
      try {
        const at = Date.now();
        await act.recordResponse({ ...r, noticeId, eventId: uuid4(), at, late: s.dueAt !== undefined && at > s.dueAt });
        if (r.final) s.pendingFinal = s.pendingFinal.filter((c) => c !== r.country);
      } finally {
        responsesInFlight--;
      }
      return result();
    },
    { validator: (r) => checkResponse(r.country) },
  );

  // The main loop: screening, then waiting on actions and timers until a final state.
  // Checked under the lock: an action delivered with the start (e.g. a withdrawal) may take it first.
  await exclusively(async () => {
    if (!s.screened && s.status === 'SUBMITTED') await screen();
  });

  while (!isFinal(s.status)) {
    const deadline = nextDeadline(s);
    const statusBefore = s.status;
    const wake = () =>
      s.status !== statusBefore ||
      (s.status === 'PUBLISHED' && s.pendingFinal.length === 0 && !locked) ||
      workflowInfo().continueAsNewSuggested ||
      workflowInfo().historyLength > historyLimit;
    if (deadline === undefined) await condition(wake);
    else if (deadline > Date.now()) await condition(wake, deadline - Date.now());

    if (isFinal(s.status)) break;
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit) {
      // Handlers must finish before this run ends, or their callers would get an error.
      await condition(() => allHandlersFinished() && !locked);
      if (isFinal(s.status)) break;
      await continueAsNew<typeof silverNoticeWorkflow>({ ...input, state: s });
    }
    await exclusively(async () => {
      const now = Date.now();
      if (s.status === 'CLARIFICATION_REQUESTED' && s.clarificationDeadline !== undefined && now >= s.clarificationDeadline) {
        await close('LAPSED', { reason: `No clarification within ${CLARIFICATION_WINDOW_DAYS} days` });
      } else if (s.status === 'PUBLISHED') {
        if (s.pendingFinal.length === 0) {
          await close('COMPLETED', {});
        } else if (s.expiresAt !== undefined && now >= s.expiresAt) {
          await close('EXPIRED', {});
        } else if (!s.overdueMarked && s.dueAt !== undefined && now >= s.dueAt) {
          await act.markOverdue({ noticeId, eventId: uuid4(), at: now, countries: s.pendingFinal });
          s.overdueMarked = true;
          s.reminderSent = true;
        } else if (!s.reminderSent && s.reminderAt !== undefined && now >= s.reminderAt) {
          await act.sendReminders({ noticeId, eventId: uuid4(), at: now, countries: s.pendingFinal });
          s.reminderSent = true;
        }
      }
    });
  }
  await condition(allHandlersFinished);
  return s.status;
}

/** The next timer the current state waits on, if any. */
function nextDeadline(s: NoticeState): number | undefined {
  if (s.status === 'CLARIFICATION_REQUESTED') return s.clarificationDeadline;
  if (s.status !== 'PUBLISHED') return undefined;
  if (!s.reminderSent && s.reminderAt !== undefined) return s.reminderAt;
  if (!s.overdueMarked && s.dueAt !== undefined) return s.dueAt;
  return s.expiresAt;
}
