/**
 * Every action on a request, declared once: where it is addressed, what it takes (the schema that
 * parses its body), what it is called in the documentation, and how it reaches the request's
 * workflow (the update and its argument). Who may take it and when is the catalogue's
 * (domain/actions.ts). The API's routes and their OpenAPI entries, the views' `actions` and the
 * console's forms are all derived from this list.
 */
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import {
  AcknowledgementRequest,
  BlockingDecisionRequest,
  BlockingRequest,
  CancellationRequest,
  ClarificationRequest,
  DecisionRequest,
  DelayRequest,
  RenewalDecisionRequest,
  RenewalRequest,
  ResponseRequest,
  WithdrawalRequest,
} from '../api/schemas/requests';
import type { ActionName } from '../domain/actions';
import * as m from '../workflows/messages';
import type { Principal } from './context';

export interface ActionDeclaration<S extends z.ZodTypeAny = z.ZodTypeAny, Arg = unknown> {
  /** Below `/v1/notices/:id/`. */
  path: string;
  summary: string;
  /** What the answer shows. */
  after: string;
  body: S;
  update: UpdateDefinition<m.ActionResult, [Arg]>;
  /** The update's argument: the parsed body and who acts. */
  arg: (body: z.output<S>, principal: Principal) => Arg;
  /** 201 for an action that creates something (an answer); 200 otherwise. */
  creates?: boolean;
}

const declare = <S extends z.ZodTypeAny, Arg>(d: ActionDeclaration<S, Arg>) => d as unknown as ActionDeclaration;

export const ACTIONS: Record<ActionName, ActionDeclaration> = {
  DECIDE: declare({
    path: 'decisions',
    summary: 'Approve, reject or ask for clarification, with reasons',
    after: 'The request after the decision',
    body: DecisionRequest,
    update: m.decideUpdate,
    arg: (d, actor) => ({ decision: d.decision, reason: d.reason, grounds: d.grounds ?? [], actor }),
  }),
  CLARIFY: declare({
    path: 'clarifications',
    summary: 'Answer a clarification request, optionally changing the request',
    after: 'The request, back UNDER_REVIEW and screened again',
    body: ClarificationRequest,
    update: m.clarifyUpdate,
    arg: (c, actor) => ({ message: c.message, changes: c.changes ?? {}, actor }),
  }),
  WITHDRAW: declare({
    path: 'withdrawal',
    summary: 'Withdraw a request (requesting NCB), telling recipients if it was published',
    after: 'The request, WITHDRAWN',
    body: WithdrawalRequest,
    update: m.withdrawUpdate,
    arg: (w, actor) => ({ reason: w.reason, actor }),
  }),
  CANCEL: declare({
    path: 'cancellation',
    summary: 'Cancel a published request (reviewer), telling every recipient',
    after: 'The request, CANCELLED',
    body: CancellationRequest,
    update: m.cancelUpdate,
    arg: (c, actor) => ({ reason: c.reason, grounds: c.grounds ?? [], actor }),
  }),
  RESPOND: declare({
    path: 'responses',
    summary: 'Answer a published request as a recipient: assets located, none found, or unable to assist',
    after: 'The request as this recipient sees it',
    body: ResponseRequest,
    update: m.respondUpdate,
    creates: true,
    // The answer's id is chosen by the service (stable across an Idempotency-Key replay).
    arg: (r, actor) => ({
      responseId: '',
      country: actor.country!,
      outcome: r.outcome,
      final: r.final,
      reason: r.reason,
      handlingCode: r.handlingCode,
      assets: r.assets ?? [],
      actor,
    }),
  }),
  ACKNOWLEDGE: declare({
    path: 'acknowledgement',
    summary: 'Acknowledge a published request (recipient), saying when an answer may come',
    after: 'The request, this recipient ACKNOWLEDGED',
    body: AcknowledgementRequest,
    update: m.acknowledgeUpdate,
    arg: (a, actor) => ({ country: actor.country!, expectedBy: a.expectedBy?.getTime(), actor }),
  }),
  DELAY: declare({
    path: 'delay',
    summary: "Put back this recipient's deadline, with the reason (the requester is told)",
    after: 'The request, this recipient DELAYED to its new deadline',
    body: DelayRequest,
    update: m.delayUpdate,
    arg: (d, actor) => ({ country: actor.country!, reason: d.reason, expectedBy: d.expectedBy.getTime(), actor }),
  }),
  BLOCK: declare({
    path: 'blocking',
    summary: 'Block a published request while the CCF examines a complaint; every clock stops',
    after: 'The request, blocked',
    body: BlockingRequest,
    update: m.blockUpdate,
    arg: (b, actor) => ({ reason: b.reason, actor }),
  }),
  DECIDE_BLOCKING: declare({
    path: 'blocking/decision',
    summary: 'Decide a blocking: UPHELD cancels the request, DISMISSED resumes it',
    after: 'The request after the decision',
    body: BlockingDecisionRequest,
    update: m.decideBlockingUpdate,
    arg: (d, actor) => ({ outcome: d.outcome, reason: d.reason, actor }),
  }),
  REQUEST_RENEWAL: declare({
    path: 'renewal',
    summary: 'Ask for a renewal in the six months before expiry (requesting NCB)',
    after: 'The request, its renewal REQUESTED',
    body: RenewalRequest,
    update: m.requestRenewalUpdate,
    arg: (r, actor) => ({ reason: r.reason, actor }),
  }),
  DECIDE_RENEWAL: declare({
    path: 'renewal/decision',
    summary: 'Decide a renewal: APPROVE moves the expiry five years on',
    after: 'The request after the decision',
    body: RenewalDecisionRequest,
    update: m.decideRenewalUpdate,
    arg: (d, actor) => ({ decision: d.decision, reason: d.reason, actor }),
  }),
};

/** Where `action` on request `id` is addressed. */
export const actionHref = (action: ActionName, id: string) => `/v1/notices/${id}/${ACTIONS[action].path}`;
