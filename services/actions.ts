/**
 * The actions people take on a request. Each checks that the caller may know the request and that
 * it is theirs to act on, then hands it to the request's workflow, which alone decides whether it
 * fits the current state; the answer is the request as the caller sees it once the action took effect.
 */
import crypto from 'node:crypto';
import type { UpdateDefinition } from '@temporalio/common';
import type { LocatedAsset } from '../domain/assets';
import type { Action } from '../domain/lifecycle';
import type { BlockingOutcome, DecisionKind, Ground, Outcome, RenewalDecision } from '../domain/model';
import { recipientProblems } from '../domain/recipients';
import { applyChanges, changeProblems, type RequestChanges } from '../domain/request';
import { findNotice, requestContent } from '../records/notices';
import { readPilotSettings } from '../records/pilot';
import { findResponse } from '../records/responses';
import * as m from '../workflows/messages';
import type { Principal, ServiceDeps } from './context';
import type { ReadingService, Relation } from './reading';
import { forbidden, invalid, Refusal, under } from './refusals';
import type { RequestWorkflows } from './requests';
import { claimKey } from './submission';

export interface ResponseBody {
  outcome: Outcome;
  final: boolean;
  reason?: string;
  handlingCode: string;
  assets?: LocatedAsset[];
}

/** Who must the caller be to the request: anyone who may know it (a role the route already checked), or one relation. */
type Needed = { relation: Relation; otherwise: string } | 'ANY';

export function actionService(deps: ServiceDeps, workflows: RequestWorkflows, reading: ReadingService) {
  const { prisma } = deps;

  /** The caller may know the request (404) and stands in the needed relation to it (403). */
  async function requireRelation(id: string, principal: Principal, needed: Needed): Promise<void> {
    const relation = await reading.relationOf(id, principal);
    if (needed !== 'ANY' && relation !== needed.relation) throw forbidden(needed.otherwise);
  }

  /** Checks the caller, sends the action to the workflow, answers with the request as the caller now sees it. */
  async function act<Arg>(
    principal: Principal,
    id: string,
    needed: Needed,
    action: Action,
    update: UpdateDefinition<m.ActionResult, [Arg]>,
    arg: Arg,
  ) {
    await requireRelation(id, principal, needed);
    await workflows.send(id, action, update, arg);
    return reading.view(id, principal);
  }

  const requester = (otherwise: string): Needed => ({ relation: 'REQUESTER', otherwise });
  const recipient = (otherwise: string): Needed => ({ relation: 'RECIPIENT', otherwise });

  return {
    decide: (principal: Principal, id: string, d: { decision: DecisionKind; reason?: string; grounds?: Ground[] }) =>
      act(principal, id, 'ANY', 'DECIDE', m.decideUpdate, {
        decision: d.decision,
        reason: d.reason,
        grounds: d.grounds ?? [],
        actor: principal,
      }),

    /** The changed request must still meet every submission rule: checked here, merged with what is stored. */
    async clarify(principal: Principal, id: string, c: { message: string; changes?: RequestChanges }) {
      await requireRelation(id, principal, requester('Only the requesting NCB can answer a clarification request'));
      const notice = (await findNotice(prisma, id))!;
      const changes = c.changes ?? {};
      const current = requestContent(notice);
      const merged = applyChanges(current, changes);
      const problems = [
        ...changeProblems(current, changes),
        ...recipientProblems(notice.requestingCountry, merged.recipients, await readPilotSettings(prisma)),
      ];
      if (problems.length) throw invalid('The changes would make the request invalid', under('changes', problems));
      await workflows.send(id, 'CLARIFY', m.clarifyUpdate, { message: c.message, changes, actor: principal });
      return reading.view(id, principal);
    },

    withdraw: (principal: Principal, id: string, w: { reason: string }) =>
      act(principal, id, requester('Only the requesting NCB can withdraw its request'), 'WITHDRAW', m.withdrawUpdate, {
        reason: w.reason,
        actor: principal,
      }),

    cancel: (principal: Principal, id: string, c: { reason: string; grounds?: Ground[] }) =>
      act(principal, id, 'ANY', 'CANCEL', m.cancelUpdate, { reason: c.reason, grounds: c.grounds ?? [], actor: principal }),

    /** An answer from a recipient; with an Idempotency-Key a repeat returns the first result. */
    async respond(principal: Principal, id: string, body: ResponseBody, idempotencyKey?: string) {
      await requireRelation(id, principal, recipient('Only a recipient of this request can respond to it'));
      let responseId: string = crypto.randomUUID();
      if (idempotencyKey) {
        const claim = await claimKey(deps, principal, `responses:${id}`, idempotencyKey, body);
        responseId = claim.resourceId;
        // A repeat of a recorded answer gets the first result, even if that answer has since completed the request.
        if (claim.replay && (await findResponse(prisma, responseId))) return { responseId, view: await reading.view(id, principal) };
      }
      await workflows
        .send(id, 'RESPOND', m.respondUpdate, {
          responseId,
          country: principal.country!,
          outcome: body.outcome,
          final: body.final,
          reason: body.reason,
          handlingCode: body.handlingCode,
          assets: body.assets ?? [],
          actor: principal,
        })
        .catch(async (err: unknown) => {
          // A repeat racing its first attempt: the first was recorded (and may have completed the
          // request) between the check above and this update. The caller gets the first result.
          if (!(idempotencyKey && err instanceof Refusal && err.kind === 'CONFLICT' && (await findResponse(prisma, responseId)))) throw err;
        });
      return { responseId, view: await reading.view(id, principal) };
    },

    /** A recipient says it has the request and, if it can, when it expects to answer. */
    acknowledge: (principal: Principal, id: string, a: { expectedBy?: Date }) =>
      act(principal, id, recipient('Only a recipient of this request can acknowledge it'), 'ACKNOWLEDGE', m.acknowledgeUpdate, {
        country: principal.country!,
        expectedBy: a.expectedBy?.getTime(),
        actor: principal,
      }),

    /** A recipient that cannot answer in time says why and when it will. */
    delay: (principal: Principal, id: string, d: { reason: string; expectedBy: Date }) =>
      act(principal, id, recipient('Only a recipient of this request can put its deadline back'), 'DELAY', m.delayUpdate, {
        country: principal.country!,
        reason: d.reason,
        expectedBy: d.expectedBy.getTime(),
        actor: principal,
      }),

    block: (principal: Principal, id: string, b: { reason: string }) =>
      act(principal, id, 'ANY', 'BLOCK', m.blockUpdate, { reason: b.reason, actor: principal }),

    decideBlocking: (principal: Principal, id: string, d: { outcome: BlockingOutcome; reason: string }) =>
      act(principal, id, 'ANY', 'DECIDE_BLOCKING', m.decideBlockingUpdate, { ...d, actor: principal }),

    requestRenewal: (principal: Principal, id: string, r: { reason: string }) =>
      act(
        principal,
        id,
        requester('Only the requesting NCB can ask for its request to be renewed'),
        'REQUEST_RENEWAL',
        m.requestRenewalUpdate,
        {
          reason: r.reason,
          actor: principal,
        },
      ),

    decideRenewal: (principal: Principal, id: string, d: { decision: RenewalDecision; reason: string }) =>
      act(principal, id, 'ANY', 'DECIDE_RENEWAL', m.decideRenewalUpdate, { ...d, actor: principal }),
  };
}
