/**
 * The workflow's messages, defined once and imported by both the workflow and the API.
 * Human actions are Updates: their validators refuse an action that does not fit the state before
 * anything is written, so the API can answer 409 synchronously.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, DecisionKind, Ground, Outcome, Status } from '../domain/model';

export interface DecisionInput {
  decision: DecisionKind;
  reason?: string;
  grounds: Ground[];
  actor: Actor;
}

export interface ClarificationInput {
  message: string;
  /** Already validated by the API against the submission rules. */
  changes: Record<string, unknown>;
  actor: Actor;
}

export interface ClosureInput {
  reason: string;
  grounds?: Ground[];
  actor: Actor;
}

export interface ResponseInput {
  /** Chosen by the API (stable across an Idempotency-Key replay) so recording it is idempotent. */
  responseId: string;
  country: string;
  outcome: Outcome;
  final: boolean;
  reason?: string;
  handlingCode: string;
  assets: ResponseAsset[];
  actor: Actor;
}

export interface ResponseAsset {
  category: string;
  description: string;
  identifiers?: Record<string, string>;
  location: { country: string; address?: string };
  estimatedValue?: { amount: number; currency: string };
  holder?: string;
  measures?: string;
  source?: { register: string; reliability: string; accuracy: number };
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
 * Failure types an update can end with; the API maps them to HTTP statuses.
 * CONFLICT: the action does not fit the current state (409). FORBIDDEN: not this caller's to do (403).
 */
export const FAILURE_CONFLICT = 'CONFLICT';
export const FAILURE_FORBIDDEN = 'FORBIDDEN';
