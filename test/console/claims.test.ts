/**
 * The reviewer's working day in a real browser: the start page's counts, the queue by urgency
 * with who works on each request, a claim from the queue, and a take-over with its reason; in
 * English and in Arabic, each page clean under axe-core.
 */
import { freshRequest, submit, waitForStatus } from '../support/helpers';
import {
  type Browser,
  fieldError,
  submit as submitForm,
  fieldId,
  policyRefusals,
  seriousViolations,
  signIn,
  startBrowser,
  textOf,
} from '../support/browser';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;
let it_: string, ana: string, ben: string;
let normal: string, direct: string;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR']);
  [it_, ana, ben] = await sys.keys('IT', 'REVIEWER', 'REVIEWER');
  const rename = async (key: string, name: string) =>
    sys.db.prisma.user.update({ where: { id: (await sys.principal(key)).userId }, data: { name } });
  await Promise.all([rename(ana, 'Ana Reviewer'), rename(ben, 'Ben Reviewer')]);
  const names = { NORMAL: 'NORMALCLAIM', URGENT_DIRECT: 'DIRECTCLAIM' };
  for (const urgency of ['NORMAL', 'URGENT_DIRECT'] as const) {
    const body = freshRequest({ urgency, recipients: ['FR'] });
    body.subject.familyName = names[urgency];
    const { id } = await submit(sys, it_, body);
    await waitForStatus(sys, id, it_, 'UNDER_REVIEW');
    if (urgency === 'NORMAL') normal = id;
    else direct = id;
  }
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

test('the start page counts what waits; the queue puts the most urgent first; a claim from the queue; a take-over with its reason', async () => {
  const page = await browser.person();
  await signIn(page, sys.baseUrl, ana);
  await page.goto(`${sys.baseUrl}/work`);
  expect(await textOf(page, '#work-TO_DECIDE .badge')).toBe('2');
  for (const id of [direct, normal]) expect(await page.locator(`#work-TO_DECIDE + ul a[href="/requests/${id}"]`).count()).toBe(1);
  expect(await seriousViolations(page)).toEqual([]);

  await page.goto(`${sys.baseUrl}/review`);
  const rows = await page.locator('main table').first().locator('tbody tr').allInnerTexts();
  expect(rows.findIndex((r) => r.includes('DIRECTCLAIM'))).toBeLessThan(rows.findIndex((r) => r.includes('NORMALCLAIM')));
  expect(rows.find((r) => r.includes('DIRECTCLAIM'))).toContain('8 hours');
  await page.locator('main table tbody tr', { hasText: 'DIRECTCLAIM' }).locator('button', { hasText: 'Claim' }).click();
  await page.waitForURL(new RegExp(`/requests/${direct}`));
  expect(await page.locator('#act-release').count()).toBe(1);
  await page.goto(`${sys.baseUrl}/review`);
  expect(await page.locator('main table tbody tr', { hasText: 'DIRECTCLAIM' }).innerText()).toContain('Ana Reviewer');

  // Ben sees who holds it, and may take it over only with a reason.
  const other = await browser.person();
  await signIn(other, sys.baseUrl, ben, 'ar');
  await other.goto(`${sys.baseUrl}/requests/${direct}`);
  expect(await other.locator('#act-decide').count()).toBe(0);
  await other.locator('#act-claim summary').click();
  expect(await textOf(other, '#act-claim summary')).toContain('Ana Reviewer');
  await submitForm(other, '#act-claim button[type=submit]');
  expect(await fieldError(other, 'reason')).not.toBe('');
  await other.fill(`#act-claim ${fieldId('reason')}`, 'Ana is on leave');
  await other.locator('#act-claim button[type=submit]').click();
  await other.waitForURL(/done=claim/);
  expect(await other.locator('#act-decide').count()).toBe(1);
  expect(await seriousViolations(other)).toEqual([]);
  await other.goto(`${sys.baseUrl}/work`);
  expect(await other.locator(`#work-CLAIMED_BY_ME + ul a[href="/requests/${direct}"]`).count()).toBe(1);
  expect(await seriousViolations(other)).toEqual([]);
  expect([...policyRefusals(page), ...policyRefusals(other)]).toEqual([]);
});
