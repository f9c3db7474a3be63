/**
 * Taking an action on a request: the caller must be able to know the request (404 otherwise), and
 * the catalogue must let this caller take this action now, as the record shows it (403 or 409 with
 * the catalogue's code). The action then goes to the request's workflow, which checks it again
 * against its own state and alone decides; the answer is the request as the caller sees it once
 * the action took effect.
 */
import crypto from 'node:crypto';
import type { ActionName } from '../domain/actions';
import { recipientProblems } from '../domain/recipients';
import { applyChanges, changeProblems, type RequestChanges } from '../domain/request';
import { requestContent } from '../records/notices';
import type { LoadedNotice } from '../records/queries';
import { readPilotSettings } from '../records/pilot';
import { findResponse } from '../records/responses';
import type { UpdateDefinition } from '@temporalio/common';
import type { RefusalCode } from '../domain/codes';
import type { ActionResult, ResponseInput } from '../workflows/messages';
import { ACTIONS } from './action-registry';
import type { Principal, ServiceDeps } from './context';
import type { ReadingService } from './reading';
import { invalid, refused, Refusal, under } from './refusals';
import type { RequestWorkflows } from './requests';
import { callerRecord, recordedRefusal } from './situation';
import { claimKey } from './submission';

/**
 * Refusals by which the workflow says it has not yet reached what the record already shows (the
 * request published, its recipients known): the step's write is recorded before the workflow
 * takes in its result, and a worker lost in between widens that gap to seconds.
 */
const NOT_YET: ReadonlySet<RefusalCode> = new Set(['NOT_RECIPIENT', 'NOT_REQUESTER', 'WRONG_STATE']);
/** How long an action the record admits is offered again to a workflow that is catching up. */
const CATCH_UP_WAITS_MS = [100, 200, 400, 800, 1600, 3200, 6400];

export function actionService(deps: ServiceDeps, workflows: RequestWorkflows, reading: ReadingService) {
  const { prisma } = deps;

  /**
   * Sends an action the record admits. A refusal of the not-yet kind is asked again after a growing
   * wait, as long as the record still admits the action (a refused update changed nothing, so
   * asking again is safe); any other refusal, or one that lasts, is the answer.
   */
  async function sendAdmitted<Arg>(
    principal: Principal,
    id: string,
    name: ActionName,
    update: UpdateDefinition<ActionResult, [Arg]>,
    arg: Arg,
  ) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await workflows.send(id, name, update, arg);
      } catch (err) {
        const catchingUp = err instanceof Refusal && NOT_YET.has(err.code) && attempt < CATCH_UP_WAITS_MS.length;
        if (!catchingUp) throw err;
        await new Promise((r) => setTimeout(r, CATCH_UP_WAITS_MS[attempt]));
        await admitted(name, principal, id);
      }
    }
  }

  /** The request as the caller may know it (404 otherwise), once the catalogue lets the caller take `name` on it now. */
  async function admitted(name: ActionName, principal: Principal, id: string, known?: Awaited<ReturnType<ReadingService['visible']>>) {
    const { notice, relation } = known ?? (await reading.visible(id, principal));
    const refusedNow = recordedRefusal(name, notice, relation, await callerRecord(deps, principal, [notice]), deps.daySeconds);
    if (refusedNow) throw refused(refusedNow);
    return notice;
  }

  /** A clarification's changes, merged with what is stored, must still meet every submission rule. */
  async function checkClarification(notice: LoadedNotice, changes: RequestChanges = {}) {
    const current = requestContent(notice);
    const merged = applyChanges(current, changes);
    const problems = [
      ...changeProblems(current, changes),
      ...recipientProblems(notice.requestingCountry, merged.recipients, await readPilotSettings(prisma)),
    ];
    if (problems.length) throw invalid('The changes would make the request invalid', under('changes', problems));
  }

  /** An answer from a recipient; with an Idempotency-Key a repeat returns the first result. */
  async function respond(principal: Principal, id: string, arg: ResponseInput, body: unknown, idempotencyKey?: string) {
    const known = await reading.visible(id, principal);
    let responseId: string = crypto.randomUUID();
    if (idempotencyKey) {
      const claim = await claimKey(deps, principal, `responses:${id}`, idempotencyKey, body);
      responseId = claim.resourceId;
      // A repeat of a recorded answer gets the first result, even if that answer has since completed the request.
      if (claim.replay && (await findResponse(prisma, responseId))) return responseId;
    }
    await admitted('RESPOND', principal, id, known);
    await sendAdmitted(principal, id, 'RESPOND', ACTIONS.RESPOND.update, { ...arg, responseId }).catch(async (err: unknown) => {
      // A repeat racing its first attempt: the first was recorded (and may have completed the
      // request) between the check above and this update. The caller gets the first result.
      if (!(idempotencyKey && err instanceof Refusal && err.kind === 'CONFLICT' && (await findResponse(prisma, responseId)))) throw err;
    });
    return responseId;
  }

  return {
    /**
     * Takes action `name` with its parsed body. Answers the request as the caller now sees it, and
     * for an answer the id it was recorded under.
     */
    async take(name: ActionName, principal: Principal, id: string, body: unknown, opts: { idempotencyKey?: string } = {}) {
      const declared = ACTIONS[name];
      const arg = declared.arg(body, principal);
      if (name === 'RESPOND') {
        const responseId = await respond(principal, id, arg as ResponseInput, body, opts.idempotencyKey);
        return { view: await reading.view(id, principal), responseId };
      }
      const notice = await admitted(name, principal, id);
      if (name === 'CLARIFY') await checkClarification(notice, (body as { changes?: RequestChanges }).changes);
      await sendAdmitted(principal, id, name, declared.update, arg);
      return { view: await reading.view(id, principal) };
    },
  };
}
