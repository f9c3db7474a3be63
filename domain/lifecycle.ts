/**
 * The request's life: which action fits which state, what follows a decision, how many approvals a
 * request needs. The workflow's update validators and handlers both ask here, so a refusal has one
 * author and one wording.
 */
import { isFinal, type DecisionKind, type Status } from './model';

export type Action = 'DECIDE' | 'CLARIFY' | 'WITHDRAW' | 'CANCEL' | 'RESPOND';

/** The states in which each action may be taken. */
const ALLOWED_IN: Record<Action, readonly Status[]> = {
  DECIDE: ['UNDER_REVIEW'],
  CLARIFY: ['CLARIFICATION_REQUESTED'],
  WITHDRAW: ['SUBMITTED', 'UNDER_REVIEW', 'CLARIFICATION_REQUESTED', 'PUBLISHED'],
  CANCEL: ['PUBLISHED'],
  RESPOND: ['PUBLISHED'],
};

const REFUSED_BECAUSE: Record<Action, (status: Status) => string> = {
  DECIDE: (s) => `A decision can only be taken UNDER_REVIEW; the request is ${s}`,
  CLARIFY: (s) => `No clarification is awaited; the request is ${s}`,
  WITHDRAW: (s) => `The request cannot be withdrawn: it is ${s}`,
  CANCEL: (s) => `The request cannot be cancelled: it is ${s}`,
  RESPOND: (s) => `Responses are accepted while PUBLISHED; the request is ${s}`,
};

/** Why `action` does not fit a request in `status` (undefined: it fits). */
export function refusal(action: Action, status: Status): string | undefined {
  if (ALLOWED_IN[action].includes(status)) return undefined;
  if (isFinal(status)) return `The request is ${status}, a final state: no further action is possible`;
  return REFUSED_BECAUSE[action](status);
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
