/**
 * What the forms of a request's page post. Each action takes the API's body (checked by the API's
 * schema), the API's roles, and the same service call as its API route; it answers with the
 * request's page: a redirect once done, or the form again with what to fix.
 */
import { Router } from 'express';
import type { ZodType } from 'zod';
import {
  AcknowledgementRequest,
  BlockingDecisionRequest,
  BlockingRequest,
  CancellationRequest,
  DecisionRequest,
  DelayRequest,
  RenewalDecisionRequest,
  RenewalRequest,
  ResponseRequest,
  WithdrawalRequest,
} from '../../api/schemas/requests';
import type { Role } from '../../domain/model';
import type { Principal, Services } from '../../services';
import { forbidden } from '../../services/refusals';
import { attempt, formToken, refusedForm } from '../attempt';
import type { Ctx } from '../context';
import { wallTimeToInstant } from '../format';
import { compact, optional, parseWith, text, values, type Posted } from '../forms';
import { requireCsrf } from '../session';
import { allow } from './allow';
import { answerFromForm } from './answer-form';
import { loadRequestPage, requestId } from './request-data';
import { requestPage } from './request';

interface Action {
  roles: Role[];
  schema: ZodType;
  body: (form: Posted, ctx: Ctx) => unknown;
  run: (services: Services, principal: Principal, id: string, body: any, form: Posted) => Promise<unknown>;
}

const reasonOnly = (form: Posted) => compact({ reason: optional(form, 'reason') }) ?? {};
/** A time typed in the reader's zone, as the instant the API takes (the text itself when it is not a time). */
const instantIn = (form: Posted, name: string, ctx: Ctx) => {
  const local = optional(form, name);
  return local && (wallTimeToInstant(local, ctx.timeZone) ?? local);
};

const ACTIONS: Record<string, Action> = {
  decide: {
    roles: ['REVIEWER'],
    schema: DecisionRequest,
    body: (f) =>
      compact({
        decision: optional(f, 'decision'),
        reason: optional(f, 'reason'),
        grounds: values(f, 'grounds').length ? values(f, 'grounds') : undefined,
      }) ?? {},
    run: (s, p, id, b) => s.actions.decide(p, id, b),
  },
  cancel: {
    roles: ['REVIEWER'],
    schema: CancellationRequest,
    body: (f) => compact({ reason: optional(f, 'reason'), grounds: values(f, 'grounds').length ? values(f, 'grounds') : undefined }) ?? {},
    run: (s, p, id, b) => s.actions.cancel(p, id, b),
  },
  'renewal-decision': {
    roles: ['REVIEWER'],
    schema: RenewalDecisionRequest,
    body: (f) => compact({ decision: optional(f, 'decision'), reason: optional(f, 'reason') }) ?? {},
    run: (s, p, id, b) => s.actions.decideRenewal(p, id, b),
  },
  block: { roles: ['CCF'], schema: BlockingRequest, body: reasonOnly, run: (s, p, id, b) => s.actions.block(p, id, b) },
  'blocking-decision': {
    roles: ['CCF'],
    schema: BlockingDecisionRequest,
    body: (f) => compact({ outcome: optional(f, 'outcome'), reason: optional(f, 'reason') }) ?? {},
    run: (s, p, id, b) => s.actions.decideBlocking(p, id, b),
  },
  withdraw: { roles: ['NCB'], schema: WithdrawalRequest, body: reasonOnly, run: (s, p, id, b) => s.actions.withdraw(p, id, b) },
  renewal: { roles: ['NCB'], schema: RenewalRequest, body: reasonOnly, run: (s, p, id, b) => s.actions.requestRenewal(p, id, b) },
  acknowledge: {
    roles: ['NCB'],
    schema: AcknowledgementRequest,
    body: (f, ctx) => compact({ expectedBy: instantIn(f, 'expectedBy', ctx) }) ?? {},
    run: (s, p, id, b) => s.actions.acknowledge(p, id, b),
  },
  delay: {
    roles: ['NCB'],
    schema: DelayRequest,
    body: (f, ctx) => compact({ reason: optional(f, 'reason'), expectedBy: instantIn(f, 'expectedBy', ctx) }) ?? {},
    run: (s, p, id, b) => s.actions.delay(p, id, b),
  },
  answer: {
    roles: ['NCB'],
    schema: ResponseRequest,
    body: answerFromForm,
    run: (s, p, id, b, form) => s.actions.respond(p, id, b, `console:${formToken(form._form)}`),
  },
};

export function actionRoutes(services: Services): Router {
  const router = Router();
  router.post('/requests/:id/:action', ...allow('NCB', 'REVIEWER', 'CCF'), requireCsrf, async (req, res, next) => {
    const ctx = res.locals.ctx as Ctx;
    const principal = ctx.principal!;
    const name = String(req.params.action);
    const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
    const id = requestId(req.params.id);
    if (!action || !id) return next(Object.assign(new Error('No such page'), { status: 404 }));
    if (!action.roles.includes(principal.role)) return next(forbidden(ctx.t('error.403.role')));
    const form = req.body as Posted;
    const show = async (o: Parameters<typeof requestPage>[2], status = 200) =>
      res.status(status).send(requestPage(ctx, await loadRequestPage(services, principal, id), o));
    // "Add an asset" shows the form again with one more row; nothing is sent.
    if (text(form, '_add')) return void (await show({ state: { action: name, form } }));
    const parsed = parseWith(action.schema, action.body(form, ctx));
    const done = parsed.ok
      ? await attempt(ctx, () => action.run(services, principal, id, parsed.value, form))
      : refusedForm(ctx, parsed.problems);
    if (done.ok) return res.redirect(303, `/requests/${id}?done=${name}`);
    await show(
      {
        state: { action: name, form: { ...form, _form: crypto.randomUUID() }, refused: done },
        notice: { kind: 'error', text: done.notice },
      },
      done.status,
    );
  });
  return router;
}
