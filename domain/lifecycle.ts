/**
 * The request's life: which action fits which state, what follows a decision, how many approvals a
 * request needs, and what a recipient may still do. The workflow's update validators and handlers
 * ask here, so a refusal has one author and one wording.
 */
import { isFinal, type DecisionKind, type Status } from './model';

export type Action =
  | 'DECIDE'
  | 'CLARIFY'
  | 'WITHDRAW'
  | 'CANCEL'
  | 'RESPOND'
  | 'ACKNOWLEDGE'
  | 'DELAY'
  | 'BLOCK'
  | 'DECIDE_BLOCKING'
  | 'REQUEST_RENEWAL'
  | 'DECIDE_RENEWAL';

/** What the request is doing now, beyond its status. */
export interface Situation {
  status: Status;
  /** The CCF has blocked it while it examines a complaint. */
  blocked?: boolean;
  /** A renewal has been asked for and awaits a reviewer's decision. */
  renewalRequested?: boolean;
  /** The requester has been asked to reassess it (its last six months of validity have begun). */
  reassessmentDue?: boolean;
}

/** The states in which each action may be taken. */
const ALLOWED_IN: Record<Action, readonly Status[]> = {
  DECIDE: ['UNDER_REVIEW'],
  CLARIFY: ['CLARIFICATION_REQUESTED'],
  WITHDRAW: ['SUBMITTED', 'UNDER_REVIEW', 'CLARIFICATION_REQUESTED', 'PUBLISHED'],
  CANCEL: ['PUBLISHED'],
  RESPOND: ['PUBLISHED'],
  ACKNOWLEDGE: ['PUBLISHED'],
  DELAY: ['PUBLISHED'],
  BLOCK: ['PUBLISHED'],
  DECIDE_BLOCKING: ['PUBLISHED'],
  REQUEST_RENEWAL: ['PUBLISHED'],
  DECIDE_RENEWAL: ['PUBLISHED'],
};

const REFUSED_BECAUSE: Record<Action, (status: Status) => string> = {
  DECIDE: (s) => `A decision can only be taken UNDER_REVIEW; the request is ${s}`,
  CLARIFY: (s) => `No clarification is awaited; the request is ${s}`,
  WITHDRAW: (s) => `The request cannot be withdrawn: it is ${s}`,
  CANCEL: (s) => `The request cannot be cancelled: it is ${s}`,
  RESPOND: (s) => `Responses are accepted while PUBLISHED; the request is ${s}`,
  ACKNOWLEDGE: (s) => `Only a PUBLISHED request can be acknowledged; the request is ${s}`,
  DELAY: (s) => `Only a PUBLISHED request's deadline can be put back; the request is ${s}`,
  BLOCK: (s) => `Only a PUBLISHED request can be blocked; the request is ${s}`,
  DECIDE_BLOCKING: (s) => `No blocking awaits a decision; the request is ${s}`,
  REQUEST_RENEWAL: (s) => `Only a PUBLISHED request can be renewed; the request is ${s}`,
  DECIDE_RENEWAL: (s) => `No renewal awaits a decision; the request is ${s}`,
};

/** Actions a recipient takes, all refused while the CCF has the request blocked. */
const RECIPIENT_ACTIONS: readonly Action[] = ['RESPOND', 'ACKNOWLEDGE', 'DELAY'];

/** Why `action` does not fit the request now (undefined: it fits). */
export function refusal(action: Action, now: Situation | Status): string | undefined {
  const s: Situation = typeof now === 'string' ? { status: now } : now;
  if (!ALLOWED_IN[action].includes(s.status)) {
    if (isFinal(s.status)) return `The request is ${s.status}, a final state: no further action is possible`;
    return REFUSED_BECAUSE[action](s.status);
  }
  if (s.blocked && RECIPIENT_ACTIONS.includes(action)) return 'The request is blocked by the CCF while it examines a complaint';
  if (action === 'BLOCK' && s.blocked) return 'The request is already blocked';
  if (action === 'DECIDE_BLOCKING' && !s.blocked) return 'The request is not blocked: there is no blocking to decide';
  if (action === 'REQUEST_RENEWAL') {
    if (s.blocked) return 'A blocked request cannot be renewed';
    if (s.renewalRequested) return 'A renewal has already been requested and awaits a decision';
    if (!s.reassessmentDue) return 'A renewal can be requested only in the last six months before the request expires';
  }
  if (action === 'DECIDE_RENEWAL' && !s.renewalRequested) return 'No renewal has been requested';
  return undefined;
}

/** Why a recipient's own action does not fit its answer so far (undefined: it fits). */
export function recipientRefusal(action: 'ACKNOWLEDGE' | 'DELAY', answeredFinally: boolean): string | undefined {
  if (!answeredFinally) return undefined;
  return action === 'DELAY'
    ? 'This recipient has sent its final answer: there is no deadline to put back'
    : 'This recipient has already sent its final answer';
}

/** Screening flags call for a second pair of eyes: two different reviewers must approve. */
export function approvalsRequired(flags: readonly string[]): number {
  return flags.length > 0 ? 2 : 1;
}

/** Why this reviewer's approval does not count (undefined: it counts). `approvedBy` identifies reviewers. */
export function approvalRefusal(approvedBy: readonly string[], reviewer: string): string | undefined {
  return approvedBy.includes(reviewer)
    ? 'This reviewer has already approved; a second approval must come from a different reviewer'
    : undefined;
}

/** The state a decision leads to, given the approvals counted after it. */
export function statusAfterDecision(decision: DecisionKind, approvals: number, required: number): Status {
  if (decision === 'REJECT') return 'REJECTED';
  if (decision === 'REQUEST_CLARIFICATION') return 'CLARIFICATION_REQUESTED';
  return approvals >= required ? 'PUBLISHED' : 'UNDER_REVIEW';
}
