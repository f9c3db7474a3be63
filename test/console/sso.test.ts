/**
 * Single sign-on walked in Chromium against the in-process OpenID Provider: the cookies as a
 * browser keeps them (the provider on another site sends the browser back; the session cookie is
 * SameSite=Strict), the refusal page, and signing out through the provider's own confirmation.
 */
import { type Browser, policyRefusals, seriousViolations, signIn, startBrowser, textOf } from '../support/browser';
import { startTestProvider, type TestProvider } from '../support/oidc-provider';
import { freePort, startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let op: TestProvider;
let browser: Browser;

beforeAll(async () => {
  const [port, opPort] = [await freePort(), await freePort()];
  const publicUrl = `http://127.0.0.1:${port}`;
  // Another host than the console's: the provider is another site for the browser, as in production.
  op = await startTestProvider(opPort, [publicUrl], [], 'localhost');
  [sys, browser] = await Promise.all([
    startTestSystem({
      port,
      oidc: {
        issuer: op.issuer,
        clientId: op.clientId,
        clientSecret: op.clientSecret,
        publicUrl,
        name: 'Police ID',
        requireMfa: true,
        mfaAcr: [],
      },
    }),
    startBrowser(),
  ]);
  const user = await sys.call('POST', '/v1/users', { key: sys.adminKey, body: { name: 'Nadia Moretti', role: 'NCB', country: 'IT' } });
  await sys.call('PUT', `/v1/users/${user.body.id}/identity`, { key: sys.adminKey, body: { subject: 'nadia' } });
});
afterAll(async () => {
  await browser?.close();
  await op?.stop();
  await sys?.stop();
});

test('a person signs in through the provider, lands where they were going, and signs out there too', async () => {
  op.signInAs({ accountId: 'nadia', amr: ['pwd', 'otp'] });
  const page = await browser.person();
  await page.goto(`${sys.baseUrl}/sign-in?next=%2Finbox`);
  await page.click('button:has-text("Sign in with Police ID")');
  await page.waitForURL(`${sys.baseUrl}/inbox`);
  expect(await textOf(page, 'header')).toContain('Nadia Moretti');
  expect(policyRefusals(page)).toEqual([]);

  // Signing out: the provider asks to confirm on its own page, then sends the browser back here.
  await Promise.all([page.waitForURL((u) => u.origin === op.issuer), page.click('button:has-text("Sign out")')]);
  await Promise.all([page.waitForURL(`${sys.baseUrl}/sign-in`), page.click('button[name="logout"]')]);
  await page.goto(`${sys.baseUrl}/inbox`);
  expect(new URL(page.url()).pathname).toBe('/sign-in');
});

test('a password alone is refused with a page that says why, in the reader’s language, and passes axe', async () => {
  op.signInAs({ accountId: 'nadia', amr: ['pwd'] });
  const page = await browser.person({ locale: 'es-ES' });
  await page.goto(`${sys.baseUrl}/sign-in`);
  await page.click('button:has-text("Iniciar sesión con Police ID")');
  await page.waitForURL(/\/sign-in\/oidc\/callback/);
  expect(await textOf(page, '[data-refusal]')).toContain('Este sistema exige un segundo factor');
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto(`${sys.baseUrl}/inbox`);
  expect(new URL(page.url()).pathname).toBe('/sign-in');
});

test.each(['en', 'ar'])('the administrator’s single sign-on page of a user, with its form, passes axe (%s)', async (lang) => {
  const users = await sys.call('GET', '/v1/users', { key: sys.adminKey });
  const nadia = users.body.items.find((u: { name: string }) => u.name === 'Nadia Moretti');
  const page = await browser.person();
  await signIn(page, sys.baseUrl, sys.adminKey, lang);
  await page.goto(`${sys.baseUrl}/admin/users/${nadia.id}/identity`);
  expect(await textOf(page, '#identity-status')).toContain('nadia');
  expect(await page.locator('#f-subject').count()).toBe(1);
  expect(await seriousViolations(page)).toEqual([]);
  expect(policyRefusals(page)).toEqual([]);
});
