/**
 * What the forms of a request's page post. Each console action names the catalogue's action it
 * takes; its roles, its body's schema and its use case are that action's, as the API's route has
 * them. A form only turns posted fields into that body. It answers with the request's page: a
 * redirect once done, or the form again with what to fix.
 */
import { Router } from 'express';
import { type ActionName } from '../../domain/actions';
import { rolesFor } from '../../domain/permissions';
import type { Services } from '../../services';
import { ACTIONS as DECLARED } from '../../services/action-registry';
import { forbidden } from '../../services/refusals';
import { attempt, formToken, refusedForm } from '../attempt';
import { confirmPage, isBack, isConfirmed } from '../confirm';
import type { Ctx } from '../context';
import { wallTimeToInstant } from '../format';
import { compact, optional, parseWith, text, values, type Posted } from '../forms';
import type { Content } from '../html';
import type { Key, LabelGroup } from '../i18n';
import { allow } from './allow';
import { amendmentFromForm } from './amendments';
import { answerFromForm } from './answer-form';
import { moneyFrom } from './request-form';
import { loadRequestPage, requestId } from './request-data';
import { requestPage } from './request';

interface ConsoleAction {
  name: ActionName;
  /** The API's body, from the posted fields. */
  body: (form: Posted, ctx: Ctx) => unknown;
  /** The sub-resource the action is on (an amendment), from the posted fields. */
  params?: (form: Posted) => { aid?: string };
  /**
   * Cannot be undone once taken (with this form's choices): its reader confirms it on a page that
   * restates it first. The choices restated are the posted fields named here, with their labels.
   */
  irreversible?: { when?: (form: Posted) => boolean; restate: Restated[] };
}

/** A posted field restated before confirming: its name, its label, and the label group naming its value. */
type Restated = [field: string, label: Key, group?: LabelGroup];
const REASON: Restated = ['reason', 'field.reason'];

const reasonOnly = (form: Posted) => compact({ reason: optional(form, 'reason') }) ?? {};
const groundsOf = (f: Posted) => (values(f, 'grounds').length ? values(f, 'grounds') : undefined);
/** A time typed in the reader's zone, as the instant the API takes (the text itself when it is not a time). */
const instantIn = (form: Posted, name: string, ctx: Ctx) => {
  const local = optional(form, name);
  return local && (wallTimeToInstant(local, ctx.timeZone) ?? local);
};

/** The console's address of each action (`/requests/:id/<slug>`): the catalogue's name, in the page's own words. */
export const CONSOLE_ACTIONS: Record<string, ConsoleAction> = {
  message: {
    name: 'MESSAGE',
    body: (f) => compact({ body: optional(f, 'body'), handlingCode: optional(f, 'handlingCode'), country: optional(f, 'country') }) ?? {},
  },
  claim: {
    name: 'CLAIM',
    body: (f) => compact({ takeOver: text(f, 'takeOver') === 'true' ? true : undefined, reason: optional(f, 'reason') }) ?? {},
  },
  release: { name: 'RELEASE', body: () => undefined },
  decide: {
    name: 'DECIDE',
    body: (f) => compact({ decision: optional(f, 'decision'), reason: optional(f, 'reason'), grounds: groundsOf(f) }) ?? {},
  },
  cancel: {
    name: 'CANCEL',
    body: (f) => compact({ reason: optional(f, 'reason'), grounds: groundsOf(f) }) ?? {},
    irreversible: { restate: [REASON, ['grounds', 'field.grounds', 'ground']] },
  },
  'renewal-decision': {
    name: 'DECIDE_RENEWAL',
    body: (f) => compact({ decision: optional(f, 'decision'), reason: optional(f, 'reason') }) ?? {},
  },
  block: { name: 'BLOCK', body: reasonOnly, irreversible: { restate: [['reason', 'field.complaint']] } },
  'blocking-decision': {
    name: 'DECIDE_BLOCKING',
    body: (f) => compact({ outcome: optional(f, 'outcome'), reason: optional(f, 'reason') }) ?? {},
    irreversible: { restate: [['outcome', 'field.outcome', 'blockingOutcome'], REASON] },
  },
  withdraw: { name: 'WITHDRAW', body: reasonOnly, irreversible: { restate: [REASON] } },
  renewal: { name: 'REQUEST_RENEWAL', body: reasonOnly },
  'confirm-deletion': { name: 'CONFIRM_DELETION', body: () => undefined, irreversible: { restate: [] } },
  outcome: {
    name: 'RECORD_OUTCOME',
    body: (f) =>
      compact({
        measure: optional(f, 'measure'),
        country: optional(f, 'country'),
        date: optional(f, 'date'),
        value: moneyFrom(f, 'value'),
        note: optional(f, 'note'),
      }) ?? {},
  },
  amend: { name: 'AMEND', body: amendmentFromForm },
  'amendment-decision': {
    name: 'DECIDE_AMENDMENT',
    body: (f) => compact({ decision: optional(f, 'decision'), reason: optional(f, 'reason') }) ?? {},
    params: (f) => ({ aid: optional(f, 'aid') }),
  },
  acknowledge: { name: 'ACKNOWLEDGE', body: (f, ctx) => compact({ expectedBy: instantIn(f, 'expectedBy', ctx) }) ?? {} },
  delay: { name: 'DELAY', body: (f, ctx) => compact({ reason: optional(f, 'reason'), expectedBy: instantIn(f, 'expectedBy', ctx) }) ?? {} },
  answer: {
    name: 'RESPOND',
    body: answerFromForm,
    // An interim answer is followed by another; a final one closes this recipient's part.
    irreversible: {
      when: (f) => text(f, 'final') !== 'INTERIM',
      restate: [
        ['outcome', 'field.outcome', 'outcome'],
        ['reason', 'field.answerReason'],
        ['handlingCode', 'field.handlingCode', 'handlingCode'],
      ],
    },
  },
};

const needsConfirming = (a: ConsoleAction, form: Posted) => !!a.irreversible && (a.irreversible.when?.(form) ?? true) && !isConfirmed(form);

function restated(ctx: Ctx, a: ConsoleAction, form: Posted): [string, Content][] {
  return (a.irreversible?.restate ?? []).flatMap(([field, label, group]) => {
    const chosen = values(form, field).map((v) => (group ? ctx.label(group, v) : v));
    return chosen.length ? [[ctx.t(label), ctx.fmt.list(chosen)] as [string, Content]] : [];
  });
}

export function actionRoutes(services: Services): Router {
  const router = Router();
  router.post('/requests/:id/:action', ...allow('NCB', 'REVIEWER', 'CCF'), async (req, res, next) => {
    const ctx = res.locals.ctx as Ctx;
    const principal = ctx.principal!;
    const name = String(req.params.action);
    const action = Object.hasOwn(CONSOLE_ACTIONS, name) ? CONSOLE_ACTIONS[name] : undefined;
    const id = requestId(req.params.id);
    if (!action || !id) return next(Object.assign(new Error('No such page'), { status: 404 }));
    if (!rolesFor(action.name).includes(principal.role)) return next(forbidden(ctx.t('error.403.role')));
    const form = req.body as Posted;
    const show = async (o: Parameters<typeof requestPage>[2], status = 200) =>
      res.status(status).send(requestPage(ctx, await loadRequestPage(services, principal, id), o));
    // "Add an asset" shows the form again with one more row; nothing is sent.
    if (text(form, '_add') || isBack(form)) return void (await show({ state: { action: name, form } }));
    const parsed = parseWith(DECLARED[action.name].body, action.body(form, ctx));
    if (parsed.ok && needsConfirming(action, form)) {
      return void res.send(
        confirmPage(ctx, {
          title: ctx.t(`confirm.title.${name}` as Key),
          consequence: ctx.t(`confirm.consequence.${name}` as Key),
          facts: restated(ctx, action, form),
          action: `/requests/${id}/${name}`,
          form,
          submit: ctx.t('confirm.submit'),
        }),
      );
    }
    // An answer's or a message's form token is its Idempotency-Key: a form posted twice records it once.
    const idempotencyKey = action.name === 'RESPOND' || action.name === 'MESSAGE' ? `console:${formToken(form._form)}` : undefined;
    const done = parsed.ok
      ? await attempt(ctx, () =>
          services.actions.take(action.name, principal, id, parsed.value, { idempotencyKey, params: action.params?.(form) }),
        )
      : refusedForm(ctx, parsed.problems);
    if (done.ok) return res.redirect(303, `/requests/${id}?done=${name}${action.name === 'MESSAGE' ? '#threads' : ''}`);
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
