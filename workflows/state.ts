/**
 * What a request's workflow keeps between steps, and what every part of it uses: its activities
 * and the failures an action can end with. The state survives JSON (continue-as-new carries it),
 * so it holds epoch milliseconds, arrays and plain objects only.
 */
import { ApplicationFailure, condition, patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { Refused } from '../domain/actions';
import type { Actor, Status } from '../domain/model';
import type { FieldProblem } from '../domain/request';
import { FAILURE_CONFLICT, FAILURE_FORBIDDEN, FAILURE_INVALID, type ActionResult } from './messages';

type Steps = ReturnType<typeof createActivities>;
const stepOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
} as const;
const remoteSteps = proxyActivities<Steps>(stepOptions);
const localSteps = proxyLocalActivities<Steps>(stepOptions);

/**
 * A request's steps run as local activities: in the worker that runs the workflow task, recorded
 * as markers of that task, so an action takes one workflow task instead of three server round trips.
 * What that gives up, a step that has written but whose task was lost and runs again, is made safe
 * by the ids: each step writes under an id derived from its action's (or its deadline's), and the
 * record's unique keys turn the second write into a no-op. Runs that began with remote activities
 * keep them where their history has them.
 */
export const LOCAL_STEPS_PATCH = 'steps-as-local-activities';

/** The activities to run a step with, asked at the moment it is scheduled (the patch marks the history there). */
export function steps(): Steps {
  return patched(LOCAL_STEPS_PATCH) ? localSteps : remoteSteps;
}

/** A recipient's own deadline, once it has put the request's back (a delay). */
export interface OwnDeadline {
  dueAt: number;
  reminderAt: number;
  reminderSent: boolean;
  overdueMarked: boolean;
}

/**
 * Fields added after requests were already running are optional: a run continued from an older
 * state starts without them.
 */
export interface NoticeState {
  status: Status;
  requestingCountry: string;
  /** The answer window in days (a fraction when the urgency sets it in hours). */
  responseDays: number;
  flags: string[];
  /** Reviewers who approved in the current review round. */
  approvals: string[];
  /** Screening of the current content has finished. */
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
  /** `dueAt`, `reminderAt` and their flags are the request's deadline; these recipients have their own. */
  ownDeadlines?: Record<string, OwnDeadline>;
  /** Set while the CCF has the request blocked: every clock stops. */
  blockedSince?: number;
  /** The requester has been asked to reassess the request (six months before it expires). */
  reassessmentSent?: boolean;
  /** A renewal awaits a reviewer's decision. */
  renewalRequested?: boolean;
  /** The urgency a clarification gave the request (the one it was submitted with is shown from the start). */
  urgency?: string;
  /** The reviewer holding the review's claim, and since when (epoch ms); a decision releases it. */
  claim?: { userId: string; at: number };
  /** The amendment under review, if any: its id, flags and the reviewers who approved it. */
  amendment?: PendingAmendment;
  /** The latest actions handled, oldest first (at most `HANDLED_KEPT`): a repeat gets the first result, across runs. */
  handled?: HandledAction[];
}

export interface PendingAmendment {
  id: string;
  flags: string[];
  approvals: string[];
}

export interface HandledAction {
  id: string;
  /** The person (or key) who took it: the same id from anyone else is not a repeat. */
  by: string;
  result: ActionResult;
}

/** Enough for every recipient of a request to answer several times between two runs. */
export const HANDLED_KEPT = 1000;

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

export const DEFAULT_HISTORY_LIMIT = 10_000;

/** What a request's closing records besides its final state, and whom it tells. */
export interface ClosingEvent {
  reason?: string;
  grounds?: string[];
  actor?: Actor;
  notify?: 'WITHDRAWN' | 'CANCELLED' | 'EXPIRED';
}

/** An action refused: its failure type says how (409 or 403) and its first detail carries the refusal code. */
export const refusedBy = (r: Refused) =>
  ApplicationFailure.create({
    message: r.message,
    type: r.kind === 'FORBIDDEN' ? FAILURE_FORBIDDEN : FAILURE_CONFLICT,
    nonRetryable: true,
    details: [r.code],
  });
/** A field of the action breaks a rule only the workflow can check (e.g. a deadline it keeps). */
export const invalid = (problems: FieldProblem[]) =>
  ApplicationFailure.create({
    message: problems.map((p) => `${p.path} ${p.message}`).join('; '),
    type: FAILURE_INVALID,
    nonRetryable: true,
    details: [problems],
  });

export function initialState(input: NoticeWorkflowInput): NoticeState {
  return {
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
}

/** One holder at a time; waiters take turns. */
export class ActionLock {
  private locked = false;

  get held(): boolean {
    return this.locked;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    // Every waiter whose condition holds is woken in the same pass: check again before taking the lock.
    while (this.locked) await condition(() => !this.locked);
    this.locked = true;
    try {
      return await fn();
    } finally {
      this.locked = false;
    }
  }
}
