/**
 * The CCF and administrators, in a real browser: blocking a published request (its recipient then
 * sees nothing of it) and deciding; users, keys (a new key's secret shown once, and working),
 * revocation, the pilot's settings, webhooks (the secret shown once, deliveries, sending again),
 * and the pilot report with its charts.
 */
import { freshRequest, publish } from '../support/helpers';
import { type Browser, confirmStep, fieldError, fieldId, policyRefusals, signIn, startBrowser, textOf } from '../support/browser';
import { startReceiver } from '../support/receiver';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR']);
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

test('the CCF blocks a published request, its recipient sees only that it is blocked, and the CCF decides', async () => {
  const [it_, fr, reviewer, ccf] = await sys.keys('IT', 'FR', 'REVIEWER', 'CCF');
  const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const page = await browser.person();
  await signIn(page, sys.baseUrl, ccf);
  expect(page.url()).toMatch(/\/work$/);
  await page.goto(`${sys.baseUrl}/requests`);
  await page.click(`main a:has-text("${published.reference}")`);
  await page.click('#act-block summary');
  await page.click('#act-block button[type=submit]');
  expect(await fieldError(page, 'reason')).toBe('is required');
  await page.fill(`#act-block ${fieldId('reason')}`, 'The person complains the data are inaccurate');
  await page.click('#act-block button[type=submit]');
  expect(await confirmStep(page)).toContain('The person complains the data are inaccurate');
  await page.waitForURL(/done=block/);
  expect(await textOf(page, 'h1')).toContain('Blocked');

  const recipient = await browser.person();
  await signIn(recipient, sys.baseUrl, fr);
  await recipient.goto(`${sys.baseUrl}/requests/${published.id}`);
  const seen = await textOf(recipient, 'main');
  expect(seen).toContain('The CCF has blocked this request');
  expect(seen).not.toContain(published.subject.familyName);
  expect(await recipient.locator('#act-answer').count()).toBe(0);

  await page.check(`#act-blocking-decision ${fieldId('outcome')}-1`); // DISMISSED
  await page.fill(`#act-blocking-decision ${fieldId('reason')}`, 'The data are accurate');
  await page.click('#act-blocking-decision button.primary');
  expect(await confirmStep(page)).toContain('Dismissed: lift the blocking');
  await page.waitForURL(/done=blocking-decision/);
  await recipient.reload();
  expect(await textOf(recipient, 'main')).toContain(published.subject.familyName);
  expect(await recipient.locator('#act-answer').count()).toBe(1);
});

test('an administrator creates a user and a key, shown once, that then signs in; revoked, it no longer does', async () => {
  const admin = await browser.person();
  await signIn(admin, sys.baseUrl, sys.adminKey);
  expect(admin.url()).toMatch(/\/work$/);
  await admin.goto(`${sys.baseUrl}/admin/users`);
  await admin.fill(fieldId('name'), 'Marie Dupont');
  await admin.selectOption(fieldId('role'), 'NCB');
  await admin.click('#new-user button.primary');
  expect(await fieldError(admin, 'country')).toBe('only an NCB has a country, and it needs one');
  await admin.selectOption(fieldId('country'), 'FR');
  await admin.click('#new-user button.primary');
  await admin.waitForURL(/\/admin\/users$/);
  expect(await textOf(admin, 'main table')).toContain('Marie Dupont');

  await admin.goto(`${sys.baseUrl}/admin/keys`);
  const user = await sys.db.prisma.user.findFirstOrThrow({ where: { name: 'Marie Dupont' } });
  await admin.selectOption(fieldId('userId'), user.id);
  await admin.fill(fieldId('label'), 'Paris desk');
  await admin.fill(fieldId('expiresInDays'), '90');
  await admin.click('#new-key button.primary');
  const key = (await textOf(admin, '#created-key'))!.trim();
  expect(key).toMatch(/^snk_/);
  await admin.goto(`${sys.baseUrl}/admin/keys`);
  expect(await admin.locator('#created-key').count()).toBe(0);
  expect(await textOf(admin, 'main table')).toContain('Paris desk');

  const marie = await browser.person();
  await signIn(marie, sys.baseUrl, key);
  expect(await textOf(marie, 'header .who')).toContain('Marie Dupont · NCB · France');

  await admin.click('button[aria-label="Revoke: Paris desk"]');
  await admin.waitForURL(/\/admin\/keys$/);
  await marie.goto(`${sys.baseUrl}/inbox`);
  expect(marie.url()).toMatch(/\/sign-in/);

  await admin.goto(`${sys.baseUrl}/admin/users`);
  await admin.click('button[aria-label="Disable: Marie Dupont"]');
  await confirmStep(admin);
  await admin.waitForURL(/\/admin\/users$/);
  expect((await sys.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).disabledAt).not.toBeNull();
  expect(policyRefusals(admin)).toEqual([]);
});

test('the pilot settings: participants and quota, with the API’s rules', async () => {
  const admin = await browser.person();
  await signIn(admin, sys.baseUrl, sys.adminKey, 'fr');
  await admin.goto(`${sys.baseUrl}/admin/pilot`);
  await admin.selectOption(fieldId('participants'), []);
  await admin.click('#settings button.primary');
  expect(await fieldError(admin, 'participants')).toBe('est obligatoire');
  await admin.selectOption(fieldId('participants'), ['IT', 'FR', 'ES', 'DE']);
  await admin.fill(fieldId('quotaTotal'), '40');
  await admin.check(`${fieldId('limited')}-0`);
  await admin.click('#settings button.primary');
  await admin.waitForURL(/\/admin\/pilot$/);
  expect(await sys.call('GET', '/v1/pilot', { key: sys.adminKey }).then((r) => r.body)).toMatchObject({
    participants: ['DE', 'ES', 'FR', 'IT'],
    quotaTotal: 40,
    quotaPerParticipant: 10,
    recipientsLimitedToParticipants: true,
  });
  expect(await textOf(admin, 'main')).toContain('Chaque participant peut soumettre 10 demandes (40 au total).');
});

test('the pilot report draws its charts on the server, each with a name and its figures', async () => {
  const admin = await browser.person();
  await signIn(admin, sys.baseUrl, sys.adminKey, 'ar');
  await admin.goto(`${sys.baseUrl}/report`);
  const charts = admin.locator('figure.chart svg[role=img]');
  expect(await charts.count()).toBeGreaterThanOrEqual(4);
  const label = await charts.first().getAttribute('aria-labelledby');
  expect(await textOf(admin, `#${label}`)).toBe('الطلبات حسب الحالة');
  expect(await admin.locator('#by-status .chart-bar').count()).toBeGreaterThan(0);
  expect(await admin.locator('#by-status details table').count()).toBe(1);
  expect(policyRefusals(admin)).toEqual([]);
});

test('webhooks: an administrator points a country at its receiver, sees the deliveries, sends one again, removes it', async () => {
  const receiver = await startReceiver();
  try {
    const [it_, reviewer] = await Promise.all([sys.key('NCB', 'IT'), sys.key('REVIEWER')]);
    const admin = await browser.person();
    await signIn(admin, sys.baseUrl, sys.adminKey);
    await admin.goto(`${sys.baseUrl}/admin/webhooks`);
    await admin.selectOption(fieldId('country'), 'FR');
    await admin.click('#new-webhook button.primary');
    expect(await fieldError(admin, 'url')).toBe('is required');
    await admin.fill(fieldId('url'), receiver.url);
    await admin.click('#new-webhook button.primary');
    const secret = (await textOf(admin, '#created-secret'))!.trim();
    expect(secret).toMatch(/^whsec_/);
    expect(await textOf(admin, 'main table')).toContain(receiver.url);
    await admin.goto(`${sys.baseUrl}/admin/webhooks`);
    expect(await admin.locator('#created-secret').count()).toBe(0);

    // A publication to FR reaches the receiver, signed with that secret, and shows as delivered.
    const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    const [first] = await receiver.waitFor(1);
    expect(receiver.verified(secret)[0].data.noticeId).toBe(published.id);
    await admin.goto(`${sys.baseUrl}/admin/webhooks/FR`);
    expect(await textOf(admin, 'main table')).toContain('Delivered');

    await admin.click('main table button:has-text("Send again")');
    await admin.waitForURL(/sent=1/);
    const [, again] = await receiver.waitFor(2);
    expect(again.headers['webhook-id']).toBe(first.headers['webhook-id']);

    await admin.goto(`${sys.baseUrl}/admin/webhooks`);
    await admin.click('button[aria-label^="Remove:"]');
    await admin.waitForURL(/\/admin\/webhooks$/);
    expect(await textOf(admin, 'main')).toContain('No country has a webhook yet.');
    expect(policyRefusals(admin)).toEqual([]);
  } finally {
    await receiver.close();
  }
}, 120_000);
