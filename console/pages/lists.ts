/**
 * Lists of requests: an NCB's own requests and its inbox, the reviewers' queue (oldest first) and
 * renewals to decide, and every request for reviewers and the CCF. Each is the services' list, so a
 * reader sees exactly what the API would list for them (and each listed read is audited the same way).
 */
import { Router, type Request, type Response } from 'express';
import { allPages, sendCsv } from '../../api/csv';
import { KINDS, STATUSES } from '../../domain/model';
import type { Services } from '../../services';
import type { NoticeView } from '../../services/reading';
import type { Ctx } from '../context';
import { html, type Content } from '../html';
import { csrfField, page } from '../layout';
import { allow } from './allow';
import { badge, flagList, isFull, subjectName, thead, type FullView } from './parts';
import { amendmentRows } from './amendments';

const PAGE_SIZE = 50;

/**
 * Who works on a request of the queue, and the button its view offers the reader: claim it when
 * nobody holds it, release it when the reader does (a take-over, with its reason, is on the request's page).
 */
function claimCell(ctx: Ctx, v: FullView): Content {
  const holder = v.review?.claimedBy;
  const offered = new Set(v.actions.map((a) => a.name));
  const button = (action: 'claim' | 'release', label: string) =>
    html`<form method="post" action="/requests/${v.id}/${action}" class="inline">
      ${csrfField(ctx)}<button type="submit">${label}</button>
    </form>`;
  return html`${holder ? holder.name : html`<span class="muted">${ctx.t('queue.claimedByNobody')}</span>`}
  ${!holder && offered.has('CLAIM') ? button('claim', ctx.t('action.claimSubmit')) : ''}
  ${offered.has('RELEASE') ? button('release', ctx.t('action.releaseSubmit')) : ''}`;
}

type Item = NoticeView;

const query = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);

/** A list's table with its caption, or the words for an empty list. */
export function table(ctx: Ctx, caption: string, head: string[], rows: Content[], empty: string): Content {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<table>
    <caption>
      ${caption}
    </caption>
    ${thead(head)}
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

// Before publication a request is known by its case number alone.
const link = (v: Item) => html`<a href="/requests/${v.id}">${v.reference ?? v.caseNumber}</a>`;

/**
 * "Download CSV": the same list (same filters, every page) as the API's `Accept: text/csv` gives,
 * from this page's address with `format=csv`.
 */
export function csvLink(ctx: Ctx, path: string, query: Record<string, string | undefined> = {}): Content {
  const params = new URLSearchParams(Object.entries({ ...query, format: 'csv' }).filter((e): e is [string, string] => !!e[1]));
  return html`<p class="csv">
    <a href="${path}?${params.toString()}" download>${ctx.t('list.csv')}</a> <span class="muted">${ctx.t('list.csvHint')}</span>
  </p>`;
}

type ListQuery = Parameters<Services['reading']['list']>[1];

/** Answers the list as a CSV download when the page was asked for with `format=csv`; whether it did. */
async function sentAsCsv(
  req: Request,
  res: Response,
  services: Services,
  ctx: Ctx,
  filename: string,
  q: Omit<ListQuery, 'limit' | 'cursor'>,
) {
  if (query(req, 'format') !== 'csv') return false;
  sendCsv(res, filename, await allPages(undefined, (cursor, limit) => services.reading.list(ctx.principal!, { ...q, cursor, limit })));
  return true;
}

function nextLink(ctx: Ctx, req: Request, cursor: string | null): Content {
  if (!cursor) return '';
  const params = new URLSearchParams({ ...(req.query as Record<string, string>), cursor });
  return html`<p><a href="${req.path}?${params.toString()}" rel="next">${ctx.t('list.next')}</a></p>`;
}

export function listRoutes(services: Services): Router {
  const router = Router();
  const { reading } = services;

  router.get('/inbox', ...allow('NCB'), async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    if (await sentAsCsv(req, res, services, ctx, 'inbox.csv', { as: 'RECIPIENT' })) return;
    const list = await reading.list(ctx.principal!, { as: 'RECIPIENT', limit: PAGE_SIZE, cursor: query(req, 'cursor') });
    const rows = list.items.map((v) => {
      if (!isFull(v))
        return html`<tr>
          <td>${link(v)}</td>
          <td colspan="4">${badge(ctx, 'BLOCKED')} ${ctx.t('request.blockedSince')} ${ctx.fmt.instant(v.blocking?.since)}</td>
        </tr>`;
      const own = v.recipients[0];
      return html`<tr class="${own?.status === 'OVERDUE' ? 'overdue' : ''}">
        <td>${link(v)}</td>
        <td>${ctx.fmt.country(v.requestingCountry)}</td>
        <td>${badge(ctx, v.status)}</td>
        <td>
          ${own ? html`${ctx.fmt.instant(own.dueAt, true)}${own.final ? '' : html` <span class="muted">${ctx.fmt.fromNow(own.dueAt)}</span>`}` : '—'}
        </td>
        <td>${own ? html`${badge(ctx, own.status, 'recipientStatus')}${own.final ? html` ${ctx.t('recipient.final')}` : ''}` : '—'}</td>
      </tr>`;
    });
    res.send(
      page(ctx, {
        title: ctx.t('nav.inbox'),
        body: html`<h1>${ctx.t('nav.inbox')}</h1>
          <p>${ctx.t('inbox.intro')}</p>
          ${csvLink(ctx, '/inbox')}
          ${table(ctx, ctx.t('inbox.caption'), [ctx.t('col.reference'), ctx.t('col.from'), ctx.t('col.status'), ctx.t('col.due'), ctx.t('col.yourAnswer')], rows, ctx.t('inbox.empty'))}
          ${nextLink(ctx, req, list.nextCursor)}`,
      }),
    );
  });

  router.get('/review', ...allow('REVIEWER'), async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    const principal = ctx.principal!;
    if (await sentAsCsv(req, res, services, ctx, 'review-queue.csv', { status: 'UNDER_REVIEW', sort: 'urgency' })) return;
    const [queue, renewals, amendments] = await Promise.all([
      reading.list(principal, { status: 'UNDER_REVIEW', sort: 'urgency', limit: PAGE_SIZE, cursor: query(req, 'cursor') }),
      query(req, 'cursor')
        ? undefined
        : reading.list(principal, { status: 'PUBLISHED', renewalRequested: true, oldestFirst: true, limit: PAGE_SIZE }),
      query(req, 'cursor')
        ? undefined
        : reading.list(principal, { status: 'PUBLISHED', amendmentPending: true, oldestFirst: true, limit: PAGE_SIZE }),
    ]);
    const rows = queue.items.filter(isFull).map(
      (v) =>
        html`<tr>
          <td><a href="/requests/${v.id}">${subjectName(v)}</a></td>
          <td>${ctx.fmt.country(v.requestingCountry)}</td>
          <td>${ctx.label('kind', v.kind)}</td>
          <td>${ctx.label('urgency', v.urgency)}</td>
          <td>${ctx.fmt.instant(v.createdAt)} <span class="muted">${ctx.fmt.fromNow(v.createdAt)}</span></td>
          <td>${flagList(ctx, v.review?.flags ?? [])}</td>
          <td>${claimCell(ctx, v)}</td>
        </tr>`,
    );
    const renewalRows = (renewals?.items ?? []).filter(isFull).map(
      (v) =>
        html`<tr>
          <td>${link(v)}</td>
          <td>${ctx.fmt.country(v.requestingCountry)}</td>
          <td>${ctx.fmt.instant(v.renewal?.requestedAt)}</td>
          <td>${ctx.fmt.instant(v.expiresAt, true)}</td>
        </tr>`,
    );
    res.send(
      page(ctx, {
        title: ctx.t('nav.queue'),
        body: html`<h1>${ctx.t('nav.queue')}</h1>
          <p>${ctx.t('queue.intro')}</p>
          ${csvLink(ctx, '/review')}
          ${table(ctx, ctx.t('queue.caption'), [ctx.t('col.subject'), ctx.t('col.from'), ctx.t('col.kind'), ctx.t('col.urgency'), ctx.t('col.submitted'), ctx.t('col.flags'), ctx.t('col.claimedBy')], rows, ctx.t('queue.empty'))}
          ${nextLink(ctx, req, queue.nextCursor)}
          ${
            renewals
              ? html`<h2>${ctx.t('queue.renewals')}</h2>
                  ${table(ctx, ctx.t('queue.renewals'), [ctx.t('col.reference'), ctx.t('col.from'), ctx.t('col.renewalAsked'), ctx.t('col.expires')], renewalRows, ctx.t('queue.noRenewals'))}`
              : ''
          }
          ${
            amendments
              ? html`<h2>${ctx.t('queue.amendments')}</h2>
                  ${table(ctx, ctx.t('queue.amendments'), [ctx.t('col.reference'), ctx.t('col.from'), ctx.t('col.submitted'), ctx.t('amendments.changes')], amendmentRows(ctx, amendments.items.filter(isFull)), ctx.t('queue.noAmendments'))}`
              : ''
          }`,
      }),
    );
  });

  router.get('/requests', ...allow('NCB', 'REVIEWER', 'CCF'), async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    const principal = ctx.principal!;
    const status = STATUSES.find((s) => s === query(req, 'status'));
    const kind = KINDS.find((k) => k === query(req, 'kind'));
    const own = principal.role === 'NCB';
    if (await sentAsCsv(req, res, services, ctx, 'requests.csv', { status, kind, as: own ? 'REQUESTER' : undefined })) return;
    const list = await reading.list(principal, {
      status,
      kind,
      as: own ? 'REQUESTER' : undefined,
      limit: PAGE_SIZE,
      cursor: query(req, 'cursor'),
    });
    const rows = list.items.filter(isFull).map(
      (v) =>
        html`<tr>
          <td>${link(v)}</td>
          <td>${subjectName(v)}</td>
          ${own ? '' : html`<td>${ctx.fmt.country(v.requestingCountry)}</td>`}
          <td>${ctx.label('kind', v.kind)}</td>
          <td>${badge(ctx, v.status)}${v.blocking ? html` ${badge(ctx, 'BLOCKED')}` : ''}</td>
          <td>${ctx.fmt.instant(v.updatedAt)}</td>
          <td>${v.publishedAt ? `${v.recipients.filter((r) => r.final).length} / ${v.recipients.length}` : '—'}</td>
        </tr>`,
    );
    const title = own ? ctx.t('nav.myRequests') : ctx.t('nav.requests');
    const head = [
      ctx.t('col.reference'),
      ctx.t('col.subject'),
      ...(own ? [] : [ctx.t('col.from')]),
      ctx.t('col.kind'),
      ctx.t('col.status'),
      ctx.t('col.updated'),
      ctx.t('col.answered'),
    ];
    res.send(
      page(ctx, {
        title,
        body: html`<h1>${title}</h1>
          ${own ? html`<p><a class="button primary" href="/requests/new">${ctx.t('nav.newRequest')}</a></p>` : ''}
          <form method="get" action="/requests" class="filters">
            <label for="filter-status">${ctx.t('col.status')}</label>
            <select id="filter-status" name="status">
              <option value="">${ctx.t('list.any')}</option>
              ${STATUSES.map((s) => html`<option value="${s}" ${s === status ? 'selected' : ''}>${ctx.label('status', s)}</option>`)}
            </select>
            <label for="filter-kind">${ctx.t('col.kind')}</label>
            <select id="filter-kind" name="kind">
              <option value="">${ctx.t('list.any')}</option>
              ${KINDS.map((k) => html`<option value="${k}" ${k === kind ? 'selected' : ''}>${ctx.label('kind', k)}</option>`)}
            </select>
            <button type="submit">${ctx.t('list.filter')}</button>
          </form>
          ${csvLink(ctx, '/requests', { status, kind })} ${table(ctx, title, head, rows, ctx.t('list.empty'))}
          ${nextLink(ctx, req, list.nextCursor)}`,
      }),
    );
  });

  return router;
}
