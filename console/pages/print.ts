/**
 * A request on paper: the print view (`/requests/:id/print`), the request's page without the
 * console around it, and its PDF extract (`/requests/:id/extract.pdf`, the API's, in the request's
 * language). Each printed sheet must say which case it belongs to and how it must be handled: the
 * case number, the reference and the handling code are in the head and foot of a table, which
 * Chromium repeats on every printed page (it does not support CSS page-margin boxes).
 */
import { Router } from 'express';
import type { Services } from '../../services';
import type { Ctx } from '../context';
import { html, type Content } from '../html';
import { allow } from './allow';
import { badge, isFull } from './parts';
import { idOr404, loadRequestPage, type RequestPage } from './request-data';
import { review } from './record-sections';
import { answers, findings, recipients, subjectAndOffence, summary } from './sections';

/** What identifies the request and how it must be handled, as every printed page repeats it. */
function sheetLabel(ctx: Ctx, p: RequestPage): { head: Content; foot: Content } {
  const v = p.view;
  const handling =
    'handlingCode' in v ? html`${ctx.t('field.handlingCode')}: <strong>${ctx.label('handlingCode', v.handlingCode)}</strong>` : '';
  return {
    head: html`<span>${ctx.t('col.caseNumber')}: <strong>${v.caseNumber}</strong></span>
      <span>${ctx.t('col.reference')}: <strong>${v.reference ?? '—'}</strong></span>
      <span class="handling">${handling}</span>`,
    foot: html`<span>${v.caseNumber}</span> <span class="handling">${handling}</span>`,
  };
}

export function printPage(ctx: Ctx, p: RequestPage): string {
  const v = p.view;
  const title = v.reference ?? v.caseNumber;
  const { head, foot } = sheetLabel(ctx, p);
  const content = isFull(v)
    ? html`${summary(ctx, v)} ${subjectAndOffence(ctx, v)} ${recipients(ctx, v)} ${answers(ctx, p)} ${findings(ctx, v)} ${review(ctx, p, v)}`
    : html`<p>${'closure' in v && v.closure ? ctx.t('request.upheldForRecipient') : ctx.t('request.blockedForRecipient')}</p>`;
  return `<!doctype html>${
    html`<html lang="${ctx.lang}" dir="${ctx.dir}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${ctx.t('print.title')} ${title} · ${ctx.t('app.name')}</title>
        <link rel="stylesheet" href="/assets/console.css" />
        <link rel="stylesheet" href="/assets/print.css" />
        <script src="/assets/print.js" defer></script>
      </head>
      <body class="print-view">
        <nav class="print-tools" aria-label="${ctx.t('print.view')}">
          <a href="/requests/${p.id}">${ctx.t('print.back')}</a>
          <button type="button" data-print>${ctx.t('print.print')}</button>
          <a href="/requests/${p.id}/extract.pdf">${ctx.t('print.pdf')}</a>
        </nav>
        <table class="sheet" role="presentation">
          <thead>
            <tr>
              <td class="sheet-head">${head}</td>
            </tr>
          </thead>
          <tfoot>
            <tr>
              <td class="sheet-foot">${foot}</td>
            </tr>
          </tfoot>
          <tbody>
            <tr>
              <td>
                <main id="main">
                  <h1>${ctx.t('print.title')}: ${title} ${badge(ctx, v.status)}</h1>
                  ${content}
                </main>
              </td>
            </tr>
          </tbody>
        </table>
      </body>
    </html>`.value
  }`;
}

/** The links to both, on a request's page. */
export const printLinks = (ctx: Ctx, id: string): Content =>
  html`<p class="print-links">
    <a href="/requests/${id}/print">${ctx.t('print.view')}</a> · <a href="/requests/${id}/extract.pdf">${ctx.t('print.pdf')}</a>
  </p>`;

export function printRoutes(services: Services): Router {
  const router = Router();
  router.get('/requests/:id/print', ...allow('NCB', 'REVIEWER', 'CCF'), async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    res.send(printPage(ctx, await loadRequestPage(services, ctx.principal!, idOr404(String(req.params.id), ctx.t('error.404')))));
  });
  router.get('/requests/:id/extract.pdf', ...allow('NCB', 'REVIEWER', 'CCF'), async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    const { caseNumber, bytes } = await services.extract.pdf(idOr404(String(req.params.id), ctx.t('error.404')), ctx.principal!);
    res.type('application/pdf').set('Content-Disposition', `inline; filename=${caseNumber}.pdf`).send(bytes);
  });
  return router;
}
