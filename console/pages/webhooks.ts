/** Administration of webhooks: a country's receiver (its secret shown once), its deliveries, sending one again. */
import { Router } from 'express';
import { WebhookRequest } from '../../api/schemas/webhooks';
import { MEMBER_COUNTRIES } from '../../domain/countries';
import type { Services } from '../../services';
import { notFound } from '../../services/refusals';
import { attempt, pageNotice, refusedForm } from '../attempt';
import { ctxOf, type Ctx } from '../context';
import { compact, FormErrors, FormRenderer, optional, parseWith, type Posted } from '../forms';
import { html } from '../html';
import { page } from '../layout';
import { form, problemsOf, rowButton, type Refused } from './admin';
import { allow } from './allow';
import { countryOptions, section, thead } from './parts';
import { idOr404 } from './request-data';

/** A member country's code from a path, or 404. */
const countryOf = (raw: string) => {
  const code = raw.toUpperCase();
  if (!MEMBER_COUNTRIES.some((c) => c.code === code)) throw notFound('No such member country');
  return code;
};

async function webhooksPage(
  services: Services,
  ctx: Ctx,
  posted: Posted = {},
  refused?: Refused,
  created?: { country: string; secret: string },
): Promise<string> {
  const t = ctx.t;
  const webhooks = await services.webhooks.list();
  const f = new FormRenderer(ctx, posted, new FormErrors(problemsOf(refused)));
  const fields = html`${f.select({
    name: 'country',
    label: t('field.country'),
    options: countryOptions(
      ctx,
      MEMBER_COUNTRIES.map((c) => c.code),
    ),
    empty: '',
    required: true,
  })}
  ${f.input({ name: 'url', label: t('admin.webhookUrl'), type: 'url', hint: t('admin.webhookUrlHint'), required: true })}`;
  return page(ctx, {
    title: t('nav.webhooks'),
    notice: pageNotice(refused),
    body: html`<h1>${t('nav.webhooks')}</h1>
      <p>${t('admin.webhooksIntro')}</p>
      ${
        created
          ? html`<div class="secret" role="status">
              <h2>${t('admin.webhookCreated', { country: ctx.fmt.country(created.country) })}</h2>
              <p>${t('admin.webhookOnce')}</p>
              <p><code id="created-secret">${created.secret}</code></p>
            </div>`
          : ''
      }
      ${
        webhooks.length
          ? html`<table>
              <caption>
                ${t('nav.webhooks')}
              </caption>
              ${thead([t('col.country'), t('admin.col.url'), t('col.updated'), t('col.actions')])}
              <tbody>
                ${webhooks.map(
                  (w) =>
                    html`<tr>
                      <td>${ctx.fmt.country(w.country)}</td>
                      <td><code>${w.url}</code></td>
                      <td>${ctx.fmt.instant(w.updatedAt)}</td>
                      <td>
                        <a href="/admin/webhooks/${w.country}">${t('admin.deliveries')}</a>
                        ${rowButton(ctx, `/admin/webhooks/${w.country}/remove`, t('admin.remove'), ctx.fmt.country(w.country))}
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : html`<p>${t('admin.noWebhooks')}</p>`
      }
      ${section('new-webhook', t('admin.newWebhook'), form(ctx, '/admin/webhooks', t('admin.setWebhook'), fields, f))}`,
  });
}

async function deliveriesPage(
  services: Services,
  ctx: Ctx,
  country: string,
  o: { refused?: Refused; sent?: boolean } = {},
): Promise<string> {
  const t = ctx.t;
  const { items } = await services.webhooks.deliveries(ctx.principal!, country, { limit: 100 });
  const title = t('admin.deliveriesOf', { country: ctx.fmt.country(country) });
  return page(ctx, {
    title,
    notice: pageNotice(o.refused) ?? (o.sent ? { kind: 'ok', text: t('admin.sentAgain') } : undefined),
    body: html`<h1>${title}</h1>
      <p><a href="/admin/webhooks">${t('nav.webhooks')}</a></p>
      ${
        items.length
          ? html`<table>
              <caption>
                ${title}
              </caption>
              ${thead([t('col.created'), t('admin.col.notification'), t('col.status'), t('admin.col.attempts'), t('admin.col.lastAttempt'), t('col.actions')])}
              <tbody>
                ${items.map((d) => {
                  const last = d.attempts[d.attempts.length - 1];
                  return html`<tr>
                    <td>${ctx.fmt.instant(d.createdAt)}</td>
                    <td>${ctx.label('event', d.type)}</td>
                    <td>${ctx.label('deliveryStatus', d.status)}</td>
                    <td>${d.attempts.length}</td>
                    <td>
                      ${last ? html`${ctx.fmt.instant(last.at)} · ${ctx.label('attemptOutcome', last.outcome)}${last.statusCode ? ` (${last.statusCode})` : ''}` : '—'}
                    </td>
                    <td>${rowButton(ctx, `/admin/webhooks/${country}/deliveries/${d.id}/retry`, t('admin.sendAgain'), d.id)}</td>
                  </tr>`;
                })}
              </tbody>
            </table>`
          : html`<p>${t('admin.noDeliveries')}</p>`
      }`,
  });
}

export function webhookRoutes(services: Services): Router {
  const router = Router();
  const admin = allow('ADMIN');
  const byId = (raw: string) => idOr404(raw, 'No such delivery');

  router.get('/admin/webhooks', ...admin, async (_req, res) => void res.send(await webhooksPage(services, ctxOf(res))));
  router.post('/admin/webhooks', ...admin, async (req, res) => {
    const ctx = ctxOf(res);
    const posted = req.body as Posted;
    const country = optional(posted, 'country');
    const parsed = parseWith(WebhookRequest, compact({ url: optional(posted, 'url') }) ?? {});
    const problems = [...(country ? [] : [{ path: 'country', message: 'is required' }]), ...(parsed.ok ? [] : parsed.problems)];
    const done =
      parsed.ok && country
        ? await attempt(ctx, () => services.webhooks.put(ctx.principal!, countryOf(country), parsed.value.url))
        : refusedForm(ctx, problems);
    if (!done.ok) return void res.status(done.status).send(await webhooksPage(services, ctx, posted, done));
    // The secret is shown in this answer only, as a new key's is.
    res.status(201).send(await webhooksPage(services, ctx, {}, undefined, { country: done.value.country, secret: done.value.secret }));
  });
  router.post('/admin/webhooks/:country/remove', ...admin, async (req, res) => {
    const ctx = ctxOf(res);
    const done = await attempt(ctx, () => services.webhooks.remove(ctx.principal!, countryOf(String(req.params.country))));
    if (!done.ok) return void res.status(done.status).send(await webhooksPage(services, ctx, {}, done));
    res.redirect(303, '/admin/webhooks');
  });
  router.get('/admin/webhooks/:country', ...admin, async (req, res) => {
    const ctx = ctxOf(res);
    res.send(await deliveriesPage(services, ctx, countryOf(String(req.params.country)), { sent: req.query.sent === '1' }));
  });
  router.post('/admin/webhooks/:country/deliveries/:id/retry', ...admin, async (req, res) => {
    const ctx = ctxOf(res);
    const country = countryOf(String(req.params.country));
    const done = await attempt(ctx, () => services.webhooks.retry(ctx.principal!, country, byId(String(req.params.id))));
    if (!done.ok) return void res.status(done.status).send(await deliveriesPage(services, ctx, country, { refused: done }));
    res.redirect(303, `/admin/webhooks/${country}?sent=1`);
  });

  return router;
}
