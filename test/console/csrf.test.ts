/**
 * CSRF on every console route that changes something. The routes come from the console router's
 * own stack, so a route added later is walked here without anyone listing it: for each, a post
 * without the form's token, or from another site, is refused with the CSRF 403 whoever sends it
 * (signed in with each role, or not signed in), and changes nothing.
 */
import crypto from 'node:crypto';
import { consoleRoutes } from '../../console/app';
import { escapeHtml } from '../../console/html';
import { translator } from '../../console/i18n';
import { formFromRequest } from '../../console/pages/request-form';
import { quotaUsage } from '../../records/pilot';
import { consoleVisitor } from '../support/browser';
import { freshRequest, publish } from '../support/helpers';
import { startTestSystem, waitFor, type TestSystem } from '../support/system';

const EVIL = 'https://evil.example';
const CSRF_REFUSAL = escapeHtml(translator('en').t('error.csrf'));

let sys: TestSystem;
let ncb: string;
let reviewer: string;
let ccf: string;
/** A value for each route parameter, chosen so that the route would act if it let the post through. */
let samples: Record<string, string[]>;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES']);
  [ncb, reviewer, ccf] = await sys.keys('IT', 'REVIEWER', 'CCF');
  const published = await publish(sys, ncb, reviewer, freshRequest({ recipients: ['FR'] }));
  const holder = await sys.principal(ncb);
  samples = {
    id: [published.id, holder.userId, holder.keyId, crypto.randomUUID()],
    action: ['withdraw', 'cancel', 'block'],
    country: ['FR'],
  };
});
afterAll(() => sys?.stop());

// --- the routes, from the router itself

interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle?: { stack?: Layer[] };
}

const SAFE_METHODS = new Set(['get', 'head', 'options']);

/** Every method and path of the console that changes state, nested routers included. */
function changingRoutes(stack: Layer[], prefix = ''): { method: string; path: string }[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const { path, methods } = layer.route;
      if (typeof path !== 'string') throw new Error(`a console route whose path is not a string: ${String(path)}`);
      return Object.keys(methods)
        .filter((m) => methods[m] && !SAFE_METHODS.has(m))
        .map((m) => ({ method: m === '_all' ? 'POST' : m.toUpperCase(), path: prefix + path }));
    }
    if (layer.handle?.stack) {
      if (typeof layer.rawPath !== 'string') throw new Error(`a console router mounted at a path that is not a string`);
      return changingRoutes(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : layer.rawPath));
    }
    return [];
  });
}

const consoleStack = () => (consoleRoutes(sys.services, { rateLimitPerMinute: 1_000_000 }) as unknown as { stack: Layer[] }).stack;

/** The route's path with every parameter filled from `samples`, in every combination. */
function concretePaths(route: string): string[] {
  if (/[*{}()]/.test(route)) throw new Error(`${route}: a path pattern this test cannot fill in yet`);
  const name = /:(\w+)/.exec(route)?.[1];
  if (!name) return [route];
  const values = samples[name];
  if (!values) throw new Error(`${route}: no sample value for :${name} (add one to samples)`);
  return values.flatMap((v) => concretePaths(route.replace(`:${name}`, v)));
}

// --- what a refused post must leave as it was

/** What any console form could change: requests and their quota, people, keys, passkeys, the pilot, the sign-in policy, webhooks, sessions. */
async function state(): Promise<string> {
  const p = sys.db.prisma;
  const snapshot = await Promise.all([
    p.notice.findMany({ select: { id: true, status: true, updatedAt: true }, orderBy: { id: 'asc' } }),
    quotaUsage(p),
    p.user.findMany({ select: { id: true, name: true, role: true, disabledAt: true }, orderBy: { id: 'asc' } }),
    p.apiKey.findMany({ select: { id: true, label: true, expiresAt: true, revokedAt: true }, orderBy: { id: 'asc' } }),
    p.pilotSettings.findMany(),
    p.signInPolicy.findMany(),
    p.passkey.findMany({ select: { id: true, counter: true }, orderBy: { id: 'asc' } }),
    p.webhook.findMany({ orderBy: { country: 'asc' } }),
    p.webhookDelivery.findMany({ select: { id: true, status: true }, orderBy: { id: 'asc' } }),
    // A session's expiry moves on with use: what it says, not how long it lasts.
    p.consoleSession.findMany({
      select: { tokenHash: true, csrfToken: true, language: true, timeZone: true },
      orderBy: { tokenHash: 'asc' },
    }),
    p.decision.count(),
    p.clarification.count(),
    p.response.count(),
    p.blocking.count(),
    p.renewal.count(),
    p.idempotencyRecord.count(),
    p.auditEvent.count(),
    p.notification.count(),
  ]);
  return JSON.stringify(snapshot, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}

/** The state once the workflows have finished what earlier steps started (two reads agree). */
async function settled(): Promise<string> {
  let last = '';
  return waitFor(
    async () => {
      await new Promise((r) => setTimeout(r, 300));
      const [previous, now] = [last, await state()];
      last = now;
      return { previous, now };
    },
    (s) => s.previous === s.now,
    'the system to settle',
  ).then((s) => s.now);
}

/** A form any route would accept: a valid new request, a reason, a person, a key, a webhook, the pilot... */
function formForAnyRoute(key: string): Record<string, string | string[]> {
  const body = freshRequest({ recipients: ['FR'] });
  const request = Object.entries(formFromRequest({ ...body, requestedRecipients: body.recipients } as never)).filter(
    (e): e is [string, string | string[]] => e[1] !== undefined,
  );
  return {
    ...Object.fromEntries(request),
    kind: 'DIFFUSION',
    urgency: 'NORMAL',
    language: 'fr',
    _form: crypto.randomUUID(),
    reason: 'Posted from another site',
    message: 'Posted from another site',
    decision: 'APPROVE',
    name: 'Mallory',
    role: 'ADMIN',
    country: 'FR',
    label: 'from elsewhere',
    url: `${EVIL}/hook`,
    participants: ['IT'],
    quotaTotal: '1',
    timeZone: 'Asia/Tokyo',
    key,
  };
}

type Visitor = ReturnType<typeof consoleVisitor>;

interface Forgery {
  how: string;
  send: (v: Visitor, path: string, form: Record<string, string | string[]>) => Promise<{ status: number; html: string }>;
}

/** Each way a forged post arrives: no token from another site, no token at all, the right token from another site. */
const FORGERIES: Forgery[] = [
  { how: 'no token, Origin elsewhere', send: (v, path, form) => v.postRaw(path, form, { origin: EVIL }) },
  { how: 'no token', send: (v, path, form) => v.postRaw(path, form) },
  { how: 'token, Origin elsewhere', send: (v, path, form) => v.post(path, form, { origin: EVIL }) },
];

/** Another method than a form's, sent by a script of another site: no token, its Origin. */
async function sendAs(method: string, v: Visitor, path: string, form: Record<string, string | string[]>) {
  const res = await fetch(`${sys.baseUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      cookie: [...v.jar].map(([k, x]) => `${k}=${x}`).join('; '),
      'content-type': 'application/x-www-form-urlencoded',
      origin: EVIL,
    },
    body: new URLSearchParams(
      Object.entries(form).flatMap(([k, x]): [string, string][] => (Array.isArray(x) ? x.map((y) => [k, y]) : [[k, x]])),
    ),
  });
  return { status: res.status, html: await res.text() };
}

test('the walk finds the console’s routes that change state, nested page routers included', () => {
  const routes = changingRoutes(consoleStack()).map((r) => `${r.method} ${r.path}`);
  expect(routes).toEqual(
    expect.arrayContaining([
      'POST /sign-in',
      'POST /sign-out',
      'POST /preferences',
      'POST /requests/new',
      'POST /requests/:id/clarify',
      'POST /requests/:id/:action',
      'POST /admin/users',
      'POST /admin/pilot',
      'POST /admin/sign-in',
      'POST /passkeys',
      'POST /passkeys/:id/remove',
      'POST /sign-in/passkey',
      'POST /admin/webhooks/:country/deliveries/:id/retry',
    ]),
  );
});

describe.each([
  { who: 'not signed in', role: undefined },
  { who: 'an NCB', role: 'NCB' },
  { who: 'a reviewer', role: 'REVIEWER' },
  { who: 'the CCF', role: 'CCF' },
  { who: 'an administrator', role: 'ADMIN' },
] as const)('$who', ({ role }) => {
  test('every post without the form’s token or from another site is refused with 403 and changes nothing', async () => {
    // Not signed in, the forged sign-in carries a working key: only the missing token should stop it.
    const key = { NCB: ncb, REVIEWER: reviewer, CCF: ccf, ADMIN: sys.adminKey }[role ?? 'ADMIN'];
    const v = consoleVisitor(sys);
    if (role) expect((await v.signIn(key)).status).toBe(303);
    else await v.get('/sign-in');
    const form = formForAnyRoute(key);
    const failures: string[] = [];
    let before = await settled();
    for (const { method, path: route } of changingRoutes(consoleStack())) {
      for (const path of concretePaths(route)) {
        const forgeries: Forgery[] =
          method === 'POST' ? FORGERIES : [{ how: 'no token, Origin elsewhere', send: (...a) => sendAs(method, ...a) }];
        for (const { how, send } of forgeries) {
          const res = await send(v, path, form);
          if (res.status !== 403 || !res.html.includes(CSRF_REFUSAL)) failures.push(`${method} ${path} (${how}): ${res.status}`);
        }
      }
      const after = await state();
      if (after !== before) failures.push(`${method} ${route}: changed the state`);
      before = after;
    }
    expect(failures).toEqual([]);
  });
});

describe('the reported case: an NCB’s new request posted from another site', () => {
  test('creates no request and uses no quota; the same form from the console’s own page does', async () => {
    const v = consoleVisitor(sys);
    await v.signIn(ncb);
    await settled();
    const [requests, quota] = [await sys.db.prisma.notice.count(), (await quotaUsage(sys.db.prisma)).IT ?? 0];
    const form = formForAnyRoute(ncb);

    const forged = await v.postRaw('/requests/new', form, { origin: EVIL });
    expect(forged.status).toBe(403);
    expect(await sys.db.prisma.notice.count()).toBe(requests);
    expect((await quotaUsage(sys.db.prisma)).IT ?? 0).toBe(quota);

    await v.get('/requests/new');
    const sent = await v.post('/requests/new', form, { origin: sys.baseUrl });
    expect(sent.status).toBe(303);
    expect(sent.location).toMatch(/^\/requests\/[0-9a-f-]{36}\?done=submitted$/);
    expect(await sys.db.prisma.notice.count()).toBe(requests + 1);
    expect((await quotaUsage(sys.db.prisma)).IT ?? 0).toBe(quota + 1);
  });
});
