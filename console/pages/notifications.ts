/**
 * An NCB's notifications: the count of unread ones beside "Notifications" on every page it opens,
 * and the page that lists them. Opening the page marks the new ones read, for the whole country
 * (the feed is the country's, as in the API).
 */
import { Router, type RequestHandler } from 'express';
import type { Services } from '../../services';
import type { Ctx } from '../context';
import { html, type Content } from '../html';
import { page } from '../layout';
import { allow } from './allow';
import { table } from './lists';

/** As many as one page shows: past this, "show all" pages on. */
const PAGE_SIZE = 100;

type Item = Awaited<ReturnType<Services['reports']['notifications']>>['items'][number];

/** Counts the unread notifications of an NCB's country for the header of the page it opens. */
export function withUnreadCount(services: Services): RequestHandler {
  return async (req, res, next) => {
    const ctx = res.locals.ctx as Ctx | undefined;
    if (req.method === 'GET' && ctx?.principal?.role === 'NCB') ctx.unread = await services.reports.unreadCount(ctx.principal);
    next();
  };
}

/** The notifications as a table (or `empty` when there are none). */
function notificationTable(ctx: Ctx, caption: string, items: Item[], empty: string): Content {
  const head = [ctx.t('col.at'), ctx.t('col.notification'), ctx.t('col.request'), ctx.t('col.read')];
  const rows = items.map(
    (n) =>
      html`<tr>
        <td>${ctx.fmt.instant(n.at)}</td>
        <td>${ctx.label('event', n.type)}${n.detail ? html` <span class="muted" dir="auto">${n.detail}</span>` : ''}</td>
        <td><a href="/requests/${n.noticeId}">${n.reference ?? n.noticeId}</a></td>
        <td>${n.readAt ? ctx.fmt.instant(n.readAt) : '—'}</td>
      </tr>`,
  );
  return table(ctx, caption, head, rows, empty);
}

export function notificationRoutes(services: Services): Router {
  const router = Router();
  const { reports } = services;

  router.get('/notifications', ...allow('NCB'), async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    const principal = ctx.principal!;
    const title = ctx.t('nav.notifications');
    if (req.query.all !== undefined) {
      const after = typeof req.query.after === 'string' && /^\d{1,18}$/.test(req.query.after) ? req.query.after : undefined;
      const list = await reports.notifications(principal, { after, limit: PAGE_SIZE });
      const more = list.items.length === PAGE_SIZE;
      return void res.send(
        page(ctx, {
          title,
          body: html`<h1>${title}</h1>
            ${notificationTable(ctx, ctx.t('notifications.all'), list.items, ctx.t('notifications.none'))}
            ${more ? html`<p><a href="/notifications?all=1&amp;after=${list.nextCursor ?? ''}" rel="next">${ctx.t('list.next')}</a></p>` : ''}`,
        }),
      );
    }
    const fresh = await reports.notifications(principal, { limit: PAGE_SIZE, unread: true });
    // Shown as they were when the page was opened (unread), then marked read by this opening.
    if (fresh.items.length)
      await reports.markRead(
        principal,
        fresh.items.map((n) => n.id),
      );
    ctx.unread = await reports.unreadCount(principal);
    res.send(
      page(ctx, {
        title,
        body: html`<h1>${title}</h1>
          <p>${ctx.t('notifications.intro')}</p>
          ${notificationTable(ctx, ctx.t('notifications.new'), fresh.items, ctx.t('notifications.noneNew'))}
          <p><a href="/notifications?all=1">${ctx.t('notifications.showAll')}</a></p>`,
      }),
    );
  });

  return router;
}
