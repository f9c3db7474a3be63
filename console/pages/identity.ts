/** Administration of a user's single sign-on: the identity at the OpenID provider linked to it. */
import { Router } from 'express';
import { IdentityLinkRequest } from '../../api/schemas/people';
import type { Services } from '../../services';
import { notFound } from '../../services/refusals';
import { attempt, pageNotice, refusedForm } from '../attempt';
import { ctxOf, type Ctx } from '../context';
import { compact, FormErrors, FormRenderer, optional, parseWith, type Posted } from '../forms';
import { html } from '../html';
import { page } from '../layout';
import { allow } from './allow';
import { form, problemsOf, rowButton, type Refused } from './admin';
import { idOr404 } from './request-data';

export const identityPath = (userId: string) => `/admin/users/${userId}/identity`;

async function identityPage(services: Services, ctx: Ctx, userId: string, posted: Posted = {}, refused?: Refused): Promise<string> {
  const t = ctx.t;
  const user = (await services.people.users()).items.find((u) => u.id === userId);
  if (!user) throw notFound('No such user');
  const provider = services.oidc.name;
  const link = await services.oidc.linked(userId);
  const f = new FormRenderer(ctx, posted, new FormErrors(problemsOf(refused)));
  const fields = html`<p class="hint">${t('identity.hint')}</p>
    ${f.input({ name: 'subject', label: t('identity.subject') })} ${f.input({ name: 'email', label: t('identity.email'), type: 'email' })}`;
  const status = !provider
    ? t('identity.off')
    : link
      ? t('identity.linked', { identity: link.subject ?? link.email ?? '', provider, since: link.createdAt.slice(0, 10) })
      : t('identity.none', { provider });
  return page(ctx, {
    title: t('identity.title', { name: user.name }),
    notice: pageNotice(refused),
    body: html`<h1>${t('identity.title', { name: user.name })}</h1>
      <p id="identity-status">${status}</p>
      ${link ? rowButton(ctx, `${identityPath(userId)}/unlink`, t('identity.unlink'), user.name) : ''}
      ${provider && !user.disabledAt ? form(ctx, identityPath(userId), t('identity.link'), fields, f) : ''}`,
  });
}

export function identityRoutes(services: Services): Router {
  const router = Router();
  const admin = allow('ADMIN');
  const userOf = (raw: unknown) => idOr404(String(raw), 'No such user');

  router.get('/admin/users/:id/identity', ...admin, async (req, res) => {
    res.send(await identityPage(services, ctxOf(res), userOf(req.params.id)));
  });
  router.post('/admin/users/:id/identity', ...admin, async (req, res) => {
    const ctx = ctxOf(res);
    const userId = userOf(req.params.id);
    const posted = req.body as Posted;
    const parsed = parseWith(
      IdentityLinkRequest,
      compact({ subject: optional(posted, 'subject'), email: optional(posted, 'email') }) ?? {},
    );
    const done = parsed.ok
      ? await attempt(ctx, () => services.oidc.link(ctx.principal!, userId, parsed.value))
      : refusedForm(ctx, parsed.problems);
    if (!done.ok) return void res.status(done.status).send(await identityPage(services, ctx, userId, posted, done));
    res.redirect(303, identityPath(userId));
  });
  router.post('/admin/users/:id/identity/unlink', ...admin, async (req, res) => {
    const ctx = ctxOf(res);
    const userId = userOf(req.params.id);
    const done = await attempt(ctx, () => services.oidc.unlink(ctx.principal!, userId));
    if (!done.ok) return void res.status(done.status).send(await identityPage(services, ctx, userId, {}, done));
    res.redirect(303, identityPath(userId));
  });

  return router;
}
