/**
 * What follows a review decision, and how many approvals a request needs. Who may take an action
 * and when is the action catalogue's (actions.ts).
 */
import type { DecisionKind, Status } from './model';

/** Screening flags call for a second pair of eyes: two different reviewers must approve. */
export function approvalsRequired(flags: readonly string[]): number {
  return flags.length > 0 ? 2 : 1;
}

/** The state a decision leads to, given the approvals counted after it. */
export function statusAfterDecision(decision: DecisionKind, approvals: number, required: number): Status {
  if (decision === 'REJECT') return 'REJECTED';
  if (decision === 'REQUEST_CLARIFICATION') return 'CLARIFICATION_REQUESTED';
  return approvals >= required ? 'PUBLISHED' : 'UNDER_REVIEW';
}
