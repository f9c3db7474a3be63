/**
 * What the console shows when something is refused: the same statuses as the API (a request the
 * reader may not see is the same 404 as one that does not exist), as a page in the reader's language.
 */
import type { NextFunction, Request, Response } from 'express';
import { recordRefusal } from '../api/perimeter';
import { toProblem } from '../api/problem';
import type { Services } from '../services';
import type { Ctx } from './context';
import { html } from './html';
import { refusalText, type Key } from './i18n';
import { page } from './layout';

const TITLES: Record<number, Key> = {
  400: 'error.400',
  401: 'error.401',
  403: 'error.403',
  404: 'error.404',
  409: 'error.409',
  413: 'error.413',
  429: 'error.429',
};

export function errorPage(ctx: Ctx, status: number, detail?: string): string {
  const title = ctx.t(TITLES[status] ?? 'error.500');
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1>
      ${status === 404 ? html`<p>${ctx.t('error.404.detail')}</p>` : detail && status < 500 ? html`<p>${detail}</p>` : ''}
      <p><a href="/">${ctx.t('error.home')}</a></p>`,
  });
}

/** The console's last handler: every refusal becomes a page; a refused call is also a security event. */
export function consoleErrors(services: Services) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const p = toProblem(err);
    if (p.status >= 500) req.log?.error({ err }, 'console page failed');
    recordRefusal(services, err, p.status, req, res);
    if (res.headersSent) return;
    const ctx = res.locals.ctx as Ctx | undefined;
    if (!ctx) {
      res
        .status(p.status)
        .type('text/plain')
        .send(p.detail ?? 'Error');
      return;
    }
    // A hidden request answers exactly like an unknown one: the detail would tell them apart.
    res.status(p.status).send(errorPage(ctx, p.status, p.status === 404 ? undefined : refusalText(ctx, p.code, p.detail)));
  };
}
