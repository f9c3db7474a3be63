/**
 * The workflow's messages, defined once and imported by both the workflow and the services.
 * Human actions are Updates: their validators refuse an action that does not fit the state before
 * anything is written, so the caller learns of a conflict synchronously.
 */
import { ApplicationFailure, defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AmendmentChanges } from '../domain/amendments';
import type { LocatedAsset } from '../domain/assets';
import type { Actor, BlockingOutcome, DecisionKind, Ground, Outcome, RenewalDecision, Status } from '../domain/model';
import type { RequestChanges } from '../domain/request';

/**
 * What every action carries: who takes it, and its id. The id is the client's Idempotency-Key (as
 * the API claimed it) or one the API made; the workflow answers a repeat of an id it has handled
 * with the first result, and every step the action writes derives its row ids from it. (Optional:
 * actions recorded before ids existed have none.)
 */
export interface ActionInput {
  actor: Actor;
  actionId?: string;
}

export interface DecisionInput extends ActionInput {
  decision: DecisionKind;
  reason?: string;
  grounds: Ground[];
}

export interface ClarificationInput extends ActionInput {
  message: string;
  /** Already checked, merged with the request, against every submission rule. */
  changes: RequestChanges;
}

export interface ClosureInput extends ActionInput {
  reason: string;
  grounds?: Ground[];
}

export interface ResponseInput extends ActionInput {
  /** Chosen by the caller (stable across an Idempotency-Key replay) so recording it is idempotent. */
  responseId: string;
  country: string;
  outcome: Outcome;
  final: boolean;
  reason?: string;
  handlingCode: string;
  assets: LocatedAsset[];
}

/** What an action answers: the state after it took effect. */
export interface ActionResult {
  status: Status;
}

export interface NoticeProgress {
  status: Status;
  flags: string[];
  approvals: string[];
  approvalsRequired: number;
  reference?: string;
  pendingFinal: string[];
  /** Recipients answering by a deadline of their own. */
  ownDeadlines: string[];
  blocked: boolean;
  renewalRequested: boolean;
  expiresAt?: number;
  historyLength: number;
}

/** A recipient's own actions on a published request. */
export interface AcknowledgementInput extends ActionInput {
  country: string;
  /** Epoch ms: when it expects to answer. */
  expectedBy?: number;
}

export interface DelayInput extends ActionInput {
  country: string;
  reason: string;
  /** Epoch ms: the new deadline. */
  expectedBy: number;
}

export interface BlockingInput extends ActionInput {
  reason: string;
}

export interface BlockingDecisionInput extends ActionInput {
  outcome: BlockingOutcome;
  reason: string;
}

export interface RenewalInput extends ActionInput {
  reason: string;
}

export interface RenewalDecisionInput extends ActionInput {
  decision: RenewalDecision;
  reason: string;
}

/** A reviewer's claim on the review; `takeOver` takes it from the reviewer who holds it, with the reason. */
export interface ClaimInput extends ActionInput {
  takeOver?: boolean;
  reason?: string;
}

/** An amendment of a published request; its id is the action's. */
export interface AmendmentInput extends ActionInput {
  reason: string;
  /** Already checked against the request (recipients, limits). */
  changes: AmendmentChanges;
}

export interface AmendmentDecisionInput extends ActionInput {
  amendmentId: string;
  decision: RenewalDecision;
  reason?: string;
}

export const decideUpdate = defineUpdate<ActionResult, [DecisionInput]>('decide');
export const clarifyUpdate = defineUpdate<ActionResult, [ClarificationInput]>('clarify');
export const withdrawUpdate = defineUpdate<ActionResult, [ClosureInput]>('withdraw');
export const cancelUpdate = defineUpdate<ActionResult, [ClosureInput]>('cancel');
export const respondUpdate = defineUpdate<ActionResult, [ResponseInput]>('respond');
export const acknowledgeUpdate = defineUpdate<ActionResult, [AcknowledgementInput]>('acknowledge');
export const delayUpdate = defineUpdate<ActionResult, [DelayInput]>('delay');
export const blockUpdate = defineUpdate<ActionResult, [BlockingInput]>('block');
export const decideBlockingUpdate = defineUpdate<ActionResult, [BlockingDecisionInput]>('decideBlocking');
export const requestRenewalUpdate = defineUpdate<ActionResult, [RenewalInput]>('requestRenewal');
export const decideRenewalUpdate = defineUpdate<ActionResult, [RenewalDecisionInput]>('decideRenewal');
export const claimUpdate = defineUpdate<ActionResult, [ClaimInput]>('claim');
export const releaseUpdate = defineUpdate<ActionResult, [ActionInput]>('release');
export const amendUpdate = defineUpdate<ActionResult, [AmendmentInput]>('amend');
export const decideAmendmentUpdate = defineUpdate<ActionResult, [AmendmentDecisionInput]>('decideAmendment');
export const progressQuery = defineQuery<NoticeProgress>('progress');

/**
 * What the payload codec hands the workflow in place of a payload that was not encrypted under one
 * of the system's keys: a caller without the key (e.g. the `temporal` CLI) can reach the server, but
 * its updates arrive as this and are refused by the validators before anything is recorded.
 */
export const UNSEALED_MARK = '$unsealed';
export const isUnsealed = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && (value as Record<string, unknown>)[UNSEALED_MARK] === true;

/** A workflow started by someone without the system's key ends at once, having done nothing. */
export function refuseUnsealedStart(input: unknown): void {
  if (isUnsealed(input)) {
    throw ApplicationFailure.create({ message: 'The workflow was not started by the system', type: 'UNSEALED', nonRetryable: true });
  }
}

/**
 * Failure types an update can end with; services map them to refusals.
 * CONFLICT: the action does not fit the current state (409). FORBIDDEN: not this caller's to do (403).
 */
export const FAILURE_CONFLICT = 'CONFLICT';
/** An activity met an actor that no user of the system is: the action is refused, nothing is written. */
export const FAILURE_UNKNOWN_ACTOR = 'UNKNOWN_ACTOR';
export const FAILURE_FORBIDDEN = 'FORBIDDEN';
/** INVALID: a field breaks a rule the workflow keeps (400); the failure's details list the problems. */
export const FAILURE_INVALID = 'INVALID';
