/**
 * Passkeys in a real Chromium with its virtual authenticator (the DevTools protocol's WebAuthn
 * domain, a platform authenticator with user verification): registered after a key's sign-in,
 * then asked for at every sign-in (the console is closed until the assertion succeeds), a replayed
 * assertion refused and recorded; an ADMIN requiring passkeys of everyone, so that a user without
 * one is sent to register one before anything else.
 */
import type { CDPSession, Page } from 'playwright-core';
import { type Browser, consoleVisitor, policyRefusals, seriousViolations, startBrowser, textOf } from '../support/browser';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;
/** WebAuthn wants a domain: `localhost` (a secure context over plain HTTP), never an IP address. */
let origin: string;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  origin = sys.baseUrl.replace('127.0.0.1', 'localhost');
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

/** A person at a browser whose device has a passkey-capable authenticator (Touch ID and the like). */
async function personWithAuthenticator(): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string }> {
  const page = await browser.person();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { page, cdp, authenticatorId };
}

/** Signs in with the key and waits for the page the console sends the reader to. */
async function keySignIn(page: Page, key: string, then: RegExp): Promise<void> {
  await page.goto(`${origin}/sign-in`);
  await page.fill('#f-key', key);
  await Promise.all([page.waitForURL(then), page.click('main form button[type=submit]')]);
}

const sessionCookie = async (page: Page) => (await page.context().cookies()).find((c) => c.name === 'silver_session')?.value;

/** The response field a passkey form posted (what the browser's ceremony produced). */
function capturePosted(page: Page, path: string): () => string | undefined {
  let posted: string | undefined;
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === path)
      posted = new URLSearchParams(r.postData() ?? '').get('response') ?? undefined;
  });
  return () => posted;
}

test('a passkey registered after a key’s sign-in is then asked for at every sign-in, and nothing opens without it', async () => {
  const key = await sys.key('NCB', 'IT');
  const { userId } = await sys.principal(key);
  const { page, cdp, authenticatorId } = await personWithAuthenticator();

  // Without passkeys, the key alone signs in.
  await keySignIn(page, key, /\/work$/);
  await page.click('header a[href="/passkeys"]');
  expect(await textOf(page, 'main')).toContain('You have no passkey yet.');
  await page.fill('#f-name', 'Office laptop');
  await Promise.all([page.waitForURL(/\/passkeys\?added=1$/), page.click('#add-passkey button.primary')]);
  expect(await textOf(page, '.notice')).toBe('The passkey was added. It will be asked for at your next sign-in.');
  expect(await textOf(page, 'main table tbody')).toContain('Office laptop');

  // The database keeps the credential the authenticator made: its id, public key, counter and transports.
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  const stored = await sys.db.prisma.passkey.findMany({ where: { userId } });
  expect(stored).toEqual([
    expect.objectContaining({
      credentialId: Buffer.from(credentials[0].credentialId, 'base64').toString('base64url'),
      transports: ['internal'],
      name: 'Office laptop',
      lastUsedAt: null,
    }),
  ]);
  expect(stored[0].publicKey.length).toBeGreaterThan(60);

  await Promise.all([page.waitForURL(/\/sign-in$/), page.click('header form[action="/sign-out"] button')]);

  // The key is accepted, but the session is nobody until the passkey answers.
  await keySignIn(page, key, /\/sign-in\/passkey$/);
  const pendingToken = await sessionCookie(page);
  expect(await textOf(page, 'h1')).toBe('Confirm with your passkey');
  for (const path of ['/inbox', '/requests', '/requests/new', '/passkeys']) {
    const res = await page.request.get(`${origin}${path}`, { maxRedirects: 0 });
    expect({ path, status: res.status(), location: res.headers().location }).toEqual({
      path,
      status: 303,
      location: `/sign-in/passkey?next=${encodeURIComponent(path)}`,
    });
  }
  await page.goto(`${origin}/requests/new`);
  expect(page.url()).toBe(`${origin}/sign-in/passkey?next=%2Frequests%2Fnew`);
  expect(await seriousViolations(page)).toEqual([]);

  // A challenge outlives its ceremony by little: once expired, the passkey's answer to it is refused.
  await sys.db.prisma.passkeyChallenge.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
  const [expired] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sign-in/passkey'),
    page.click('main form[data-passkey] button.primary'),
  ]);
  expect(expired.status()).toBe(401);
  expect(await textOf(page, '.notice')).toBe('The passkey was not accepted. Try again, or sign in again with your key.');

  const posted = capturePosted(page, '/sign-in/passkey');
  await Promise.all([page.waitForURL(/\/requests\/new$/), page.click('main form[data-passkey] button.primary')]);
  expect(await textOf(page, 'h1')).toBe('New request');
  // The session went on under a new token; the one given before the second factor is dead.
  expect(await sessionCookie(page)).not.toBe(pendingToken);
  const used = await sys.db.prisma.passkey.findFirstOrThrow({ where: { userId } });
  expect(used.lastUsedAt).not.toBeNull();
  expect(used.counter).toBeGreaterThan(stored[0].counter);
  expect(policyRefusals(page)).toEqual([]);

  // The assertion the browser sent, replayed in another session of the same key, proves nothing.
  const replay = posted();
  expect(replay).toBeTruthy();
  const other = consoleVisitor(sys);
  const signedIn = await other.signIn(key);
  expect(signedIn.location).toBe('/sign-in/passkey');
  await other.get('/sign-in/passkey');
  const refused = await other.post('/sign-in/passkey', { response: replay! });
  expect(refused.status).toBe(401);
  expect(refused.html).toContain('The passkey was not accepted.');
  expect((await other.get('/inbox')).location).toBe('/sign-in/passkey?next=%2Finbox');
  // So is an answer that is not a credential at all.
  expect((await other.post('/sign-in/passkey', { response: '{"id":"x"}' })).status).toBe(401);

  await sys.services.perimeter.security.flush();
  const events = await sys.call('GET', '/v1/security-events?kind=PASSKEY_FAILED', { key: sys.adminKey });
  expect(events.status).toBe(200);
  // The expired challenge's answer, the replay and the non-credential: three refusals, each recorded.
  expect(events.body.items).toEqual(
    Array.from({ length: 3 }, () => expect.objectContaining({ kind: 'PASSKEY_FAILED', userId, method: 'POST', path: '/sign-in/passkey' })),
  );
});

test('an ADMIN requires passkeys of everyone: a user without one must register one first, and then keeps it', async () => {
  const reviewerKey = await sys.key('REVIEWER');
  const { userId } = await sys.principal(reviewerKey);

  const admin = await browser.person();
  await keySignIn(admin, sys.adminKey, /\/work$/);
  await admin.click('header a[href="/admin/sign-in"]');
  expect(await admin.isChecked('#f-passkeysRequired')).toBe(false);
  await admin.check('#f-passkeysRequired');
  await Promise.all([admin.waitForURL(/\/admin\/sign-in\?saved=1$/), admin.click('main form button.primary')]);
  expect(await admin.isChecked('#f-passkeysRequired')).toBe(true);
  expect((await sys.call('GET', '/v1/sign-in-policy', { key: sys.adminKey })).body).toEqual({
    passkeysRequired: true,
    updatedAt: expect.any(String),
  });

  // The reviewer has no passkey: the key opens only the page to add one.
  const { page } = await personWithAuthenticator();
  await page.goto(`${origin}/review`);
  await page.fill('#f-key', reviewerKey);
  await Promise.all([page.waitForURL(/\/passkeys\?next=%2Freview$/), page.click('main form button[type=submit]')]);
  expect(await textOf(page, 'main')).toContain('Your administrator requires a passkey.');
  expect(await page.locator('header nav').count()).toBe(0);
  expect(await seriousViolations(page)).toEqual([]);
  const refused = await page.request.get(`${origin}/requests`, { maxRedirects: 0 });
  expect([refused.status(), refused.headers().location]).toEqual([303, '/passkeys?next=%2Frequests']);
  expect((await page.request.get(`${origin}/sign-in/passkey`, { maxRedirects: 0 })).headers().location).toBe('/passkeys');

  await page.fill('#f-name', 'Security key');
  await Promise.all([page.waitForURL(/\/review$/), page.click('#add-passkey button.primary')]);
  expect(await textOf(page, 'h1')).toBe('Review queue');
  expect(await sys.db.prisma.passkey.count({ where: { userId } })).toBe(1);

  // While required, the last passkey stays.
  await page.goto(`${origin}/passkeys`);
  const [removal] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && /\/passkeys\/[^/]+\/remove$/.test(r.url())),
    page.click('main table button.danger'),
  ]);
  expect(removal.status()).toBe(409);
  expect(await textOf(page, '.notice')).toBe('Passkeys are required: add another one before removing this one.');
  expect(await sys.db.prisma.passkey.count({ where: { userId } })).toBe(1);

  // The API: the policy takes a boolean from an ADMIN only; an ADMIN resets a user's passkeys.
  const bad = await sys.call('PUT', '/v1/sign-in-policy', { key: sys.adminKey, body: { passkeysRequired: 'yes' } });
  expect(bad.status).toBe(400);
  expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(bad.body).toMatchObject({ code: 'VALIDATION', errors: [expect.objectContaining({ path: 'passkeysRequired' })] });
  expect((await sys.call('PUT', '/v1/sign-in-policy', { key: reviewerKey, body: { passkeysRequired: false } })).body.code).toBe(
    'FORBIDDEN',
  );
  expect((await sys.call('GET', `/v1/users/${userId}/passkeys`, { key: sys.adminKey })).body.items).toEqual([
    expect.objectContaining({ name: 'Security key', transports: ['internal'], lastUsedAt: null }),
  ]);
  expect((await sys.call('DELETE', `/v1/users/${crypto.randomUUID()}/passkeys`, { key: sys.adminKey })).status).toBe(404);
  expect((await sys.call('DELETE', `/v1/users/${userId}/passkeys`, { key: sys.adminKey })).status).toBe(204);
  expect((await sys.call('GET', `/v1/users/${userId}/passkeys`, { key: sys.adminKey })).body.items).toEqual([]);
  // The reset is for a lost authenticator: the sessions it opened end with it.
  await page.goto(`${origin}/review`);
  expect(new URL(page.url()).pathname).toBe('/sign-in');

  // Not required any more: a user without a passkey signs in with the key alone.
  expect((await sys.call('PUT', '/v1/sign-in-policy', { key: sys.adminKey, body: { passkeysRequired: false } })).status).toBe(200);
  const plain = consoleVisitor(sys);
  expect((await plain.signIn(reviewerKey)).location).toBe('/');
  expect(policyRefusals(page)).toEqual([]);
});
