/**
 * In a real browser: "Download CSV" on the lists and the report (the same CSV as the API's), an
 * NCB's unread count in the header and the notifications page that marks them read, and an
 * administrator enabling a disabled user again.
 */
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { freshRequest, publish } from '../support/helpers';
import { type Browser, policyRefusals, seriousViolations, signIn, startBrowser, textOf } from '../support/browser';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;
let it_: string, fr: string, reviewer: string;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, reviewer] = await sys.keys('IT', 'FR', 'REVIEWER');
  const arabic = freshRequest({ recipients: ['FR'] });
  await publish(sys, it_, reviewer, { ...arabic, subject: { ...arabic.subject, aliases: [{ familyName: 'عبد الله, "أبو" =1' }] } });
  await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

/** Follows a page's "Download CSV" link with the page's session, as the browser would download it. */
async function download(page: Page, linkText = 'Download CSV') {
  const href = await page.locator(`main a:has-text("${linkText}")`).getAttribute('href');
  expect(href).toMatch(/format=csv/);
  const res = await page.request.get(new URL(href!, page.url()).toString());
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toBe('text/csv; charset=utf-8; header=present');
  expect(res.headers()['content-disposition']).toMatch(/^attachment; filename=".+\.csv"$/);
  const bytes = await res.body();
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return bytes.toString('utf8');
}

const apiCsv = async (path: string, key: string) =>
  (await fetch(`${sys.baseUrl}${path}`, { headers: { authorization: `Bearer ${key}`, accept: 'text/csv' } })).text();

test("the lists' and the report's CSV downloads are the API's CSV", async () => {
  const page = await browser.person();
  await signIn(page, sys.baseUrl, reviewer);
  await page.goto(`${sys.baseUrl}/requests?status=PUBLISHED`);
  const requests = await download(page);
  // Response.text() drops the byte order mark the download starts with.
  expect(requests.replace(/^\uFEFF/, '')).toBe(await apiCsv('/v1/notices?status=PUBLISHED', reviewer));
  const [header, ...rows] = parse(requests, { bom: true }) as string[][];
  expect(rows).toHaveLength(2);
  const alias = rows.map((r) => r[header.indexOf('subject.aliases.0.familyName')]);
  expect(alias).toContain('عبد الله, "أبو" =1');

  await page.goto(`${sys.baseUrl}/report`);
  const report = parse(await download(page), { bom: true }) as string[][];
  expect(report).toHaveLength(2);
  expect(report[1][report[0].indexOf('requests.byStatus.PUBLISHED')]).toBe('2');

  const inbox = await browser.person();
  await signIn(inbox, sys.baseUrl, fr);
  await inbox.goto(`${sys.baseUrl}/inbox`);
  const received = parse(await download(inbox), { bom: true }) as string[][];
  expect(received.slice(1).map((r) => r[received[0].indexOf('recipients.0.country')])).toEqual(['FR', 'FR']);
  expect(policyRefusals(page)).toEqual([]);
});

test('an NCB sees its unread count in the header; opening the notifications marks them read', async () => {
  const page = await browser.person();
  await signIn(page, sys.baseUrl, fr);
  await page.goto(`${sys.baseUrl}/inbox`);
  const link = page.locator('header nav a[href="/notifications"]');
  expect((await link.innerText()).replace(/\s+/g, ' ')).toContain('Notifications 2');
  expect(await link.locator('.visually-hidden').innerText()).toBe('(2 unread)');

  await link.click();
  await page.waitForURL(/\/notifications$/);
  const table = await textOf(page, 'main table');
  expect(table.match(/Published/g)).toHaveLength(2);
  expect(await link.locator('.badge').count()).toBe(0);
  expect(await seriousViolations(page)).toEqual([]);
  const unread = await sys.call('GET', '/v1/notifications?unread=true', { key: fr });
  expect(unread.body.items).toEqual([]);

  await page.reload();
  expect(await textOf(page, 'main')).toContain('Nothing new.');
  await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  await page.goto(`${sys.baseUrl}/requests`);
  expect((await link.innerText()).replace(/\s+/g, ' ')).toContain('Notifications 1');
  await page.goto(`${sys.baseUrl}/notifications?all=1`);
  expect((await textOf(page, 'main table')).match(/Published/g)).toHaveLength(3);

  // In Arabic too: the count as the language writes numbers, and the page accessible.
  const ar = await browser.person();
  await signIn(ar, sys.baseUrl, fr, 'ar');
  await ar.goto(`${sys.baseUrl}/inbox`);
  expect(await ar.locator('header nav a[href="/notifications"] .badge').innerText()).toMatch(/^[1١]$/);
  await ar.goto(`${sys.baseUrl}/notifications`);
  expect(await seriousViolations(ar)).toEqual([]);
});

test('an administrator enables a disabled user again: its key signs in again', async () => {
  const created = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'NCB', country: 'ES', label: 'Madrid desk' } });
  const admin = await browser.person();
  await signIn(admin, sys.baseUrl, sys.adminKey);
  await sys.call('DELETE', `/v1/users/${created.body.userId}`, { key: sys.adminKey });
  await admin.goto(`${sys.baseUrl}/admin/users`);
  const person = await browser.person();
  await person.goto(`${sys.baseUrl}/sign-in`);
  await person.fill('#f-key', created.body.key);
  await person.click('main form button[type=submit]');
  expect(await textOf(person, 'main')).toContain('its user is disabled');

  await admin.click('button[aria-label="Enable: Madrid desk"]');
  await admin.waitForURL(/\/admin\/users$/);
  expect(await admin.locator('button[aria-label="Disable: Madrid desk"]').count()).toBe(1);
  expect((await sys.db.prisma.user.findUniqueOrThrow({ where: { id: created.body.userId } })).disabledAt).toBeNull();
  await signIn(person, sys.baseUrl, created.body.key);
  expect(await textOf(person, 'header .who')).toContain('Madrid desk · NCB');
  expect(await seriousViolations(admin)).toEqual([]);
});

test('a user disabled is signed out for good: enabled again, its old sessions stay closed and it signs in afresh', async () => {
  const created = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'NCB', country: 'ES', label: 'Bilbao desk' } });
  const person = await browser.person();
  await signIn(person, sys.baseUrl, created.body.key);
  expect(await textOf(person, 'header .who')).toContain('Bilbao desk · NCB');

  expect((await sys.call('DELETE', `/v1/users/${created.body.userId}`, { key: sys.adminKey })).status).toBe(204);
  expect((await sys.call('POST', `/v1/users/${created.body.userId}/enable`, { key: sys.adminKey })).status).toBe(200);
  await person.goto(`${sys.baseUrl}/work`);
  expect(new URL(person.url()).pathname).toBe('/sign-in');

  await signIn(person, sys.baseUrl, created.body.key);
  expect(await textOf(person, 'header .who')).toContain('Bilbao desk · NCB');
});
