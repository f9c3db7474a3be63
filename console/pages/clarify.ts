/**
 * The requester answers a reviewer's question: a message, and the request's fields to change, shown
 * filled with what the request says now. Only the fields that differ are sent as changes, checked by
 * the API's schema and by the same service as POST /v1/notices/:id/clarifications.
 */
import { Router } from 'express';
import { ClarificationRequest } from '../../api/schemas/requests';
import { REQUEST_FIELDS } from '../../domain/request';
import type { Services } from '../../services';
import { forbidden } from '../../services/refusals';
import { attempt, pageNotice, refusedForm, type Attempt } from '../attempt';
import type { Ctx } from '../context';
import { FormErrors, FormRenderer, optional, parseWith, text, type Posted } from '../forms';
import { html } from '../html';
import { csrfField, page } from '../layout';
import { allow } from './allow';
import { isFull, type FullView } from './parts';
import { requestId } from './request-data';
import { formFromRequest, requestFields, requestFromForm } from './request-form';

function clarifyPage(ctx: Ctx, v: FullView, form: Posted, refused?: Attempt<never>): string {
  // The form's fields are the changes' fields: their problems come back under `changes.`.
  const problems = refused && !refused.ok ? refused.problems.map((p) => ({ ...p, path: p.path.replace(/^changes\./, '') })) : [];
  const f = new FormRenderer(ctx, form, new FormErrors(problems));
  const message = f.textarea({ name: 'message', label: ctx.t('clarify.message'), rows: 4, required: true });
  const fields = requestFields(f, { withKind: false, ownCountry: v.requestingCountry });
  const asked = v.review?.decisions.filter((d) => d.decision === 'REQUEST_CLARIFICATION').at(-1);
  return page(ctx, {
    title: ctx.t('clarify.title'),
    notice: pageNotice(refused),
    body: html`<h1>${ctx.t('clarify.title')}</h1>
      <p><a href="/requests/${v.id}">${ctx.t('clarify.back')}</a></p>
      <h2>${ctx.t('clarify.question')}</h2>
      ${asked?.reason ? html`<blockquote dir="auto">${asked.reason}</blockquote>` : ''} ${f.summary()}
      <form method="post" action="/requests/${v.id}/clarify" novalidate>
        ${csrfField(ctx)}${message}
        <p class="hint">${ctx.t('clarify.changesHint')}</p>
        ${fields}
        <button type="submit" class="primary">${ctx.t('clarify.submit')}</button>
      </form>`,
  });
}

/** The request's fields the form changed (compared with what the request says now). */
function changedFields(v: FullView, form: Posted): Record<string, unknown> {
  const now = requestFromForm(formFromRequest(v), false);
  const next = requestFromForm(form, false);
  return Object.fromEntries(
    REQUEST_FIELDS.filter((k) => next[k] !== undefined && JSON.stringify(next[k]) !== JSON.stringify(now[k])).map((k) => [k, next[k]]),
  );
}

export function clarifyRoutes(services: Services): Router {
  const router = Router();

  /** The request, if the reader is its requester. */
  async function awaiting(ctx: Ctx, rawId: string): Promise<FullView> {
    const id = requestId(rawId);
    if (!id) throw Object.assign(new Error('No such request'), { status: 404 });
    const { view, relation } = await services.reading.viewAs(id, ctx.principal!, 'notice');
    if (relation !== 'REQUESTER' || !isFull(view)) throw forbidden(ctx.t('error.403.role'), 'NOT_REQUESTER');
    return view;
  }

  router.get('/requests/:id/clarify', ...allow('NCB'), async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    const v = await awaiting(ctx, String(req.params.id));
    // No question awaits an answer (any more): the request's page says where it stands.
    if (!v.actions.some((a) => a.name === 'CLARIFY')) return res.redirect(303, `/requests/${v.id}`);
    res.send(clarifyPage(ctx, v, formFromRequest(v)));
  });

  router.post('/requests/:id/clarify', ...allow('NCB'), async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    const v = await awaiting(ctx, String(req.params.id));
    const form = req.body as Posted;
    if (text(form, '_add')) return void res.send(clarifyPage(ctx, v, form));
    const parsed = parseWith(ClarificationRequest, { message: optional(form, 'message'), changes: changedFields(v, form) });
    const done = parsed.ok
      ? await attempt(ctx, () => services.actions.take('CLARIFY', ctx.principal!, v.id, parsed.value))
      : refusedForm(ctx, parsed.problems);
    if (!done.ok) return void res.status(done.status).send(clarifyPage(ctx, v, form, done));
    res.redirect(303, `/requests/${v.id}?done=clarify`);
  });

  return router;
}
