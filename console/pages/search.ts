/**
 * The search box's results: the services' search, so a reader finds exactly what the API would
 * find for them (each request found is an audited read there too).
 */
import { Router } from 'express';
import type { Services } from '../../services';
import { Refusal } from '../../services';
import type { Ctx } from '../context';
import { html } from '../html';
import type { Key } from '../i18n';
import { page } from '../layout';
import { allow } from './allow';
import { badge, thead } from './parts';

export function searchRoutes(services: Services): Router {
  const router = Router();

  router.get('/search', ...allow('NCB', 'REVIEWER', 'CCF'), async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : '';
    let found: Awaited<ReturnType<Services['search']['search']>> | undefined;
    let unusable = false;
    try {
      if (q) found = await services.search.search(ctx.principal!, q);
    } catch (err) {
      if (!(err instanceof Refusal && err.kind === 'INVALID')) throw err;
      unusable = true;
    }
    const rows = (found?.items ?? []).map(
      (i) =>
        html`<tr>
          <td><a href="/requests/${i.noticeId}">${i.caseNumber}</a></td>
          <td>${i.reference ?? '—'}</td>
          <td>${badge(ctx, i.status)}</td>
          <td>${new Intl.ListFormat(ctx.lang, { type: 'unit' }).format(i.matched.map((f) => ctx.t(`search.field.${f}` as Key)))}</td>
        </tr>`,
    );
    res.send(
      page(ctx, {
        title: q ? `${ctx.t('search.title')}: ${q}` : ctx.t('search.title'),
        notice: unusable ? { kind: 'error', text: ctx.t('search.invalid') } : undefined,
        body: html`<h1>${ctx.t('search.title')}</h1>
          <p>${ctx.t('search.intro')}</p>
          <form method="get" action="/search" class="search-page">
            <label for="search-q">${ctx.t('search.label')}</label>
            <input id="search-q" name="q" type="search" value="${q}" maxlength="200" dir="auto" />
            <button type="submit">${ctx.t('search.button')}</button>
          </form>
          ${
            found
              ? rows.length
                ? html`<table>
                    <caption>
                      ${ctx.t('search.caption')}
                    </caption>
                    ${thead([ctx.t('col.caseNumber'), ctx.t('col.reference'), ctx.t('col.status'), ctx.t('col.matched')])}
                    <tbody>
                      ${rows}
                    </tbody>
                  </table>`
                : html`<p class="empty">${ctx.t('search.empty')}</p>`
              : ''
          }`,
      }),
    );
  });

  return router;
}
