/**
 * Taking an action on a request: the caller must be able to know the request (404 otherwise), and
 * the catalogue must let this caller take this action now, as the record shows it (403 or 409 with
 * the catalogue's code). The action then goes to the request's workflow, which checks it again
 * against its own state and alone decides; the answer is the request as the caller sees it once
 * the action took effect.
 *
 * Every action carries an id: the resource its Idempotency-Key was claimed for, or a fresh one.
 * Repeats are the workflow's to judge: a repeat is sent like a first attempt (as the same Temporal
 * update id), and the workflow, or the server for an update it has completed, answers it with the
 * first result. Nothing here concludes from the record that an action was done: a step can be
 * written while the workflow task that ran it is lost, and only the workflow knows it took the action.
 */
import crypto from 'node:crypto';
import type { ActionName } from '../domain/actions';
import { amendmentProblems, type AmendmentChanges } from '../domain/amendments';
import { recipientProblems } from '../domain/recipients';
import { applyChanges, changeProblems, type RequestChanges } from '../domain/request';
import { stepWritten } from '../records/audit';
import { requestContent } from '../records/notices';
import type { LoadedNotice } from '../records/queries';
import { findIdempotencyKey } from '../records/idempotency';
import { readPilotSettings } from '../records/pilot';
import type { UpdateDefinition } from '@temporalio/common';
import type { RefusalCode } from '../domain/codes';
import type { ActionInput, ActionResult, AmendmentInput } from '../workflows/messages';
import { ACTIONS, takenByWorkflow } from './action-registry';
import type { Principal, ServiceDeps } from './context';
import type { ReadingService } from './reading';
import { invalid, refused, Refusal, under } from './refusals';
import type { RequestWorkflows } from './requests';
import { callerRecord, recordedRefusal } from './situation';
import { bodyHash, claimKey, idempotencyMismatch } from './submission';

/**
 * Refusals by which the workflow says it has not yet reached what the record already shows (the
 * request published, its recipients known): the step's write is recorded before the workflow
 * takes in its result, and a worker lost in between widens that gap to seconds.
 */
const NOT_YET: ReadonlySet<RefusalCode> = new Set(['NOT_RECIPIENT', 'NOT_REQUESTER', 'WRONG_STATE']);
/** How long an action the record admits is offered again to a workflow that is catching up. */
const CATCH_UP_WAITS_MS = [100, 200, 400, 800, 1600, 3200, 6400];

/**
 * Where an action's Idempotency-Keys are kept apart: per action and request, and per sub-resource
 * (an amendment's decision) so one key cannot stand for a decision on another. Answers keep the
 * scope they always had.
 */
const keyScope = (name: ActionName, id: string, aid?: string) =>
  name === 'RESPOND' ? `responses:${id}` : `${name.toLowerCase()}:${id}${aid ? `:${aid}` : ''}`;

export function actionService(deps: ServiceDeps, workflows: RequestWorkflows, reading: ReadingService) {
  const { prisma } = deps;

  /**
   * Sends an action the record admits. A refusal of the not-yet kind is asked again after a growing
   * wait, as long as the record still admits the action (a refused update changed nothing, so
   * asking again is safe); any other refusal, or one that lasts, is the answer.
   */
  async function sendAdmitted<Arg extends ActionInput>(
    principal: Principal,
    id: string,
    name: ActionName,
    update: UpdateDefinition<ActionResult, [Arg]>,
    arg: Arg,
    repeat: boolean,
  ) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await workflows.send(id, name, update, arg);
      } catch (err) {
        const catchingUp = err instanceof Refusal && NOT_YET.has(err.code) && attempt < CATCH_UP_WAITS_MS.length;
        if (!catchingUp) throw err;
        await new Promise((r) => setTimeout(r, CATCH_UP_WAITS_MS[attempt]));
        if (!repeat) await admitted(name, principal, id, undefined, (arg as { takeOver?: unknown }).takeOver === true);
      }
    }
  }

  /** The request as the caller may know it (404 otherwise), once the catalogue lets the caller take `name` on it now. */
  async function admitted(
    name: ActionName,
    principal: Principal,
    id: string,
    known?: Awaited<ReturnType<ReadingService['visible']>>,
    takingOver = false,
  ) {
    const { notice, relation } = known ?? (await reading.visible(id, principal));
    const caller = await callerRecord(deps, principal, [notice]);
    const refusedNow = recordedRefusal(name, notice, relation, caller, deps.daySeconds, takingOver);
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

  /** An amendment must fit the request it amends: what it adds, merged, still meets a submission's rules. */
  async function checkAmendment(notice: LoadedNotice, changes: AmendmentChanges) {
    const request = { kind: notice.kind, requestingCountry: notice.requestingCountry, content: requestContent(notice) };
    const problems = amendmentProblems(request, changes, await readPilotSettings(prisma));
    if (problems.length) throw invalid('The amendment does not fit the request', problems);
  }

  /**
   * The id an earlier attempt with this Idempotency-Key was given, if one passed the checks below
   * (another body with the same key is 409). Only such an attempt makes this call a repeat: a key
   * is claimed once its call has been admitted, so a refused call repeated stays refused.
   */
  async function earlierAttempt(principal: Principal, scope: string, key: string | undefined, body: unknown) {
    if (!key) return undefined;
    const found = await findIdempotencyKey(prisma, { keyId: principal.keyId, scope, key });
    if (!found) return undefined;
    if (found.requestHash !== bodyHash(body)) throw idempotencyMismatch();
    return found.resourceId;
  }

  /** The new action's id: its Idempotency-Key's (claimed now that it is admitted), or a fresh one. */
  async function newActionId(principal: Principal, scope: string, key: string | undefined, body: unknown) {
    if (!key) return { actionId: crypto.randomUUID(), repeat: false };
    // Two first attempts at once: the one that claims the key second becomes its repeat.
    const claim = await claimKey(deps, principal, scope, key, body);
    return { actionId: claim.resourceId, repeat: claim.replay };
  }

  /**
   * A repeat that found the request's workflow ended: an ended workflow can no longer be asked, and
   * the server keeps the outcomes of its last run only. What the action's step wrote under the
   * action's id (its audit event, written only by a step the workflow ran) then says it was taken.
   */
  const takenBeforeTheEnd = (id: string, actionId: string) => stepWritten(prisma, { noticeId: id, eventId: actionId });

  return {
    /**
     * Takes action `name` with its parsed body. Answers the request as the caller now sees it, and
     * for an answer the id it was recorded under.
     */
    async take(
      name: ActionName,
      principal: Principal,
      id: string,
      body: unknown,
      opts: { idempotencyKey?: string; params?: { aid?: string } } = {},
    ): Promise<{ view: unknown; responseId?: string }> {
      const declared = ACTIONS[name];
      const known = await reading.visible(id, principal);
      // An action without a body (a DELETE) is keyed as one with an empty body.
      const keyed = body ?? null;
      const scope = keyScope(name, id, opts.params?.aid);
      const earlier = await earlierAttempt(principal, scope, opts.idempotencyKey, keyed);
      if (!takenByWorkflow(declared)) {
        // Judged on the record alone (see RecordAction); a repeat is the write's to recognise by its id.
        if (earlier === undefined) await admitted(name, principal, id, known);
        const { actionId } =
          earlier === undefined ? await newActionId(principal, scope, opts.idempotencyKey, keyed) : { actionId: earlier };
        const answer = await declared.write(deps, { noticeId: id, ...known, principal, body, actionId });
        return { view: answer ?? (await reading.view(id, principal)) };
      }
      const arg = declared.arg(body, principal, opts.params) as ActionInput;
      // A repeat may find the record past the point where the catalogue admits the action (the
      // first attempt moved it on): only the workflow can tell it from a new attempt.
      if (earlier === undefined) {
        const notice = await admitted(name, principal, id, known, (body as { takeOver?: unknown } | undefined)?.takeOver === true);
        if (name === 'CLARIFY') await checkClarification(notice, (body as { changes?: RequestChanges }).changes);
        if (name === 'AMEND') await checkAmendment(notice, (arg as AmendmentInput).changes);
      }
      const { actionId, repeat } =
        earlier === undefined ? await newActionId(principal, scope, opts.idempotencyKey, keyed) : { actionId: earlier, repeat: true };
      arg.actionId = actionId;
      // An answer is recorded under its action's id: the id the caller is given.
      if (name === 'RESPOND') Object.assign(arg, { responseId: actionId });
      await sendAdmitted(principal, id, name, declared.update as UpdateDefinition<ActionResult, [ActionInput]>, arg, repeat).catch(
        async (err: unknown) => {
          if (!(repeat && err instanceof Refusal && err.code === 'REQUEST_FINAL' && (await takenBeforeTheEnd(id, actionId)))) throw err;
        },
      );
      const view = await reading.view(id, principal);
      return {
        view: declared.answers ? declared.answers.from(view, actionId) : view,
        ...(name === 'RESPOND' ? { responseId: actionId } : {}),
      };
    },
  };
}
