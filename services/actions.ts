/**
 * The actions people take on a request. Each checks that the caller may know the request and that
 * it is theirs to act on, then hands it to the request's workflow, which alone decides whether it
 * fits the current state; the answer is the request as the caller sees it once the action took effect.
 */
import crypto from 'node:crypto';
import type { LocatedAsset } from '../domain/assets';
import type { DecisionKind, Ground, Outcome } from '../domain/model';
import { recipientProblems } from '../domain/recipients';
import { applyChanges, kindProblems, type RequestChanges } from '../domain/request';
import { findNotice, requestContent } from '../records/notices';
import { readPilotSettings } from '../records/pilot';
import { findResponse } from '../records/responses';
import { cancelUpdate, clarifyUpdate, decideUpdate, respondUpdate, withdrawUpdate } from '../workflows/messages';
import type { Principal, ServiceDeps } from './context';
import type { ReadingService, Relation } from './reading';
import { forbidden, invalid, under } from './refusals';
import type { RequestWorkflows } from './requests';
import { claimKey } from './submission';

export interface ResponseBody {
  outcome: Outcome;
  final: boolean;
  reason?: string;
  handlingCode: string;
  assets?: LocatedAsset[];
}

export function actionService(deps: ServiceDeps, workflows: RequestWorkflows, reading: ReadingService) {
  const { prisma } = deps;

  /** The request, if the caller may know it (404) and stands in `needed` relation to it (403). */
  async function requireRelation(id: string, principal: Principal, needed: Relation | undefined, otherwise: string) {
    const notice = await findNotice(prisma, id);
    const relation = await reading.relationOf(id, principal, notice);
    if (needed && relation !== needed) throw forbidden(otherwise);
    return notice!;
  }

  return {
    async decide(principal: Principal, id: string, d: { decision: DecisionKind; reason?: string; grounds?: Ground[] }) {
      await requireRelation(id, principal, undefined, '');
      await workflows.send(id, 'DECIDE', decideUpdate, {
        decision: d.decision,
        reason: d.reason,
        grounds: d.grounds ?? [],
        actor: principal,
      });
      return reading.view(id, principal);
    },

    /** The changed request must still meet every submission rule: checked here, merged with what is stored. */
    async clarify(principal: Principal, id: string, c: { message: string; changes?: RequestChanges }) {
      const notice = await requireRelation(id, principal, 'REQUESTER', 'Only the requesting NCB can answer a clarification request');
      const changes = c.changes ?? {};
      const merged = applyChanges(requestContent(notice), changes);
      const problems = [
        ...kindProblems(merged),
        ...recipientProblems(notice.requestingCountry, merged.recipients, await readPilotSettings(prisma)),
      ];
      if (problems.length) throw invalid('The changes would make the request invalid', under('changes', problems));
      await workflows.send(id, 'CLARIFY', clarifyUpdate, { message: c.message, changes, actor: principal });
      return reading.view(id, principal);
    },

    async withdraw(principal: Principal, id: string, w: { reason: string }) {
      await requireRelation(id, principal, 'REQUESTER', 'Only the requesting NCB can withdraw its request');
      await workflows.send(id, 'WITHDRAW', withdrawUpdate, { reason: w.reason, actor: principal });
      return reading.view(id, principal);
    },

    async cancel(principal: Principal, id: string, c: { reason: string; grounds?: Ground[] }) {
      await requireRelation(id, principal, undefined, '');
      await workflows.send(id, 'CANCEL', cancelUpdate, { reason: c.reason, grounds: c.grounds ?? [], actor: principal });
      return reading.view(id, principal);
    },

    /** An answer from a recipient; with an Idempotency-Key a repeat returns the first result. */
    async respond(principal: Principal, id: string, body: ResponseBody, idempotencyKey?: string) {
      await requireRelation(id, principal, 'RECIPIENT', 'Only a recipient of this request can respond to it');
      let responseId: string = crypto.randomUUID();
      if (idempotencyKey) {
        const claim = await claimKey(deps, principal, `responses:${id}`, idempotencyKey, body);
        responseId = claim.resourceId;
        // A repeat of a recorded answer gets the first result, even if that answer has since completed the request.
        if (claim.replay && (await findResponse(prisma, responseId))) return { responseId, view: await reading.view(id, principal) };
      }
      await workflows.send(id, 'RESPOND', respondUpdate, {
        responseId,
        country: principal.country!,
        outcome: body.outcome,
        final: body.final,
        reason: body.reason,
        handlingCode: body.handlingCode,
        assets: body.assets ?? [],
        actor: principal,
      });
      return { responseId, view: await reading.view(id, principal) };
    },
  };
}
