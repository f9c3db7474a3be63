/**
 * Who is at the console: the session cookie resumed into a principal (the services check need to
 * know from there, as for the API), the reader's language and time zone, and the CSRF token every
 * form carries. A session is an httpOnly, SameSite=Strict cookie holding a random token; the
 * database keeps its hash.
 */
import crypto from 'node:crypto';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import type { Principal, Services } from '../services';
import { forbidden } from '../services/refusals';
import { makeCtx, type Ctx } from './context';
import { isTimeZone } from './format';
import { isLang, type Lang } from './i18n';
import { stepPath, type PendingSignIn } from './sign-in-steps';

export const SESSION_COOKIE = 'silver_session';
/** The CSRF token of forms shown before signing in (double-submit: this cookie and the form field agree). */
const ANONYMOUS_CSRF_COOKIE = 'silver_csrf';
const LANGUAGE_COOKIE = 'silver_lang';
const TIME_ZONE_COOKIE = 'silver_tz';
const A_YEAR_MS = 365 * 86400_000;

export interface SessionLocals {
  token: string;
  csrfToken: string;
}

/** httpOnly and SameSite=Strict always; Secure when the request came over HTTPS. */
export const cookieOptions = (req: Request, maxAge?: number): CookieOptions => ({
  httpOnly: true,
  sameSite: 'strict',
  secure: req.secure,
  path: '/',
  ...(maxAge ? { maxAge } : {}),
});

export function rememberPreferences(req: Request, res: Response, prefs: { language?: string; timeZone?: string }): void {
  if (prefs.language) res.cookie(LANGUAGE_COOKIE, prefs.language, cookieOptions(req, A_YEAR_MS));
  if (prefs.timeZone) res.cookie(TIME_ZONE_COOKIE, prefs.timeZone, cookieOptions(req, A_YEAR_MS));
}

const cookie = (req: Request, name: string): string | undefined => {
  const v = (req.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined;
};

/** Resumes the session (if any) and builds the page context in `res.locals.ctx`. */
export function resolveSession(services: Services): RequestHandler {
  return async (req, res, next) => {
    const token = cookie(req, SESSION_COOKIE);
    const session = token ? await services.sessions.resume(token) : undefined;
    if (token && !session) {
      res.clearCookie(SESSION_COOKIE, cookieOptions(req));
      res.locals.sessionEnded = true;
    }
    let csrfToken = session?.csrfToken;
    if (session) {
      // Until its second factor is given, a session is nobody: it may only give it (console/pages/passkeys.ts).
      if (session.pendingStep) res.locals.pending = { step: session.pendingStep, principal: session.principal } satisfies PendingSignIn;
      else res.locals.principal = session.principal;
      res.locals.session = { token: token!, csrfToken: session.csrfToken } satisfies SessionLocals;
    } else {
      csrfToken = cookie(req, ANONYMOUS_CSRF_COOKIE);
      if (!csrfToken) {
        csrfToken = crypto.randomBytes(32).toString('base64url');
        res.cookie(ANONYMOUS_CSRF_COOKIE, csrfToken, cookieOptions(req));
      }
    }
    const remembered = cookie(req, LANGUAGE_COOKIE);
    const lang: Lang =
      (session && isLang(session.language) && session.language) || (remembered && isLang(remembered) && remembered) || negotiate(req);
    const zone = session?.timeZone ?? cookie(req, TIME_ZONE_COOKIE);
    res.locals.ctx = makeCtx({
      lang,
      timeZone: zone && isTimeZone(zone) ? zone : 'UTC',
      principal: res.locals.principal as Principal | undefined,
      csrfToken: csrfToken!,
      path: req.originalUrl,
    });
    next();
  };
}

function negotiate(req: Request): Lang {
  const best = req.acceptsLanguages('en', 'fr', 'es', 'ar');
  return best && isLang(best) ? best : 'en';
}

const same = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Every form post carries this reader's CSRF token, and comes from this origin when the browser
 * says where it comes from. A refusal is a FORBIDDEN security event.
 */
export const requireCsrf: RequestHandler = (req, res, next) => {
  const ctx = res.locals.ctx as Ctx;
  const given = (req.body as Record<string, unknown> | undefined)?._csrf;
  const origin = req.headers.origin;
  const fromElsewhere =
    req.headers['sec-fetch-site'] === 'cross-site' ||
    (typeof origin === 'string' && origin !== 'null' && hostOf(origin) !== req.headers.host);
  if (fromElsewhere || typeof given !== 'string' || !same(given, ctx.csrfToken)) {
    next(forbidden(ctx.t('error.csrf'), 'CSRF'));
    return;
  }
  next();
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The CSRF check for the whole console, ahead of every page's own router: a route that changes
 * something cannot be added without it, and a forged post is refused before anything else (signing
 * in, the reader's role) is looked at.
 */
export const csrfOnChanges: RequestHandler = (req, res, next) => (SAFE_METHODS.has(req.method) ? next() : requireCsrf(req, res, next));

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}

/** Pages for signed-in readers: anyone else is sent to sign in, and comes back here after. */
export const requireSignIn: RequestHandler = (req, res, next) => {
  if (res.locals.principal) return next();
  const pending = res.locals.pending as PendingSignIn | undefined;
  if (pending) return res.redirect(303, stepPath(pending.step, req.method === 'GET' ? req.originalUrl : undefined));
  const query = new URLSearchParams({
    ...(res.locals.sessionEnded ? { ended: '1' } : {}),
    ...(req.method === 'GET' ? { next: req.originalUrl } : {}),
  });
  res.redirect(303, `/sign-in${query.size ? `?${query}` : ''}`);
};

/** Where to go after signing in: a path of this console only, never another site. */
export function localPath(next: unknown): string | undefined {
  return typeof next === 'string' && /^\/(?![/\\])[^\s\\]{0,500}$/.test(next) ? next : undefined;
}
