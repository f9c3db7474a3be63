/**
 * Every page of the console, for every role, in English and in Arabic: axe-core finds no serious or
 * critical violation, and the Content-Security-Policy refuses nothing. The language a reader chose is
 * remembered, and dates follow the time zone they set.
 */
import type { Page } from 'playwright-core';
import { flaggedRequest, freshRequest, publish, submit, waitForStatus } from '../support/helpers';
import { type Browser, policyRefusals, seriousViolations, signIn, startBrowser, textOf } from '../support/browser';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;
const keys: Record<string, string> = {};
const ids: Record<string, string> = {};

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR', 'ES']);
  const [it_, fr, reviewer, ccf] = await sys.keys('IT', 'FR', 'REVIEWER', 'CCF');
  Object.assign(keys, { it: it_, fr, reviewer, ccf, admin: sys.adminKey });
  const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  await sys.call('POST', `/v1/notices/${published.id}/responses`, {
    key: fr,
    body: {
      outcome: 'ASSETS_LOCATED',
      final: false,
      assets: [{ category: 'VESSEL', description: 'Yacht', location: { country: 'FR' }, estimatedValue: { amount: 2e6, currency: 'EUR' } }],
    },
  });
  const blocked = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  await sys.call('POST', `/v1/notices/${blocked.id}/blocking`, { key: ccf, body: { reason: 'A complaint' } });
  const { id: flagged } = await submit(sys, it_, flaggedRequest());
  const { id: asked } = await submit(sys, it_, freshRequest());
  await waitForStatus(sys, asked, it_, 'UNDER_REVIEW');
  await sys.call('POST', `/v1/notices/${asked}/decisions`, {
    key: reviewer,
    body: { decision: 'REQUEST_CLARIFICATION', reason: 'Which bank?' },
  });
  await waitForStatus(sys, flagged, it_, 'UNDER_REVIEW');
  Object.assign(ids, { published: published.id, blocked: blocked.id, flagged, asked, admin: (await sys.principal(sys.adminKey)).userId });
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

const PAGES: [string, () => string[]][] = [
  [
    'it',
    () => [
      '/work',
      '/requests',
      '/requests/new',
      `/requests/${ids.asked}`,
      `/requests/${ids.asked}/clarify`,
      `/requests/${ids.published}`,
      '/preferences',
      '/passkeys',
      '/search?q=rossi',
    ],
  ],
  ['fr', () => ['/work', '/inbox', `/requests/${ids.published}`, `/requests/${ids.blocked}`, '/search?q=--']],
  [
    'reviewer',
    () => ['/work', '/review', '/requests', `/requests/${ids.flagged}`, `/requests/${ids.published}`, '/report', '/search?q=rossi'],
  ],
  ['ccf', () => ['/work', '/requests', `/requests/${ids.blocked}`]],
  [
    'admin',
    () => [
      '/work',
      '/admin/users',
      '/admin/keys',
      '/admin/pilot',
      '/admin/webhooks',
      '/admin/webhooks/FR',
      '/admin/sign-in',
      `/admin/users/${ids.admin}/identity`,
      '/report',
      '/admin/no-such-page',
    ],
  ],
];

async function check(page: Page, what: string): Promise<string[]> {
  return [...(await seriousViolations(page)), ...policyRefusals(page)].map((v) => `${what}: ${v}`);
}

describe.each(['en', 'ar'])('in %s', (lang) => {
  test('every page of every role', async () => {
    const found: string[] = [];
    const anonymous = await browser.person();
    await anonymous.goto(`${sys.baseUrl}/sign-in`);
    if (lang === 'ar') {
      await anonymous.selectOption('#lang-switch', 'ar');
      await anonymous.click('form.lang button');
      await anonymous.waitForLoadState();
    }
    found.push(...(await check(anonymous, 'sign-in')));
    for (const [who, paths] of PAGES) {
      const page = await browser.person();
      await signIn(page, sys.baseUrl, keys[who], lang);
      for (const path of paths()) {
        const res = await page.goto(`${sys.baseUrl}${path}`);
        expect({ path, status: res?.status() }).toEqual({ path, status: path.includes('/no-such') ? 404 : 200 });
        expect(await page.getAttribute('html', 'dir')).toBe(lang === 'ar' ? 'rtl' : 'ltr');
        found.push(...(await check(page, `${who} ${path}`)));
      }
    }
    expect(found).toEqual([]);
  });

  test('forms showing their problems', async () => {
    const page = await browser.person();
    await signIn(page, sys.baseUrl, keys.it, lang);
    await page.goto(`${sys.baseUrl}/requests/new`);
    await page.click('main form button.primary');
    await page.waitForSelector('.error-summary');
    const found = await check(page, 'new request with problems');
    const recipient = await browser.person();
    await signIn(recipient, sys.baseUrl, keys.fr, lang);
    await recipient.goto(`${sys.baseUrl}/requests/${ids.published}`);
    await recipient.click('#act-answer button.primary');
    await recipient.waitForSelector('.error-summary');
    found.push(...(await check(recipient, 'answer with problems')));
    expect(found).toEqual([]);
  });
});

test('the language a reader chose is remembered after signing out, and dates follow the time zone they set', async () => {
  const page = await browser.person({ timezoneId: 'Europe/Madrid' });
  await signIn(page, sys.baseUrl, keys.fr, 'es');
  expect(await page.getAttribute('html', 'lang')).toBe('es');
  await page.click('header form[action="/sign-out"] button');
  await page.waitForURL(/\/sign-in/);
  expect(await page.getAttribute('html', 'lang')).toBe('es');
  expect(await textOf(page, 'h1')).toBe('Iniciar sesión');
  await signIn(page, sys.baseUrl, keys.fr);
  expect(await textOf(page, 'h1')).toBe('Su trabajo');
  await page.goto(`${sys.baseUrl}/inbox`);
  expect(await textOf(page, 'h1')).toBe('Bandeja de entrada');

  const due = (await sys.db.prisma.recipient.findUniqueOrThrow({ where: { noticeId_country: { noticeId: ids.published, country: 'FR' } } }))
    .dueAt;
  const shown = () => page.locator(`time[datetime="${due.toISOString()}"]`).first().innerText();
  const inZone = (timeZone: string) => new Intl.DateTimeFormat('es-ES', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(due);
  expect(await shown()).toBe(inZone('Europe/Madrid'));
  await page.goto(`${sys.baseUrl}/preferences`);
  await page.selectOption('#f-timeZone', 'Asia/Tokyo');
  await page.click('main form button.primary');
  await page.waitForURL(/\/preferences$/);
  await page.goto(`${sys.baseUrl}/inbox`);
  expect(await shown()).toBe(inZone('Asia/Tokyo'));
});
