/** Administration: users, their API keys (a new key's secret shown once), and the pilot's settings (webhooks: webhooks.ts). */
import { Router } from 'express';
import { PilotRequest } from '../../api/schemas/admin';
import { ApiKeyRequest, UserRequest } from '../../api/schemas/people';
import { MEMBER_COUNTRIES } from '../../domain/countries';
import { ROLES } from '../../domain/model';
import type { Services } from '../../services';
import { attempt, pageNotice, refusedForm, type Attempt } from '../attempt';
import { confirmPage, isConfirmed } from '../confirm';
import { ctxOf, type Ctx } from '../context';
import { compact, FormErrors, FormRenderer, numberField, optional, parseWith, values, type Posted } from '../forms';
import { html, type Content } from '../html';
import { csrfField, page } from '../layout';
import { allow } from './allow';
import { countryOptions, labelled, section, thead } from './parts';
import { identityPath } from './identity';
import { idOr404 } from './request-data';

export type Refused = Attempt<never> | undefined;
export const problemsOf = (r: Refused) => (r && !r.ok ? r.problems : []);

export function form(ctx: Ctx, action: string, submit: string, fields: Content, f: FormRenderer) {
  return html`${f.summary()}
    <form method="post" action="${action}" novalidate>
      ${csrfField(ctx)}${fields}<button type="submit" class="primary">${submit}</button>
    </form>`;
}

export const rowButton = (ctx: Ctx, action: string, label: string, name: string, kind: 'danger' | '' = 'danger') =>
  html`<form method="post" action="${action}" class="inline">
    ${csrfField(ctx)}<button type="submit" class="${kind}" aria-label="${label}: ${name}">${label}</button>
  </form>`;

async function usersPage(services: Services, ctx: Ctx, posted: Posted = {}, refused?: Refused): Promise<string> {
  const t = ctx.t;
  const { items } = await services.people.users();
  const f = new FormRenderer(ctx, posted, new FormErrors(problemsOf(refused)));
  const fields = html`${f.input({ name: 'name', label: t('field.name'), required: true })}
  ${f.select({ name: 'role', label: t('field.role'), options: labelled(ctx, 'role', ROLES), empty: '', required: true })}
  ${f.select({
    name: 'country',
    label: t('field.country'),
    hint: t('field.countryHint'),
    options: countryOptions(
      ctx,
      MEMBER_COUNTRIES.map((c) => c.code),
    ),
    empty: '',
  })}`;
  return page(ctx, {
    title: t('nav.users'),
    notice: pageNotice(refused),
    body: html`<h1>${t('nav.users')}</h1>
      <table>
        <caption>
          ${t('nav.users')}
        </caption>
        ${thead([t('field.name'), t('field.role'), t('field.country'), t('col.created'), t('col.status'), t('identity.column'), t('col.actions')])}
        <tbody>
          ${items.map(
            (u) =>
              html`<tr>
                <td dir="auto">${u.name}</td>
                <td>${ctx.label('role', u.role)}</td>
                <td>${ctx.fmt.country(u.country)}</td>
                <td>${ctx.fmt.instant(u.createdAt)}</td>
                <td>${u.disabledAt ? html`${t('admin.disabled')} ${ctx.fmt.instant(u.disabledAt)}` : t('admin.active')}</td>
                <td><a href="${identityPath(u.id)}" aria-label="${t('identity.manage')}: ${u.name}">${t('identity.manage')}</a></td>
                <td>
                  ${
                    u.disabledAt
                      ? rowButton(ctx, `/admin/users/${u.id}/enable`, t('admin.enable'), u.name, '')
                      : rowButton(ctx, `/admin/users/${u.id}/disable`, t('admin.disable'), u.name)
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${section('new-user', t('admin.newUser'), form(ctx, '/admin/users', t('admin.createUser'), fields, f))}`,
  });
}

async function keysPage(
  services: Services,
  ctx: Ctx,
  posted: Posted = {},
  refused?: Refused,
  created?: { key: string; label: string | null },
): Promise<string> {
  const t = ctx.t;
  const [{ items }, users] = await Promise.all([services.people.keys(), services.people.users()]);
  const names = new Map(users.items.map((u) => [u.id, u.name]));
  const f = new FormRenderer(ctx, posted, new FormErrors(problemsOf(refused)));
  const active = users.items
    .filter((u) => !u.disabledAt)
    .map((u) => [u.id, `${u.name} (${ctx.label('role', u.role)}${u.country ? ` ${u.country}` : ''})`] as const);
  const fields = html`${f.select({ name: 'userId', label: t('field.user'), options: active, empty: '', required: true })}
  ${f.input({ name: 'label', label: t('field.label') })}
  ${f.input({ name: 'expiresInDays', label: t('field.expiresInDays'), type: 'number', hint: t('field.expiresHint'), limits: { min: 1, max: 3650, step: 1 } })}`;
  return page(ctx, {
    title: t('nav.keys'),
    notice: pageNotice(refused),
    body: html`<h1>${t('nav.keys')}</h1>
      ${
        created
          ? html`<div class="secret" role="status">
              <h2>${t('admin.keyCreated')}</h2>
              <p>${t('admin.keyOnce')}</p>
              <p><code id="created-key">${created.key}</code></p>
            </div>`
          : ''
      }
      <table>
        <caption>
          ${t('nav.keys')}
        </caption>
        ${thead([t('field.label'), t('field.user'), t('field.role'), t('col.created'), t('col.expires'), t('col.lastUsed'), t('col.actions')])}
        <tbody>
          ${items.map(
            (k) =>
              html`<tr>
                <td>${k.label ?? '—'}</td>
                <td>${names.get(k.userId) ?? k.userId}</td>
                <td>${ctx.label('role', k.role)}${k.country ? ` · ${k.country}` : ''}</td>
                <td>${ctx.fmt.instant(k.createdAt)}</td>
                <td>${ctx.fmt.instant(k.expiresAt)}</td>
                <td>${ctx.fmt.instant(k.lastUsedAt)}</td>
                <td>${rowButton(ctx, `/admin/keys/${k.id}/revoke`, t('admin.revoke'), k.label ?? names.get(k.userId) ?? k.id)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${section('new-key', t('admin.newKey'), form(ctx, '/admin/keys', t('admin.createKey'), fields, f))}`,
  });
}

async function pilotPage(services: Services, ctx: Ctx, posted?: Posted, refused?: Refused): Promise<string> {
  const t = ctx.t;
  const pilot = await services.admin.pilot();
  const f = new FormRenderer(
    ctx,
    posted ?? {
      participants: pilot.participants,
      quotaTotal: String(pilot.quotaTotal),
      limited: pilot.recipientsLimitedToParticipants ? ['yes'] : [],
    },
    new FormErrors(problemsOf(refused)),
  );
  const fields = html`${f.multiSelect({
    name: 'participants',
    label: t('field.participants'),
    hint: t('field.participantsHint'),
    options: countryOptions(
      ctx,
      MEMBER_COUNTRIES.map((c) => c.code),
    ),
    size: 12,
    required: true,
  })}
  ${f.input({ name: 'quotaTotal', label: t('field.quotaTotal'), type: 'number', limits: { min: 0, step: 1 }, required: true })}
  ${f.choices({ name: 'limited', label: t('field.limited'), options: [['yes', t('field.limitedYes')]], multiple: true })}`;
  return page(ctx, {
    title: t('nav.pilot'),
    notice: pageNotice(refused),
    body: html`<h1>${t('nav.pilot')}</h1>
      <p>${t('admin.quotaEach', { n: pilot.quotaPerParticipant, total: pilot.quotaTotal })}</p>
      <table>
        <caption>
          ${t('admin.usage')}
        </caption>
        ${thead([t('col.country'), t('admin.used')])}
        <tbody>
          ${Object.entries(pilot.usage).map(
            ([c, n]) =>
              html`<tr>
                <td>${ctx.fmt.country(c)}</td>
                <td>${n} / ${pilot.quotaPerParticipant}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${section('settings', t('admin.settings'), form(ctx, '/admin/pilot', t('prefs.save'), fields, f))}`,
  });
}

export function adminRoutes(services: Services): Router {
  const router = Router();
  const admin = allow('ADMIN');
  const byId = (raw: string) => idOr404(raw, 'No such user or key');

  router.get('/admin/users', ...admin, async (_req, res) => void res.send(await usersPage(services, ctxOf(res))));
  router.post('/admin/users', ...admin, async (req, res) => {
    const ctx = ctxOf(res);
    const posted = req.body as Posted;
    const parsed = parseWith(
      UserRequest,
      compact({ name: optional(posted, 'name'), role: optional(posted, 'role'), country: optional(posted, 'country') }) ?? {},
    );
    const done = parsed.ok
      ? await attempt(ctx, () => services.people.createUser(ctx.principal!, parsed.value))
      : refusedForm(ctx, parsed.problems);
    if (!done.ok) return void res.status(done.status).send(await usersPage(services, ctx, posted, done));
    res.redirect(303, '/admin/users');
  });
  router.post('/admin/users/:id/disable', ...admin, async (req, res) => {
    const ctx = ctxOf(res);
    const id = byId(String(req.params.id));
    if (!isConfirmed(req.body as Posted)) {
      const user = (await services.people.users()).items.find((u) => u.id === id);
      // An unknown user gets the service's own refusal, below, as if confirmed: there is nothing to restate.
      if (user && !user.disabledAt) {
        return void res.send(
          confirmPage(ctx, {
            title: ctx.t('confirm.title.disable', { name: user.name }),
            consequence: ctx.t('confirm.consequence.disable'),
            facts: [
              [ctx.t('field.name'), user.name],
              [ctx.t('field.role'), ctx.label('role', user.role)],
              ...(user.country ? [[ctx.t('field.country'), ctx.fmt.country(user.country)] as [string, string]] : []),
            ],
            action: `/admin/users/${id}/disable`,
            form: {},
            submit: ctx.t('admin.disable'),
            backHref: '/admin/users',
          }),
        );
      }
    }
    const done = await attempt(ctx, () => services.people.disableUser(ctx.principal!, id));
    if (!done.ok) return void res.status(done.status).send(await usersPage(services, ctx, {}, done));
    res.redirect(303, '/admin/users');
  });

  router.post('/admin/users/:id/enable', ...admin, async (req, res) => {
    const ctx = ctxOf(res);
    const done = await attempt(ctx, () => services.people.enableUser(ctx.principal!, byId(String(req.params.id))));
    if (!done.ok) return void res.status(done.status).send(await usersPage(services, ctx, {}, done));
    res.redirect(303, '/admin/users');
  });

  router.get('/admin/keys', ...admin, async (_req, res) => void res.send(await keysPage(services, ctxOf(res))));
  router.post('/admin/keys', ...admin, async (req, res) => {
    const ctx = ctxOf(res);
    const posted = req.body as Posted;
    const body =
      compact({
        userId: optional(posted, 'userId'),
        label: optional(posted, 'label'),
        expiresInDays: numberField(posted, 'expiresInDays'),
      }) ?? {};
    const parsed = parseWith(ApiKeyRequest, body);
    const done = parsed.ok
      ? await attempt(ctx, () => services.people.createKey(ctx.principal!, parsed.value))
      : refusedForm(ctx, parsed.problems);
    if (!done.ok) return void res.status(done.status).send(await keysPage(services, ctx, posted, done));
    // Shown in this answer only, never in a redirect's URL: the page is not stored (no-store).
    res.status(201).send(await keysPage(services, ctx, {}, undefined, { key: done.value.key, label: done.value.label }));
  });
  router.post('/admin/keys/:id/revoke', ...admin, async (req, res) => {
    const ctx = ctxOf(res);
    const done = await attempt(ctx, () => services.people.revokeKey(ctx.principal!, byId(String(req.params.id))));
    if (!done.ok) return void res.status(done.status).send(await keysPage(services, ctx, {}, done));
    res.redirect(303, '/admin/keys');
  });

  router.get('/admin/pilot', ...admin, async (_req, res) => void res.send(await pilotPage(services, ctxOf(res))));
  router.post('/admin/pilot', ...admin, async (req, res) => {
    const ctx = ctxOf(res);
    const posted = req.body as Posted;
    const body = {
      participants: values(posted, 'participants'),
      quotaTotal: numberField(posted, 'quotaTotal'),
      recipientsLimitedToParticipants: values(posted, 'limited').includes('yes'),
    };
    const parsed = parseWith(PilotRequest, body);
    const done = parsed.ok
      ? await attempt(ctx, () => services.admin.setPilot(ctx.principal!, parsed.value))
      : refusedForm(ctx, parsed.problems);
    if (!done.ok) return void res.status(done.status).send(await pilotPage(services, ctx, posted, done));
    res.redirect(303, '/admin/pilot');
  });

  return router;
}
