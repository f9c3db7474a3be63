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
  AmendmentDecisionRequest,
  AmendmentRequest,
  ClaimRequest,
  CancellationRequest,
  ClarificationRequest,
  DecisionRequest,
  DelayRequest,
  RenewalDecisionRequest,
  RenewalRequest,
  NoBody,
  ResponseRequest,
  WithdrawalRequest,
} from '../api/schemas/requests';
import { AmendmentCreated } from '../api/schemas/views';
import { AttachmentUpload, AttachmentView } from '../api/schemas/attachments';
import { MessageRequest, MessageView } from '../api/schemas/messages';
import { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES } from '../domain/attachments';
import type { ActionName, Relation } from '../domain/actions';
import type { RefusalCode } from '../domain/codes';
import * as m from '../workflows/messages';
import { writeAttachment } from './attachments';
import { postMessage } from './messages';
import { DeletionConfirmationRequest, OutcomeRequest, OutcomeView } from '../api/schemas/outcomes';
import type { Principal, ServiceDeps } from './context';
import type { LoadedNotice } from '../records/queries';
import { writeDeletionConfirmation, writeOutcome } from './follow-up';

interface Declared<S extends z.ZodTypeAny> {
  /** Below `/v1/notices/:id/`; `:aid` names a sub-resource of the request (an amendment), passed to `arg`. */
  path: string;
  summary: string;
  /** What the answer shows. */
  after: string;
  body: S;
  /** How it is addressed: POST unless it takes something away (a claim released is a DELETE, without a body). */
  method?: 'POST' | 'DELETE';
  /** 201 for an action that creates something (an answer); 200 otherwise. */
  creates?: boolean;
  /** Refusals beyond the catalogue's, which depend on the body (a record action's `write` checks them). */
  codes?: readonly RefusalCode[];
  /**
   * The body is a file, not JSON: the media types taken and the most bytes. The routes' loop and the
   * console's forms leave such an action to a route of its own, which documents it from here.
   */
  raw?: { types: readonly string[]; limit: number };
}

/** An action the request's workflow takes: it checks it again against its own state and alone decides. */
export interface WorkflowAction<S extends z.ZodTypeAny = z.ZodTypeAny, Arg = unknown> extends Declared<S> {
  update: UpdateDefinition<m.ActionResult, [Arg]>;
  /** The update's argument: the parsed body, who acts, and the path's sub-resource id. */
  arg: (body: z.output<S>, principal: Principal, params?: { aid?: string }) => Arg;
  /** What the caller is answered instead of the request's view (its schema, and how it is taken from the view and the action's id). */
  answers?: { schema: z.ZodTypeAny; from: (view: unknown, actionId: string) => unknown };
}

/**
 * What a record action's write is given: the request as the caller may see it and how the caller
 * relates to it (already read to admit the action), the parsed body and the action's id.
 */
export interface RecordWrite<B> {
  noticeId: string;
  notice: LoadedNotice;
  relation: Relation;
  principal: Principal;
  body: B;
  actionId: string;
}

/**
 * An action taken on the record alone, for what the workflow has no say in: a request that has
 * ended (its workflow is gone), or what changes nothing it keeps. The catalogue is asked of the
 * record, then `write` writes under the action's id, so that a repeat writes nothing twice; it
 * answers the body the caller gets (the request's view when it answers nothing).
 */
export interface RecordAction<S extends z.ZodTypeAny = z.ZodTypeAny> extends Declared<S> {
  write: (deps: ServiceDeps, a: RecordWrite<z.output<S>>) => Promise<unknown>;
  /** The schema of what `write` answers, when it is not the request's view. */
  answer?: z.ZodTypeAny;
}

export type ActionDeclaration = WorkflowAction | RecordAction;

export const takenByWorkflow = (d: ActionDeclaration): d is WorkflowAction => 'update' in d;

type AmendedView = { amendments: { id: string }[] };

const declare = <S extends z.ZodTypeAny, Arg>(d: WorkflowAction<S, Arg> | RecordAction<S>) => d as unknown as ActionDeclaration;

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
  CLAIM: declare({
    path: 'claim',
    summary: "Claim a request's review (reviewer): other reviewers may not claim or decide it until it is released or decided",
    after: 'The request, `review.claimedBy` the caller',
    body: ClaimRequest,
    update: m.claimUpdate,
    arg: (c, actor) => ({ takeOver: c?.takeOver, reason: c?.reason, actor }),
  }),
  RELEASE: declare({
    path: 'claim',
    method: 'DELETE',
    summary: "Release the caller's claim on a request's review",
    after: 'The request, claimed by nobody',
    body: NoBody,
    update: m.releaseUpdate,
    arg: (_none, actor) => ({ actor }),
  }),
  AMEND: declare({
    path: 'amendments',
    summary:
      'Amend a published request (requesting NCB): add aliases, documents, assets or recipients, or a new legal basis; reviewed like a request',
    after: 'The amendment, UNDER_REVIEW, with the request as the caller sees it',
    body: AmendmentRequest,
    update: m.amendUpdate,
    creates: true,
    arg: (a, actor) => ({ reason: a.reason, changes: { add: a.add, ...(a.legalBasis ? { legalBasis: a.legalBasis } : {}) }, actor }),
    // The amendment is recorded under its action's id.
    answers: {
      schema: AmendmentCreated,
      from: (view, actionId) => ({ ...(view as AmendedView).amendments.find((a) => a.id === actionId), request: view }),
    },
  }),
  DECIDE_AMENDMENT: declare({
    path: 'amendments/:aid/decision',
    summary:
      'Decide an amendment (reviewer): APPROVE applies it (two different reviewers when screening flagged it), REJECT leaves the request as it is',
    after: 'The request after the decision',
    body: AmendmentDecisionRequest,
    update: m.decideAmendmentUpdate,
    arg: (d, actor, params) => ({ amendmentId: params?.aid ?? '', decision: d.decision, reason: d.reason, actor }),
  }),
  ATTACH: declare({
    path: 'attachments',
    summary:
      'Attach a PDF, PNG or JPEG file (the raw body, `Content-Type` as the file is): the requester, shared with the recipients unless `shared=false`; a recipient once published, for the requester and the GS',
    after: 'The attachment as stored, with its SHA-256',
    body: AttachmentUpload,
    creates: true,
    raw: { types: ATTACHMENT_TYPES, limit: MAX_ATTACHMENT_BYTES },
    write: writeAttachment,
    answer: AttachmentView,
  }),
  MESSAGE: declare({
    path: 'messages',
    summary:
      "Write in one of the request's threads: the requester to the GS (no `country`) or to a recipient's thread (`country`), a recipient to its own, a reviewer to the GS; the other side is told (MESSAGE)",
    after: 'The message as stored',
    body: MessageRequest,
    creates: true,
    codes: ['NOT_YOUR_THREAD', 'NO_SUCH_THREAD', 'BLOCKED'],
    write: postMessage,
    answer: MessageView,
  }),
  CONFIRM_DELETION: declare({
    path: 'deletion-confirmation',
    summary: 'Confirm, as a recipient, that the request (ended WITHDRAWN, CANCELLED or EXPIRED) is deleted from the national records; once',
    after: 'The request as this recipient sees it, its `deletionConfirmedAt` set',
    body: DeletionConfirmationRequest,
    write: writeDeletionConfirmation,
  }),
  RECORD_OUTCOME: declare({
    path: 'outcomes',
    summary:
      'Record what followed in a recipient country (requesting NCB, once published): a freezing, seizure, confiscation, return or MLA request sent',
    after: 'The outcome as recorded',
    body: OutcomeRequest,
    creates: true,
    write: writeOutcome,
    answer: OutcomeView,
  }),
};

/**
 * Where `action` on request `id` is addressed; an action on a sub-resource (an amendment) is
 * addressed at the one `aid` names.
 */
export const actionHref = (action: ActionName, id: string, aid?: string) =>
  `/v1/notices/${id}/${ACTIONS[action].path.replace(':aid', aid ?? ':aid')}`;

/** How `action` is addressed. */
export const actionMethod = (action: ActionName) => ACTIONS[action].method ?? 'POST';
