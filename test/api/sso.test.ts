/**
 * Single sign-on against a real OpenID Provider (`oidc-provider`) running in this process, over
 * real HTTP: the console's button, the authorization code flow with PKCE, state and nonce, the
 * identity found among those an ADMIN linked (by subject or verified e-mail), the refusals (an
 * unlinked identity, no second factor when one is required, a disabled user) with their security
 * events, and signing out here and at the provider. Runs on PGlite and on PostgreSQL.
 */
import type { Server } from 'node:http';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { createServices, type Services } from '../../services';
import type { OidcConfig } from '../../system/config';
import { CookieBrowser, type Hop } from '../support/cookie-browser';
import { expectProblem } from '../support/helpers';
import { startTestProvider, type TestProvider } from '../support/oidc-provider';
import { freePort, startTestSystem, type TestSystem } from '../support/system';

const MFA_ACR = 'urn:silver:loa:substantial';
const LOW_ACR = 'urn:silver:loa:low';

let sys: TestSystem;
let op: TestProvider;
/** A second API process on the same database, whose console requires a second factor. */
let strict: { url: string; services: Services; server: Server };

beforeAll(async () => {
  const [port, strictPort, opPort] = [await freePort(), await freePort(), await freePort()];
  const publicUrl = `http://127.0.0.1:${port}`;
  const strictUrl = `http://127.0.0.1:${strictPort}`;
  op = await startTestProvider(opPort, [publicUrl, strictUrl], [MFA_ACR, LOW_ACR]);
  const oidc = (url: string, requireMfa: boolean): OidcConfig => ({
    issuer: op.issuer,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
    publicUrl: url,
    name: 'Test IdP',
    requireMfa,
    mfaAcr: [MFA_ACR],
  });
  sys = await startTestSystem({ port, oidc: oidc(publicUrl, false) });
  const services = createServices({
    prisma: sys.db.prisma,
    temporal: sys.env.client,
    taskQueue: sys.taskQueue,
    daySeconds: sys.daySeconds,
    log: pino({ level: 'silent' }),
    listen: sys.db.listen,
    oidc: oidc(strictUrl, true),
  });
  await services.keys.start();
  const app = buildApp({ services, log: pino({ level: 'silent' }), rateLimitPerMinute: 1_000_000 });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(strictPort, '127.0.0.1', () => resolve(s));
  });
  strict = { url: strictUrl, services, server };
});
afterAll(async () => {
  if (strict) {
    await new Promise<void>((resolve) => {
      strict.server.close(() => resolve());
      strict.server.closeAllConnections();
    });
    await strict.services.perimeter.security.stop();
  }
  await op?.stop();
  await sys?.stop();
});

async function newUser(name: string, role = 'NCB', country = role === 'NCB' ? 'IT' : undefined): Promise<string> {
  const res = await sys.call('POST', '/v1/users', { key: sys.adminKey, body: { name, role, ...(country ? { country } : {}) } });
  expect(res.status).toBe(201);
  return res.body.id;
}

const link = (userId: string, body: Record<string, unknown>) =>
  sys.call('PUT', `/v1/users/${userId}/identity`, { key: sys.adminKey, body });

const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

/** The browser signs in at the console of `base` with the provider's button; every hop from the button on. */
async function ssoSignIn(browser: CookieBrowser, base: string, next = '/'): Promise<Hop[]> {
  const page = await browser.request(`${base}/sign-in?next=${encodeURIComponent(next)}`);
  expect(page.status).toBe(200);
  return browser.follow(`${base}/sign-in/oidc`, { form: { _csrf: csrfIn(page.body)!, next, timeZone: 'Europe/Rome' } });
}

const last = (hops: Hop[]) => hops[hops.length - 1];
/** Where a page moves the browser on to (`<meta http-equiv="refresh">`): the console's way to another site. */
const onward = (hop: Hop) => {
  expect(hop.status).toBe(200);
  return new URL(/<meta http-equiv="refresh" content="0;url=([^"]+)"/.exec(hop.body)![1].replace(/&amp;/g, '&'), hop.url);
};

/** A user linked by subject, signed in through the provider to its inbox in a browser of its own. */
async function signedIn(name: string, subject: string) {
  const userId = await newUser(name);
  const { keyId } = (await link(userId, { subject })).body;
  op.signInAs({ accountId: subject });
  const browser = new CookieBrowser();
  const inbox = last(await ssoSignIn(browser, sys.baseUrl, '/inbox'));
  expect(inbox.status).toBe(200);
  return { userId, keyId, browser, inbox };
}

async function securityEvents(): Promise<{ kind: string; path: string; userId?: string }[]> {
  const res = await sys.call('GET', '/v1/security-events?limit=100', { key: sys.adminKey });
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('signing in through the provider', () => {
  test('a linked identity signs in: PKCE, state and nonce sent, and a session for its user as after a key', async () => {
    const userId = await newUser('Alice Rossi');
    const linked = await link(userId, { subject: 'alice' });
    expect(linked.status).toBe(200);
    expect(linked.body).toEqual(expect.objectContaining({ userId, issuer: op.issuer, subject: 'alice', email: null }));
    op.signInAs({ accountId: 'alice', amr: ['pwd'] });

    const browser = new CookieBrowser();
    const page = await browser.request(`${sys.baseUrl}/sign-in`);
    expect(page.body).toContain('Sign in with Test IdP');
    const hops = await ssoSignIn(browser, sys.baseUrl, '/inbox');
    const toProvider = onward(hops[0]);
    expect(toProvider.origin).toBe(op.issuer);
    expect(toProvider.searchParams.get('code_challenge_method')).toBe('S256');
    expect(toProvider.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(toProvider.searchParams.get('state')).toBeTruthy();
    expect(toProvider.searchParams.get('nonce')).toBeTruthy();
    expect(toProvider.searchParams.get('redirect_uri')).toBe(`${sys.baseUrl}/sign-in/oidc/callback`);
    // The transaction's cookie must come back from the provider's site: Lax, short-lived, on its own path.
    const kept = hops[0].headers.getSetCookie().find((c) => c.startsWith('silver_oidc='))!;
    expect(kept).toMatch(/SameSite=Lax/);
    expect(kept).toMatch(/HttpOnly/);
    expect(kept).toMatch(/Path=\/sign-in\/oidc/);

    const callback = hops.find((h) => h.url.startsWith(`${sys.baseUrl}/sign-in/oidc/callback`))!;
    expect(callback.status).toBe(200);
    const session = callback.headers.getSetCookie().find((c) => c.startsWith('silver_session='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(last(hops).url).toBe(`${sys.baseUrl}/inbox`);
    expect(last(hops).status).toBe(200);
    expect(last(hops).body).toContain('Alice Rossi');
    expect(browser.cookie(sys.baseUrl, 'silver_oidc')).toBeUndefined();

    // The session acts with the link's key, listed with the user's keys; the time zone chosen came back.
    const row = await sys.db.prisma.consoleSession.findFirst({ where: { keyId: linked.body.keyId } });
    expect(row).toEqual(expect.objectContaining({ timeZone: 'Europe/Rome', language: 'en' }));
    expect(row!.idToken).toMatch(/^ey/);
    const keys = await sys.call('GET', '/v1/api-keys', { key: sys.adminKey });
    expect(keys.body.items).toContainEqual(expect.objectContaining({ id: linked.body.keyId, userId, label: 'Single sign-on' }));
  });

  test('an identity linked by a verified e-mail address signs in; the same address unverified does not', async () => {
    const userId = await newUser('Bruno Costa');
    expect((await link(userId, { email: 'Bruno.Costa@Example.org' })).body.email).toBe('bruno.costa@example.org');
    op.accounts.set('bruno-1', { email: 'bruno.costa@example.org', email_verified: true });
    op.accounts.set('bruno-2', { email: 'bruno.costa@example.org', email_verified: false });

    op.signInAs({ accountId: 'bruno-1' });
    const verified = new CookieBrowser();
    const hops = await ssoSignIn(verified, sys.baseUrl);
    expect(last(hops).body).toContain('Bruno Costa');

    op.signInAs({ accountId: 'bruno-2' });
    const unverified = new CookieBrowser();
    const refused = last(await ssoSignIn(unverified, sys.baseUrl));
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('data-refusal="UNLINKED"');
    expect(unverified.cookie(sys.baseUrl, 'silver_session')).toBeUndefined();
  });

  test('an unlinked identity gets a clear refusal page in its language, and a security event', async () => {
    op.signInAs({ accountId: 'mallory', amr: ['pwd', 'otp'] });
    const browser = new CookieBrowser();
    const page = await browser.request(`${sys.baseUrl}/sign-in`);
    // Chosen before leaving for the provider: the refusal comes back in French.
    await browser.request(`${sys.baseUrl}/preferences`, { form: { _csrf: csrfIn(page.body)!, language: 'fr' } });
    const refused = last(await ssoSignIn(browser, sys.baseUrl));
    expect(refused.status).toBe(401);
    expect(refused.url).toMatch(/\/sign-in\/oidc\/callback\?/);
    expect(refused.body).toContain('lang="fr"');
    expect(refused.body).toContain('n’est lié à aucun utilisateur de ce système');
    expect(browser.cookie(sys.baseUrl, 'silver_session')).toBeUndefined();
    expect(await securityEvents()).toContainEqual(expect.objectContaining({ kind: 'UNAUTHENTICATED', path: '/sign-in/oidc/callback' }));
  });

  test('a callback that does not match the sign-in this browser started is refused', async () => {
    const browser = new CookieBrowser();
    const forged = await browser.request(`${sys.baseUrl}/sign-in/oidc/callback?code=stolen&state=guessed`);
    expect(forged.status).toBe(401);
    expect(forged.body).toContain('data-refusal="FAILED"');

    // A code that came for another browser's sign-in: its state is not this one's.
    const userId = await newUser('Carla Neri');
    await link(userId, { subject: 'carla' });
    op.signInAs({ accountId: 'carla' });
    const victim = new CookieBrowser();
    const page = await victim.request(`${sys.baseUrl}/sign-in`);
    const attacker = new CookieBrowser();
    const started = await attacker.request(`${sys.baseUrl}/sign-in/oidc`, {
      form: { _csrf: csrfIn((await attacker.request(`${sys.baseUrl}/sign-in`)).body)!, next: '/' },
    });
    await victim.request(`${sys.baseUrl}/sign-in/oidc`, { form: { _csrf: csrfIn(page.body)!, next: '/' } });
    const atProvider = await attacker.follow(onward(started).href);
    const callbackUrl = atProvider.find((h) => h.headers.get('location')?.includes('/sign-in/oidc/callback'))!.headers.get('location')!;
    const replayed = await victim.request(callbackUrl);
    expect(replayed.status).toBe(401);
    expect(replayed.body).toContain('data-refusal="FAILED"');
    expect(victim.cookie(sys.baseUrl, 'silver_session')).toBeUndefined();
  });

  test('a disabled user neither keeps its session nor opens another', async () => {
    const { userId, browser } = await signedIn('Dario Esposito', 'dario');
    expect((await sys.call('DELETE', `/v1/users/${userId}`, { key: sys.adminKey })).status).toBe(204);
    const after = await browser.request(`${sys.baseUrl}/inbox`);
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/sign-in/);
    const refused = last(await ssoSignIn(new CookieBrowser(), sys.baseUrl));
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('data-refusal="NOT_USABLE"');
  });
});

describe('a second factor required (SILVER_REQUIRE_MFA=true)', () => {
  let userId: string;
  beforeAll(async () => {
    userId = await newUser('Elena Greco', 'REVIEWER');
    await link(userId, { subject: 'elena' });
  });

  test('a sign-in with a password only is refused with a page and a security event naming the user', async () => {
    op.signInAs({ accountId: 'elena', amr: ['pwd'] });
    const browser = new CookieBrowser();
    const refused = last(await ssoSignIn(browser, strict.url));
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('data-refusal="NO_SECOND_FACTOR"');
    expect(refused.body).toContain('This system requires a second factor');
    expect(browser.cookie(strict.url, 'silver_session')).toBeUndefined();
    await strict.services.perimeter.security.flush();
    expect(await securityEvents()).toContainEqual(expect.objectContaining({ kind: 'FORBIDDEN', path: '/sign-in/oidc/callback', userId }));
  });

  test('a one-time code in amr signs in', async () => {
    op.signInAs({ accountId: 'elena', amr: ['pwd', 'otp'] });
    const hops = await ssoSignIn(new CookieBrowser(), strict.url, '/review');
    expect(last(hops).url).toBe(`${strict.url}/review`);
    expect(last(hops).status).toBe(200);
  });

  test('an acr named in SILVER_OIDC_MFA_ACR signs in; another acr does not', async () => {
    op.signInAs({ accountId: 'elena', amr: ['pwd'], acr: MFA_ACR });
    expect(last(await ssoSignIn(new CookieBrowser(), strict.url, '/review')).status).toBe(200);
    op.signInAs({ accountId: 'elena', amr: ['pwd'], acr: LOW_ACR });
    expect(last(await ssoSignIn(new CookieBrowser(), strict.url)).status).toBe(403);
  });
});

describe('signing out', () => {
  test('ends the session here and at the provider, which sends the browser back to sign in', async () => {
    const { keyId, browser, inbox } = await signedIn('Fabio Ricci', 'fabio');
    const { idToken } = (await sys.db.prisma.consoleSession.findFirst({ where: { keyId } }))!;

    const out = await browser.request(`${sys.baseUrl}/sign-out`, { form: { _csrf: csrfIn(inbox.body)! } });
    const endSession = onward(out);
    expect(endSession.origin).toBe(op.issuer);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${sys.baseUrl}/sign-in`);
    expect(endSession.searchParams.get('id_token_hint')).toBe(idToken);
    expect(await sys.db.prisma.consoleSession.count({ where: { keyId } })).toBe(0);
    expect((await browser.request(`${sys.baseUrl}/inbox`)).status).toBe(303);

    // The provider asks to confirm (its own form), then sends the browser back here.
    const confirm = await browser.request(endSession.href);
    expect(confirm.status).toBe(200);
    const action = /<form[^>]+action="([^"]+)"/.exec(confirm.body)![1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1];
    const back = await browser.follow(new URL(action, op.issuer).href, { form: { xsrf, logout: 'yes' } });
    expect(last(back).url).toBe(`${sys.baseUrl}/sign-in`);

    // The provider's session ended too: the next sign-in asks who it is again.
    const asked = op.prompts.length;
    await ssoSignIn(browser, sys.baseUrl);
    expect(op.prompts.slice(asked)).toContain('login');
  });

  test('a session opened with a key signs out here only, as before', async () => {
    const browser = new CookieBrowser();
    const page = await browser.request(`${sys.baseUrl}/sign-in`);
    const key = await sys.key('CCF');
    await browser.request(`${sys.baseUrl}/sign-in`, { form: { _csrf: csrfIn(page.body)!, key } });
    const signedIn = await browser.request(`${sys.baseUrl}/requests`);
    expect(signedIn.status).toBe(200);
    const out = await browser.request(`${sys.baseUrl}/sign-out`, { form: { _csrf: csrfIn(signedIn.body)! } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/sign-in');
  });
});

describe('linking identities (ADMIN)', () => {
  test('exactly one of subject and email; an identity belongs to one user; a user holds one identity', async () => {
    const a = await newUser('Gina Romano');
    const b = await newUser('Hugo Marino');
    const both = await link(a, { subject: 'gina', email: 'gina@example.org' });
    expectProblem(both, 400);
    expect(both.body.errors).toContainEqual(expect.objectContaining({ path: 'email' }));
    const neither = await link(a, {});
    expectProblem(neither, 400);
    expect(neither.body.errors).toContainEqual(expect.objectContaining({ path: 'subject', code: 'REQUIRED' }));
    expectProblem(await link(a, { email: 'not an address' }), 400);

    const first = await link(a, { subject: 'gina' });
    expect(first.status).toBe(200);
    const taken = await link(b, { subject: 'gina' });
    expectProblem(taken, 409);
    expect(taken.body.code).toBe('IDENTITY_TAKEN');

    // Linking another identity replaces the first, whose key (and so sessions) stop.
    const second = await link(a, { subject: 'gina-2' });
    expect(second.body.keyId).not.toBe(first.body.keyId);
    expect((await sys.db.prisma.apiKey.findUnique({ where: { id: first.body.keyId } }))!.revokedAt).not.toBeNull();
    expect((await link(b, { subject: 'gina' })).status).toBe(200);
    expect((await sys.call('GET', `/v1/users/${a}/identity`, { key: sys.adminKey })).body.subject).toBe('gina-2');
    expectProblem(await link('6f1c1a4e-0000-4000-8000-000000000000', { subject: 'nobody' }), 404);
  });

  test('unlinking ends the identity sessions at once; only an ADMIN may link', async () => {
    const { userId, browser } = await signedIn('Irene Conti', 'irene');
    expect((await sys.call('DELETE', `/v1/users/${userId}/identity`, { key: sys.adminKey })).status).toBe(204);
    expect((await browser.request(`${sys.baseUrl}/inbox`)).status).toBe(303);
    expectProblem(await sys.call('GET', `/v1/users/${userId}/identity`, { key: sys.adminKey }), 404);
    expectProblem(await sys.call('DELETE', `/v1/users/${userId}/identity`, { key: sys.adminKey }), 404);
    expect(last(await ssoSignIn(new CookieBrowser(), sys.baseUrl)).body).toContain('data-refusal="UNLINKED"');

    const reviewer = await sys.key('REVIEWER');
    const refused = await sys.call('PUT', `/v1/users/${userId}/identity`, { key: reviewer, body: { subject: 'irene' } });
    expectProblem(refused, 403);
  });

  test('the console admin page links and unlinks', async () => {
    const userId = await newUser('Luca Ferri');
    const browser = new CookieBrowser();
    const page = await browser.request(`${sys.baseUrl}/sign-in`);
    await browser.request(`${sys.baseUrl}/sign-in`, { form: { _csrf: csrfIn(page.body)!, key: sys.adminKey } });
    const users = await browser.request(`${sys.baseUrl}/admin/users`);
    expect(users.body).toContain(`href="/admin/users/${userId}/identity"`);
    const form = await browser.request(`${sys.baseUrl}/admin/users/${userId}/identity`);
    expect(form.body).toContain('No identity is linked');
    const csrf = csrfIn(form.body)!;
    const wrong = await browser.request(`${sys.baseUrl}/admin/users/${userId}/identity`, {
      form: { _csrf: csrf, subject: 'luca', email: 'l@example.org' },
    });
    expect(wrong.status).toBe(400);
    const linked = await browser.follow(`${sys.baseUrl}/admin/users/${userId}/identity`, {
      form: { _csrf: csrf, email: 'luca@example.org' },
    });
    expect(last(linked).body).toContain('Linked to the identity luca@example.org at Test IdP');
    const unlinked = await browser.follow(`${sys.baseUrl}/admin/users/${userId}/identity/unlink`, { form: { _csrf: csrf } });
    expect(last(unlinked).body).toContain('No identity is linked');
  });
});

describe('passkeys required of everyone (the sign-in policy)', () => {
  afterAll(() => sys.call('PUT', '/v1/sign-in-policy', { key: sys.adminKey, body: { passkeysRequired: false } }));

  test("the provider's second factor stands for the passkey; a password alone goes on to register one", async () => {
    const userId = await newUser('Marta Gallo');
    await link(userId, { subject: 'marta' });
    expect((await sys.call('PUT', '/v1/sign-in-policy', { key: sys.adminKey, body: { passkeysRequired: true } })).status).toBe(200);

    op.signInAs({ accountId: 'marta', amr: ['pwd'] });
    const withPassword = new CookieBrowser();
    const registration = last(await ssoSignIn(withPassword, sys.baseUrl, '/inbox'));
    expect(registration.url).toBe(`${sys.baseUrl}/passkeys?next=%2Finbox`);
    // Until a passkey is added the session is nobody: the inbox sends it back there.
    const inbox = await withPassword.request(`${sys.baseUrl}/inbox`);
    expect(inbox.status).toBe(303);
    expect(inbox.headers.get('location')).toMatch(/^\/passkeys/);

    op.signInAs({ accountId: 'marta', amr: ['pwd', 'hwk'] });
    const withKey = last(await ssoSignIn(new CookieBrowser(), sys.baseUrl, '/inbox'));
    expect(withKey.url).toBe(`${sys.baseUrl}/inbox`);
    expect(withKey.status).toBe(200);
  });
});

describe('the last ADMIN', () => {
  test('an identity whose key is the last usable ADMIN key cannot be unlinked', async () => {
    const admin = await sys.principal(sys.adminKey);
    const userId = await newUser('Olga Bruni', 'ADMIN');
    await link(userId, { subject: 'olga' });
    // The bootstrap ADMIN disabled: Olga's sessions, through her link's key, are the last way in.
    await sys.db.prisma.user.update({ where: { id: admin.userId }, data: { disabledAt: new Date() } });
    try {
      await expect(sys.services.oidc.unlink(admin, userId)).rejects.toMatchObject({ code: 'LAST_ADMIN' });
      expect(await sys.services.oidc.linked(userId)).toEqual(expect.objectContaining({ subject: 'olga' }));
    } finally {
      await sys.db.prisma.user.update({ where: { id: admin.userId }, data: { disabledAt: null } });
    }
  });
});
