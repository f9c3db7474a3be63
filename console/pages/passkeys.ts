/**
 * Passkeys at the console: the second step of a key's sign-in, the reader's own passkeys (listed,
 * added, removed; the only page open to a session that must add one first), and the ADMIN's
 * sign-in policy. The WebAuthn ceremonies run in console/assets/passkeys.js; the options it needs
 * come in the form, made here for this session, and its answer is posted with the form.
 */
import { Router, type Request, type Response } from 'express';
import type { SignInStep } from '../../domain/passkeys';
import type { Principal, Services } from '../../services';
import type { RelyingParty } from '../../services/passkeys';
import { Refusal } from '../../services/refusals';
import { attempt, pageNotice } from '../attempt';
import { ctxOf, type Ctx } from '../context';
import { html, type Content } from '../html';
import { refusalText } from '../i18n';
import { csrfField, page } from '../layout';
import { cookieOptions, localPath, requireSignIn, SESSION_COOKIE, type SessionLocals } from '../session';
import { stepPath, type PendingSignIn } from '../sign-in-steps';
import { rowButton } from './admin';
import { text } from '../forms';
import { allow } from './allow';
import { section, thead } from './parts';
import { idOr404 } from './request-data';

/**
 * The site as the browser sees it: the host this page was asked for (its name is the passkeys'
 * relying party) and the scheme, which is the proxy's when Express trusts it.
 */
const relyingParty = (req: Request): RelyingParty => ({ id: req.hostname, origin: `${req.protocol}://${req.get('host')}` });

const pendingOf = (res: Response) => res.locals.pending as PendingSignIn | undefined;
const sessionOf = (res: Response) => res.locals.session as SessionLocals;

/** A form whose submission first runs a WebAuthn ceremony (`create` or `get`) with these options. */
function ceremonyForm(
  ctx: Ctx,
  o: { action: string; ceremony: 'create' | 'get'; options: unknown; next?: string; fields?: Content; submit: string },
) {
  return html`<form
      method="post"
      action="${o.action}"
      class="narrow"
      data-passkey="${o.ceremony}"
      data-passkey-options="${JSON.stringify(o.options)}"
    >
      ${csrfField(ctx)}<input type="hidden" name="response" value="" />
      ${o.next ? html`<input type="hidden" name="next" value="${o.next}" />` : ''} ${o.fields ?? ''}
      <p class="error" role="alert" data-passkey-failed hidden>${ctx.t('passkey.browserFailed')}</p>
      <noscript><p class="error">${ctx.t('passkey.needsScript')}</p></noscript>
      <button type="submit" class="primary">${o.submit}</button>
    </form>
    <script src="/assets/passkeys.js" defer></script>`;
}

const otherKey = (ctx: Ctx) =>
  html`<form method="post" action="/sign-out" class="inline">
    ${csrfField(ctx)}<button type="submit">${ctx.t('passkey.otherKey')}</button>
  </form>`;

async function signInStepPage(services: Services, req: Request, res: Response, pending: PendingSignIn, error?: string): Promise<string> {
  const ctx = ctxOf(res);
  const options = await services.passkeys.signInOptions({
    sessionToken: sessionOf(res).token,
    principal: pending.principal,
    rp: relyingParty(req),
  });
  const next = localPath(req.method === 'GET' ? req.query.next : text(req.body, 'next'));
  return page(ctx, {
    title: ctx.t('passkey.signIn.title'),
    notice: error ? { kind: 'error', text: error } : undefined,
    body: html`<h1>${ctx.t('passkey.signIn.title')}</h1>
      <p>${ctx.t('passkey.signIn.intro')}</p>
      ${ceremonyForm(ctx, { action: '/sign-in/passkey', ceremony: 'get', options, next, submit: ctx.t('passkey.signIn.submit') })}
      <p>${otherKey(ctx)}</p>`,
  });
}

interface PasskeysPageState {
  /** Whose passkeys: the signed-in reader, or a session that must add one before anything else. */
  who: Principal;
  step: SignInStep | null;
  notice?: { kind: 'ok' | 'error'; text: string };
  name?: string;
}

async function passkeysPage(services: Services, req: Request, res: Response, s: PasskeysPageState): Promise<string> {
  const ctx = ctxOf(res);
  const t = ctx.t;
  const [{ items }, options] = await Promise.all([
    services.passkeys.list(s.who.userId),
    services.passkeys.registrationOptions({ sessionToken: sessionOf(res).token, principal: s.who, rp: relyingParty(req) }),
  ]);
  const next = s.step ? localPath(req.method === 'GET' ? req.query.next : text(req.body, 'next')) : undefined;
  const nameField = html`<div class="field">
    <label for="f-name">${t('passkey.add.name')}</label>
    <input id="f-name" name="name" type="text" maxlength="100" value="${s.name ?? ''}" aria-describedby="f-name-hint" />
    <p class="hint" id="f-name-hint">${t('passkey.add.nameHint')}</p>
  </div>`;
  const list = items.length
    ? html`<table>
        <caption>
          ${t('nav.passkeys')}
        </caption>
        ${thead([t('passkey.add.name'), t('col.created'), t('col.lastUsed'), t('col.actions')])}
        <tbody>
          ${items.map(
            (p) =>
              html`<tr>
                <td>${p.name}</td>
                <td>${ctx.fmt.instant(p.createdAt)}</td>
                <td>${ctx.fmt.instant(p.lastUsedAt)}</td>
                <td>${s.step ? '' : rowButton(ctx, `/passkeys/${p.id}/remove`, t('passkey.remove'), p.name)}</td>
              </tr>`,
          )}
        </tbody>
      </table>`
    : html`<p>${t('passkey.list.none')}</p>`;
  return page(ctx, {
    title: t('nav.passkeys'),
    notice: s.notice,
    body: html`<h1>${t('nav.passkeys')}</h1>
      ${s.step === 'PASSKEY_REGISTRATION' ? html`<p class="notice error">${t('passkey.required')}</p>` : ''}
      <p>${t('passkey.list.intro')}</p>
      ${list}
      ${section(
        'add-passkey',
        t('passkey.add.title'),
        ceremonyForm(ctx, { action: '/passkeys', ceremony: 'create', options, next, fields: nameField, submit: t('passkey.add.submit') }),
      )}
      ${s.step ? html`<p>${otherKey(ctx)}</p>` : ''}`,
  });
}

async function policyPage(services: Services, ctx: Ctx, notice?: { kind: 'ok' | 'error'; text: string }): Promise<string> {
  const t = ctx.t;
  const policy = await services.passkeys.policy();
  return page(ctx, {
    title: t('nav.signInPolicy'),
    notice,
    body: html`<h1>${t('nav.signInPolicy')}</h1>
      <form method="post" action="/admin/sign-in" class="narrow">
        ${csrfField(ctx)}
        <div class="field">
          <input
            id="f-passkeysRequired"
            name="passkeysRequired"
            type="checkbox"
            value="yes"
            ${policy.passkeysRequired ? 'checked' : ''}
            aria-describedby="f-passkeysRequired-hint"
          />
          <label for="f-passkeysRequired">${t('policy.passkeysRequired')}</label>
          <p class="hint" id="f-passkeysRequired-hint">${t('policy.hint')}</p>
        </div>
        <button type="submit" class="primary">${t('prefs.save')}</button>
      </form>`,
  });
}

/** A refusal a passkey page shows on itself; anything else goes to the error page. */
function shownHere(ctx: Ctx, err: unknown): { status: number; text: string } | undefined {
  if (!(err instanceof Refusal) || err.code !== 'PASSKEY_FAILED') return undefined;
  return { status: err.kind === 'UNAUTHENTICATED' ? 401 : 400, text: refusalText(ctx, err.code, err.detail) };
}

export function passkeyRoutes(services: Services): Router {
  const router = Router();

  /** Where a reader who is not waiting for this step goes instead. */
  const elsewhere = (req: Request, res: Response, step: SignInStep) => {
    const pending = pendingOf(res);
    if (pending && pending.step !== step) return res.redirect(303, stepPath(pending.step, localPath(req.query.next)));
    if (res.locals.principal) return res.redirect(303, localPath(req.query.next) ?? '/');
    return res.redirect(303, '/sign-in');
  };

  router.get('/sign-in/passkey', async (req, res) => {
    const pending = pendingOf(res);
    if (pending?.step !== 'PASSKEY') return elsewhere(req, res, 'PASSKEY');
    res.send(await signInStepPage(services, req, res, pending));
  });

  router.post('/sign-in/passkey', async (req, res) => {
    const pending = pendingOf(res);
    if (pending?.step !== 'PASSKEY') return elsewhere(req, res, 'PASSKEY');
    const ctx = ctxOf(res);
    try {
      const { token } = await services.passkeys.signIn({
        sessionToken: sessionOf(res).token,
        principal: pending.principal,
        rp: relyingParty(req),
        response: text(req.body, 'response').slice(0, 64_000),
      });
      res.cookie(SESSION_COOKIE, token, cookieOptions(req));
      res.redirect(303, localPath(text(req.body, 'next')) ?? '/');
    } catch (err) {
      const shown = shownHere(ctx, err);
      if (!shown) throw err;
      services.perimeter.security.record({
        kind: 'PASSKEY_FAILED',
        keyId: pending.principal.keyId,
        userId: pending.principal.userId,
        method: req.method,
        path: req.originalUrl.split('?')[0].slice(0, 300),
        ip: req.ip ?? '',
      });
      res.status(shown.status).send(await signInStepPage(services, req, res, pending, shown.text));
    }
  });

  /** The reader's passkeys: open when signed in, and to a session that must add one. */
  const passkeysReader = (req: Request, res: Response): PasskeysPageState | undefined => {
    const pending = pendingOf(res);
    if (pending?.step === 'PASSKEY_REGISTRATION') return { who: pending.principal, step: pending.step };
    const principal = res.locals.principal as Principal | undefined;
    return principal ? { who: principal, step: null } : undefined;
  };

  router.get('/passkeys', async (req, res, next) => {
    const reader = passkeysReader(req, res);
    if (!reader) return requireSignIn(req, res, next);
    const t = ctxOf(res).t;
    const notice =
      req.query.added === '1'
        ? ({ kind: 'ok', text: t('passkey.added') } as const)
        : req.query.removed === '1'
          ? ({ kind: 'ok', text: t('passkey.removed') } as const)
          : undefined;
    res.send(await passkeysPage(services, req, res, { ...reader, notice }));
  });

  router.post('/passkeys', async (req, res, next) => {
    const reader = passkeysReader(req, res);
    if (!reader) return requireSignIn(req, res, next);
    const ctx = ctxOf(res);
    try {
      const { token } = await services.passkeys.register({
        sessionToken: sessionOf(res).token,
        principal: reader.who,
        rp: relyingParty(req),
        step: reader.step,
        name: text(req.body, 'name'),
        response: text(req.body, 'response').slice(0, 64_000),
      });
      if (!token) return res.redirect(303, '/passkeys?added=1');
      res.cookie(SESSION_COOKIE, token, cookieOptions(req));
      res.redirect(303, localPath(text(req.body, 'next')) ?? '/');
    } catch (err) {
      const shown = shownHere(ctx, err);
      if (!shown) throw err;
      res
        .status(shown.status)
        .send(
          await passkeysPage(services, req, res, { ...reader, name: text(req.body, 'name'), notice: { kind: 'error', text: shown.text } }),
        );
    }
  });

  router.post('/passkeys/:id/remove', requireSignIn, async (req, res) => {
    const ctx = ctxOf(res);
    const principal = ctx.principal!;
    const done = await attempt(ctx, () => services.passkeys.remove(principal, idOr404(String(req.params.id), 'No such passkey')));
    if (!done.ok)
      return void res
        .status(done.status)
        .send(await passkeysPage(services, req, res, { who: principal, step: null, notice: pageNotice(done) }));
    res.redirect(303, '/passkeys?removed=1');
  });

  router.get('/admin/sign-in', ...allow('ADMIN'), async (req, res) => {
    const ctx = ctxOf(res);
    res.send(await policyPage(services, ctx, req.query.saved === '1' ? { kind: 'ok', text: ctx.t('policy.saved') } : undefined));
  });

  router.post('/admin/sign-in', ...allow('ADMIN'), async (req, res) => {
    const ctx = ctxOf(res);
    await services.passkeys.setPolicy(ctx.principal!, { passkeysRequired: text(req.body, 'passkeysRequired') === 'yes' });
    res.redirect(303, '/admin/sign-in?saved=1');
  });

  return router;
}
