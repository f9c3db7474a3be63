/**
 * Single sign-on at the console: the button beside the key's sign-in, the way to the OpenID
 * provider and back, the refusal pages, and signing out at the provider too.
 */
import { Router, type Request, type Response } from 'express';
import type { Services } from '../services';
import type { SecurityEventKind } from '../services/perimeter';
import type { SignInTransaction, SsoRefusal } from '../services/oidc';
import { makeCtx, type Ctx } from './context';
import { isTimeZone } from './format';
import { html } from './html';
import { isLang, type Lang } from './i18n';
import { text } from './forms';
import { csrfField, page } from './layout';
import { stepPath } from './sign-in-steps';
import { cookieOptions, localPath, rememberPreferences, SESSION_COOKIE, type SessionLocals } from './session';

/**
 * What the browser keeps while it is at the provider. SameSite=Lax, not Strict: the provider sends
 * the browser back from another site, and a Strict cookie would not come with it.
 */
const TRANSACTION_COOKIE = 'silver_oidc';
const TRANSACTION_PATH = '/sign-in/oidc';
const TRANSACTION_MS = 10 * 60_000;

interface KeptTransaction extends SignInTransaction {
  next?: string;
  lang: Lang;
  timeZone: string;
}

const REFUSAL_STATUS: Record<SsoRefusal, { status: number; kind?: SecurityEventKind }> = {
  FAILED: { status: 401, kind: 'UNAUTHENTICATED' },
  UNLINKED: { status: 401, kind: 'UNAUTHENTICATED' },
  NOT_USABLE: { status: 401, kind: 'UNAUTHENTICATED' },
  NO_SECOND_FACTOR: { status: 403, kind: 'FORBIDDEN' },
  UNAVAILABLE: { status: 503 },
};

/** The sign-in page's way to the provider (nothing when single sign-on is off). */
export function ssoChoice(ctx: Ctx, provider: string | undefined, next?: string) {
  if (!provider) return '';
  return html`<form method="post" action="${TRANSACTION_PATH}" class="narrow sso">
    <p>${ctx.t('sso.or')}</p>
    ${csrfField(ctx)}
    <input type="hidden" name="next" value="${next ?? ''}" />
    <input type="hidden" name="timeZone" value="" data-browser-time-zone />
    <button type="submit">${ctx.t('sso.button', { provider })}</button>
  </form>`;
}

function refusalPage(ctx: Ctx, provider: string, refusal: SsoRefusal): string {
  return page(ctx, {
    title: ctx.t('sso.refusedTitle'),
    body: html`<h1>${ctx.t('sso.refusedTitle')}</h1>
      <p class="notice error" role="alert" data-refusal="${refusal}">${ctx.t(`sso.${refusal}`, { provider })}</p>
      <p><a href="/sign-in">${ctx.t('sso.again')}</a></p>`,
  });
}

/**
 * The way on is a page that moves the browser along rather than a redirect. To the provider: the
 * console's Content-Security-Policy (`form-action 'self'`) forbids a form post to end up at another
 * site. Back from it: the browser came from another site, and would not yet send the new
 * SameSite=Strict session cookie on a redirect.
 */
function onwardPage(ctx: Ctx, to: string): string {
  return `<!doctype html>${
    html`<html lang="${ctx.lang}" dir="${ctx.dir}">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="refresh" content="0;url=${to}" />
        <title>${ctx.t('app.name')}</title>
      </head>
      <body>
        <p><a href="${to}">${ctx.t('sso.continue')}</a></p>
      </body>
    </html>`.value
  }`;
}

function keptTransaction(req: Request): KeptTransaction | undefined {
  const raw = (req.cookies as Record<string, unknown> | undefined)?.[TRANSACTION_COOKIE];
  if (typeof raw !== 'string' || raw.length > 2000) return undefined;
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<KeptTransaction>;
    if (![t.state, t.nonce, t.verifier, t.lang, t.timeZone].every((v) => typeof v === 'string')) return undefined;
    return {
      state: t.state!,
      nonce: t.nonce!,
      verifier: t.verifier!,
      next: localPath(t.next),
      lang: isLang(t.lang!) ? t.lang! : 'en',
      timeZone: isTimeZone(t.timeZone!) ? t.timeZone! : 'UTC',
    };
  } catch {
    return undefined;
  }
}

export function oidcRoutes(services: Services): Router {
  const router = Router();
  const { oidc } = services;
  const provider = oidc.name;
  if (!provider) return router;

  router.post(TRANSACTION_PATH, async (req: Request, res: Response) => {
    const ctx = res.locals.ctx as Ctx;
    const begun = await oidc.begin();
    if ('unavailable' in begun) return void res.status(503).send(refusalPage(ctx, provider, 'UNAVAILABLE'));
    const zone = text(req.body, 'timeZone');
    const kept: KeptTransaction = {
      ...begun.transaction,
      next: localPath(text(req.body, 'next')),
      lang: ctx.lang,
      timeZone: isTimeZone(zone) ? zone : ctx.timeZone,
    };
    res.cookie(TRANSACTION_COOKIE, Buffer.from(JSON.stringify(kept)).toString('base64url'), {
      ...cookieOptions(req, TRANSACTION_MS),
      sameSite: 'lax',
      path: TRANSACTION_PATH,
    });
    res.send(onwardPage(ctx, begun.url));
  });

  router.get(`${TRANSACTION_PATH}/callback`, async (req: Request, res: Response) => {
    const kept = keptTransaction(req);
    res.clearCookie(TRANSACTION_COOKIE, { ...cookieOptions(req), sameSite: 'lax', path: TRANSACTION_PATH });
    const before = res.locals.ctx as Ctx;
    // The language and time zone chosen before leaving: the browser's own cookies stayed behind (Strict).
    const ctx = kept ? makeCtx({ lang: kept.lang, timeZone: kept.timeZone, csrfToken: before.csrfToken, path: before.path }) : before;
    const query = req.originalUrl.indexOf('?');
    const outcome = await oidc.complete(query >= 0 ? req.originalUrl.slice(query) : '', kept, {
      language: ctx.lang,
      timeZone: ctx.timeZone,
    });
    if (outcome.ok) {
      res.cookie(SESSION_COOKIE, outcome.token, cookieOptions(req));
      rememberPreferences(req, res, { language: ctx.lang, timeZone: ctx.timeZone });
      const to = outcome.pendingStep ? stepPath(outcome.pendingStep, kept?.next) : (kept?.next ?? '/');
      return void res.send(onwardPage(ctx, to));
    }
    const { status, kind } = REFUSAL_STATUS[outcome.refusal];
    if (outcome.detail) req.log?.warn({ refusal: outcome.refusal, detail: outcome.detail }, 'single sign-on refused');
    if (kind)
      services.perimeter.security.record({
        kind,
        keyId: outcome.keyId,
        userId: outcome.userId,
        method: req.method,
        path: req.originalUrl.split('?')[0].slice(0, 300),
        ip: req.ip ?? '',
      });
    res.status(status).send(refusalPage(ctx, provider, outcome.refusal));
  });

  // Ahead of the key's sign-out: a single sign-on session also ends at the provider.
  router.post('/sign-out', async (req, res, next) => {
    const session = res.locals.session as SessionLocals | undefined;
    const to = session ? await oidc.signOut(session.token) : undefined;
    if (!to) return next();
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.send(onwardPage(res.locals.ctx as Ctx, to));
  });

  return router;
}
