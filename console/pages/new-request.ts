/** An NCB's new request: the API's fields, rules and messages, each problem next to its field. */
import { Router } from 'express';
import { EXTRACT_TEXT_MAX } from '../../api/schemas/identifiers';
import { NoticeRequest } from '../../api/schemas/requests';
import { checkIdentifier, CHECKED_IDENTIFIERS, type CheckedIdentifier } from '../../domain/identifiers';
import { ASSET_CATEGORY_OF } from '../../domain/identifiers-in-text';
import type { Services } from '../../services';
import { attempt, formToken, pageNotice, refusedForm, type Attempt } from '../attempt';
import type { Ctx } from '../context';
import { FormErrors, FormRenderer, parseWith, text, type Posted } from '../forms';
import { html, type Html } from '../html';
import { csrfField, page } from '../layout';
import { allow } from './allow';
import { identifiersInForm, requestFields, requestFromForm, withAssetSought } from './request-form';

/**
 * The identifiers the facts mention that no asset sought holds yet, each a button that adds it as
 * one (the form comes back with that row filled; nothing is sent), and a button to look again.
 */
function identifiersInFacts(ctx: Ctx, services: Services, form: Posted): Html {
  const t = ctx.t;
  const facts = ['offence.description', 'offence.assetLink']
    .map((name) => text(form, name))
    .join('\n')
    .slice(0, EXTRACT_TEXT_MAX);
  const held = new Set(
    identifiersInForm(form).map(({ type, value }) => {
      const checked = checkIdentifier(type, value);
      return `${type}|${checked?.ok ? checked.normalised : value}`;
    }),
  );
  const found = facts.trim()
    ? services.identifiers.extract(ctx.principal!, facts).items.filter((i) => !held.has(`${i.type}|${i.normalised}`))
    : [];
  const button = (name: string, value: string, content: Html | string) =>
    html`<button type="submit" name="${name}" value="${value}" formaction="/requests/new#found" formnovalidate>${content}</button>`;
  return html`<div class="found" id="found" role="group" aria-labelledby="found-title">
    <p id="found-title"><strong>${t('newRequest.found')}</strong></p>
    ${
      found.length
        ? html`<ul>
            ${found.map(
              (i) =>
                html`<li>
                  ${button(
                    '_identifier',
                    `${i.type}:${i.normalised}`,
                    html`${t('newRequest.addFound', { type: ctx.label('identifier', i.type) })} <bdi dir="ltr">${i.normalised}</bdi>`,
                  )}
                </li>`,
            )}
          </ul>`
        : html`<p class="hint">${t(facts.trim() ? 'newRequest.foundNone' : 'newRequest.foundHint')}</p>`
    }
    ${button('_find', '1', t('newRequest.findIdentifiers'))}
  </div>`;
}

/** The form with an identifier found in the facts added as an asset sought, if it passes its check. */
function withFoundIdentifier(ctx: Ctx, form: Posted, offered: string): Posted {
  const at = offered.indexOf(':');
  const type = offered.slice(0, at) as CheckedIdentifier;
  const checked = CHECKED_IDENTIFIERS.includes(type) ? checkIdentifier(type, offered.slice(at + 1)) : undefined;
  if (!checked?.ok) return form;
  return withAssetSought(form, {
    category: ASSET_CATEGORY_OF[type],
    description: `${ctx.label('identifier', type)} ${checked.normalised}`,
    identifierType: type,
    identifier: checked.normalised,
  });
}

/** After a refusal the form gets a new token: what is sent next is a new submission. */
function newRequestPage(ctx: Ctx, services: Services, form: Posted, refused?: Attempt<never>): string {
  const f = new FormRenderer(ctx, form, new FormErrors(refused && !refused.ok ? refused.problems : []));
  const fields = requestFields(f, {
    withKind: true,
    ownCountry: ctx.principal!.country ?? '',
    afterFacts: identifiersInFacts(ctx, services, form),
  });
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
      newRequestPage(ctx, services, {
        kind: 'DIFFUSION',
        handlingCode: 'H0',
        urgency: 'NORMAL',
        language: ctx.lang,
        _form: crypto.randomUUID(),
      }),
    );
  });

  router.post('/requests/new', ...allow('NCB'), async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    const form = req.body as Posted;
    // "Add an asset", "look for identifiers" and "add this identifier" show the form again; nothing is sent.
    if (text(form, '_add') || text(form, '_find')) return void res.send(newRequestPage(ctx, services, form));
    if (text(form, '_identifier'))
      return void res.send(newRequestPage(ctx, services, withFoundIdentifier(ctx, form, text(form, '_identifier'))));
    const parsed = parseWith(NoticeRequest, requestFromForm(form, true));
    const done = parsed.ok
      ? await attempt(ctx, () => services.submission.submit(ctx.principal!, parsed.value, `console:${formToken(form._form)}`))
      : refusedForm(ctx, parsed.problems);
    if (!done.ok) return void res.status(done.status).send(newRequestPage(ctx, services, form, done));
    res.redirect(303, `/requests/${done.value.id}?done=submitted`);
  });

  return router;
}
