/**
 * The workflow's messages, defined once and imported by both the workflow and the services.
 * Human actions are Updates: their validators refuse an action that does not fit the state before
 * anything is written, so the caller learns of a conflict synchronously.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { LocatedAsset } from '../domain/assets';
import type { Actor, DecisionKind, Ground, Outcome, Status } from '../domain/model';
import type { RequestChanges } from '../domain/request';

export interface DecisionInput {
  decision: DecisionKind;
  reason?: string;
  grounds: Ground[];
  actor: Actor;
}

export interface ClarificationInput {
  message: string;
  /** Already checked, merged with the request, against every submission rule. */
  changes: RequestChanges;
  actor: Actor;
}

export interface ClosureInput {
  reason: string;
  grounds?: Ground[];
  actor: Actor;
}

export interface ResponseInput {
  /** Chosen by the caller (stable across an Idempotency-Key replay) so recording it is idempotent. */
  responseId: string;
  country: string;
  outcome: Outcome;
  final: boolean;
  reason?: string;
  handlingCode: string;
  assets: LocatedAsset[];
  actor: Actor;
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
  historyLength: number;
}

export const decideUpdate = defineUpdate<ActionResult, [DecisionInput]>('decide');
export const clarifyUpdate = defineUpdate<ActionResult, [ClarificationInput]>('clarify');
export const withdrawUpdate = defineUpdate<ActionResult, [ClosureInput]>('withdraw');
export const cancelUpdate = defineUpdate<ActionResult, [ClosureInput]>('cancel');
export const respondUpdate = defineUpdate<ActionResult, [ResponseInput]>('respond');
export const progressQuery = defineQuery<NoticeProgress>('progress');

/**
 * Failure types an update can end with; services map them to refusals.
 * CONFLICT: the action does not fit the current state (409). FORBIDDEN: not this caller's to do (403).
 */
export const FAILURE_CONFLICT = 'CONFLICT';
export const FAILURE_FORBIDDEN = 'FORBIDDEN';
