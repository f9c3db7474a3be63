/** An NCB's new request: the API's fields, rules and messages, each problem next to its field. */
import { Router } from 'express';
import { NoticeRequest } from '../../api/schemas/requests';
import type { Services } from '../../services';
import { attempt, formToken, pageNotice, refusedForm, type Attempt } from '../attempt';
import type { Ctx } from '../context';
import { FormErrors, FormRenderer, parseWith, text, type Posted } from '../forms';
import { html } from '../html';
import { csrfField, page } from '../layout';
import { allow } from './allow';
import { requestFields, requestFromForm } from './request-form';

/** After a refusal the form gets a new token: what is sent next is a new submission. */
function newRequestPage(ctx: Ctx, form: Posted, refused?: Attempt<never>): string {
  const f = new FormRenderer(ctx, form, new FormErrors(refused && !refused.ok ? refused.problems : []));
  const fields = requestFields(f, { withKind: true, ownCountry: ctx.principal!.country ?? '' });
  return page(ctx, {
    title: ctx.t('nav.newRequest'),
    notice: pageNotice(refused),
    body: html`<h1>${ctx.t('nav.newRequest')}</h1>
      <p>${ctx.t('newRequest.intro')}</p>
      ${f.summary()}
      <form method="post" action="/requests/new" novalidate>
        ${csrfField(ctx)}<input type="hidden" name="_form" value="${refused ? crypto.randomUUID() : formToken(form._form)}" />
        ${fields}
        <button type="submit" class="primary">${ctx.t('newRequest.submit')}</button>
      </form>`,
  });
}

export function newRequestRoutes(services: Services): Router {
  const router = Router();

  router.get('/requests/new', ...allow('NCB'), (_req, res) => {
    const ctx = res.locals.ctx as Ctx;
    res.send(
      newRequestPage(ctx, { kind: 'DIFFUSION', handlingCode: 'H0', urgency: 'NORMAL', language: ctx.lang, _form: crypto.randomUUID() }),
    );
  });

  router.post('/requests/new', ...allow('NCB'), async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    const form = req.body as Posted;
    // "Add an asset" shows the form again with one more row; nothing is sent.
    if (text(form, '_add')) return void res.send(newRequestPage(ctx, form));
    const parsed = parseWith(NoticeRequest, requestFromForm(form, true));
    const done = parsed.ok
      ? await attempt(ctx, () => services.submission.submit(ctx.principal!, parsed.value, `console:${formToken(form._form)}`))
      : refusedForm(ctx, parsed.problems);
    if (!done.ok) return void res.status(done.status).send(newRequestPage(ctx, form, done));
    res.redirect(303, `/requests/${done.value.id}?done=submitted`);
  });

  return router;
}
