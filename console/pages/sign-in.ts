/** Signing in with an API key, signing out, and the reader's language and time zone. */
import { Router, type Request, type Response } from 'express';
import { recordRefusal } from '../../api/perimeter';
import type { Services } from '../../services';
import { Refusal } from '../../services/refusals';
import type { Ctx } from '../context';
import { isTimeZone, TIME_ZONES } from '../format';
import { html } from '../html';
import { isLang } from '../i18n';
import { text } from '../forms';
import { csrfField, page } from '../layout';
import { ssoChoice } from '../oidc';
import { stepPath } from '../sign-in-steps';
import { cookieOptions, localPath, rememberPreferences, requireSignIn, SESSION_COOKIE, type SessionLocals } from '../session';

function signInPage(ctx: Ctx, o: { next?: string; error?: string; ended?: boolean; provider?: string }): string {
  return page(ctx, {
    title: ctx.t('signIn.title'),
    notice: o.error ? { kind: 'error', text: o.error } : o.ended ? { kind: 'ok', text: ctx.t('signIn.ended') } : undefined,
    body: html`<h1>${ctx.t('signIn.title')}</h1>
      <p>${ctx.t('signIn.intro')}</p>
      <form method="post" action="/sign-in" class="narrow">
        ${csrfField(ctx)}
        <input type="hidden" name="next" value="${o.next ?? ''}" />
        <input type="hidden" name="timeZone" value="" data-browser-time-zone />
        <div class="field">
          <label for="f-key">${ctx.t('signIn.key')}</label>
          <input
            id="f-key"
            name="key"
            type="password"
            autocomplete="off"
            spellcheck="false"
            required
            ${o.error ? html`aria-invalid="true" aria-describedby="f-key-error"` : ''}
          />
          ${o.error ? html`<p class="error" id="f-key-error">${o.error}</p>` : ''}
        </div>
        <button type="submit" class="primary">${ctx.t('signIn.submit')}</button>
      </form>
      ${ssoChoice(ctx, o.provider, o.next)}`,
  });
}

function preferencesPage(ctx: Ctx): string {
  return page(ctx, {
    title: ctx.t('prefs.title'),
    body: html`<h1>${ctx.t('prefs.title')}</h1>
      <form method="post" action="/preferences" class="narrow">
        ${csrfField(ctx)}<input type="hidden" name="return" value="/preferences" />
        <div class="field">
          <label for="f-timeZone">${ctx.t('prefs.timeZone')}</label>
          <select id="f-timeZone" name="timeZone">
            ${TIME_ZONES.map((z) => html`<option ${z === ctx.timeZone ? 'selected' : ''}>${z}</option>`)}
          </select>
          <p class="hint">${ctx.t('prefs.timeZoneHint')}</p>
        </div>
        <button type="submit" class="primary">${ctx.t('prefs.save')}</button>
      </form>`,
  });
}

export function signInRoutes(services: Services): Router {
  const router = Router();

  router.get('/sign-in', (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    if (res.locals.principal) return res.redirect(303, localPath(req.query.next) ?? '/');
    res.send(
      signInPage(ctx, {
        provider: services.oidc.name,
        next: localPath(req.query.next),
        ended: res.locals.sessionEnded === true || req.query.ended === '1',
      }),
    );
  });

  router.post('/sign-in', async (req: Request, res: Response) => {
    const ctx = res.locals.ctx as Ctx;
    const zone = text(req.body, 'timeZone');
    const timeZone = isTimeZone(zone) ? zone : ctx.timeZone;
    try {
      // A sign-in replaces the session this browser had (if any).
      const previous = res.locals.session as SessionLocals | undefined;
      if (previous) await services.sessions.close(previous.token);
      const opened = await services.sessions.open(text(req.body, 'key').slice(0, 600), { language: ctx.lang, timeZone });
      res.cookie(SESSION_COOKIE, opened.token, cookieOptions(req));
      rememberPreferences(req, res, { language: ctx.lang, timeZone });
      const next = localPath(text(req.body, 'next'));
      res.redirect(303, opened.pendingStep ? stepPath(opened.pendingStep, next) : (next ?? '/'));
    } catch (err) {
      if (!(err instanceof Refusal) || err.kind !== 'UNAUTHENTICATED') throw err;
      recordRefusal(services, err, 401, req, res);
      res
        .status(401)
        .send(signInPage(ctx, { provider: services.oidc.name, next: localPath(text(req.body, 'next')), error: ctx.t('signIn.refused') }));
    }
  });

  router.post('/sign-out', async (req, res) => {
    const session = res.locals.session as SessionLocals | undefined;
    if (session) await services.sessions.close(session.token);
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.redirect(303, '/sign-in');
  });

  router.get('/preferences', requireSignIn, (_req, res) => {
    res.send(preferencesPage(res.locals.ctx as Ctx));
  });

  router.post('/preferences', async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    const language = isLang(text(req.body, 'language')) ? text(req.body, 'language') : ctx.lang;
    const timeZone = isTimeZone(text(req.body, 'timeZone')) ? text(req.body, 'timeZone') : ctx.timeZone;
    const session = res.locals.session as SessionLocals | undefined;
    if (session) await services.sessions.setPreferences(session.token, { language, timeZone });
    rememberPreferences(req, res, { language, timeZone });
    res.redirect(303, localPath(text(req.body, 'return')) ?? '/');
  });

  return router;
}
