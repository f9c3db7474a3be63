/**
 * The start page: what waits for the reader, as `GET /v1/work` gives it. Each kind of the role's
 * work with its count, and its requests (keys, webhooks) linked to where the work is done.
 */
import { Router } from 'express';
import type { Services } from '../../services';
import type { WorkItem } from '../../services/work';
import type { Ctx } from '../context';
import { html } from '../html';
import type { Key } from '../i18n';
import { page } from '../layout';
import { allow } from './allow';

/** Where an item's work is done. */
const hrefOf = (i: WorkItem) =>
  i.noticeId ? `/requests/${i.noticeId}` : i.keyId ? '/admin/keys' : i.country ? '/admin/webhooks' : undefined;

function itemLabel(ctx: Ctx, i: WorkItem) {
  if (i.noticeId) return i.reference ? `${i.reference} (${i.caseNumber})` : (i.caseNumber ?? '');
  if (i.keyId) return i.label ?? i.keyId;
  return `${ctx.fmt.country(i.country ?? '')}: ${i.failed ?? 0}`;
}

export function workRoutes(services: Services): Router {
  const router = Router();
  router.get('/work', ...allow('NCB', 'REVIEWER', 'CCF', 'ADMIN'), async (_req, res) => {
    const ctx = res.locals.ctx as Ctx;
    const { counts, items } = await services.work.of(ctx.principal!);
    const sections = Object.entries(counts).map(([kind, n]) => {
      const mine = items.filter((i) => i.kind === kind);
      const title = ctx.t(`work.${kind}` as Key);
      return html`<section class="work" aria-labelledby="work-${kind}">
        <h2 id="work-${kind}">${title} <span class="badge">${ctx.fmt.number(n)}</span></h2>
        ${
          mine.length
            ? html`<ul>
                ${mine.map((i) => {
                  const href = hrefOf(i);
                  const label = itemLabel(ctx, i);
                  return html`<li>
                    ${href ? html`<a href="${href}">${label}</a>` : label}
                    ${i.dueAt ? html` <span class="muted">${ctx.fmt.instant(i.dueAt)}</span>` : ''}
                  </li>`;
                })}
              </ul>`
            : ''
        }
      </section>`;
    });
    res.send(
      page(ctx, {
        title: ctx.t('nav.work'),
        body: html`<h1>${ctx.t('nav.work')}</h1>
          ${sections}`,
      }),
    );
  });
  return router;
}
