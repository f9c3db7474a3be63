/**
 * A request's page, as its reader may see it: the requester, a reviewer and the CCF see it whole;
 * a recipient sees the published request and its own entry and answers; anyone else gets the same
 * 404 as for a request that does not exist, as from the API.
 */
import { Router } from 'express';
import type { Services } from '../../services';
import type { Ctx } from '../context';
import { html, type Content } from '../html';
import type { Key } from '../i18n';
import { page, type PageOptions } from '../layout';
import { actionForms, renderForm, type FormState } from './action-forms';
import { allow } from './allow';
import { amendmentsSection } from './amendments';
import { attachmentsSection } from './attachments';
import { badge, free, isFull } from './parts';
import { printLinks } from './print';
import { loadRequestPage, requestId, type RequestPage } from './request-data';
import { threads } from './threads';
import { history, links, review } from './record-sections';
import { answers, findings, recipients, subjectAndOffence, summary } from './sections';

const DONE = [
  'submitted',
  'decide',
  'cancel',
  'renewal-decision',
  'block',
  'blocking-decision',
  'withdraw',
  'renewal',
  'amend',
  'amendment-decision',
  'acknowledge',
  'delay',
  'answer',
  'clarify',
  'message',
  'attach',
  'confirm-deletion',
  'outcome',
];

function questions(ctx: Ctx, p: RequestPage): Content {
  if (!p.view.actions.some((a) => a.name === 'CLARIFY') || !isFull(p.view)) return '';
  const asked = p.view.review?.decisions.filter((d) => d.decision === 'REQUEST_CLARIFICATION').at(-1);
  return html`<section class="action" id="question" aria-labelledby="question-h">
    <h2 id="question-h">${ctx.t('clarify.question')}</h2>
    ${asked?.reason ? html`<blockquote dir="auto">${asked.reason}</blockquote>` : ''}
    <p><a class="button primary" href="/requests/${p.id}/clarify">${ctx.t('clarify.answer')}</a></p>
  </section>`;
}

export function requestPage(
  ctx: Ctx,
  p: RequestPage,
  o: { state?: FormState; notice?: PageOptions['notice']; /** The thread a reply link chose. */ to?: string } = {},
): string {
  const v = p.view;
  const title = v.reference ?? v.caseNumber;
  if (!isFull(v)) {
    return page(ctx, {
      title,
      notice: o.notice,
      // A recipient of a blocked request sees the fact of the blocking; of one the CCF cancelled, the closure.
      body:
        'closure' in v && v.closure
          ? html`<h1>${title} ${badge(ctx, v.status)}</h1>
              <p>${ctx.t('request.upheldForRecipient')} ${ctx.fmt.instant(v.closure.at, true)}</p>`
          : html`<h1>${title} ${badge(ctx, v.status)} ${badge(ctx, 'BLOCKED')}</h1>
              <p>${ctx.t('request.blockedForRecipient')} ${ctx.fmt.instant(v.blocking?.since, true)}</p>`,
    });
  }
  const forms = actionForms(ctx, v);
  const actions = forms.map((a) => renderForm(ctx, p.id, a, o.state));
  // The forms follow what they act on; a form just sent and refused comes first, where its reader is.
  const jump = forms.length
    ? html`<nav class="jump" aria-label="${ctx.t('request.actions')}">
        ${ctx.t('request.actions')}: ${forms.map((a, i) => html`${i ? ' · ' : ''}<a href="#act-${a.action}">${a.title}</a>`)}
      </nav>`
    : '';
  return page(ctx, {
    title,
    notice: o.notice,
    body: html`<h1>${title} ${badge(ctx, v.status)}${v.blocking ? html` ${badge(ctx, 'BLOCKED')}` : ''}</h1>
      ${printLinks(ctx, p.id)}
      ${v.blocking && p.relation !== 'RECIPIENT' ? html`<p class="notice error">${ctx.t('request.blockedSince')} ${ctx.fmt.instant(v.blocking?.since)}${v.blocking.reason ? html` · ${free(v.blocking.reason)}` : ''}${v.blocking.decisionDueAt ? html` · ${ctx.t('request.blockingDue')} ${ctx.fmt.instant(v.blocking.decisionDueAt, true)}` : ''}</p>` : ''}
      ${questions(ctx, p)} ${o.state ? actions : jump} ${summary(ctx, v)} ${review(ctx, p, v)} ${findings(ctx, v)} ${recipients(ctx, v)}
      ${amendmentsSection(ctx, v)} ${answers(ctx, p)} ${attachmentsSection(ctx, p)} ${threads(ctx, p, v, o)} ${subjectAndOffence(ctx, v)}
      ${links(ctx, p)} ${o.state ? '' : actions} ${history(ctx, p)}`,
  });
}

export function requestRoutes(services: Services): Router {
  const router = Router();
  router.get('/requests/:id', ...allow('NCB', 'REVIEWER', 'CCF'), async (req, res, next) => {
    const ctx = res.locals.ctx as Ctx;
    const id = requestId(req.params.id);
    if (!id) return next(Object.assign(new Error('No such request'), { status: 404 }));
    const p = await loadRequestPage(services, ctx.principal!, id);
    const done = DONE.find((d) => d === req.query.done);
    const to = typeof req.query.to === 'string' ? req.query.to : undefined;
    res.send(requestPage(ctx, p, { notice: done ? { kind: 'ok', text: ctx.t(`done.${done}` as Key) } : undefined, to }));
  });
  return router;
}
