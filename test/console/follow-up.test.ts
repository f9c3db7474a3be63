/**
 * In a real browser: a recipient confirms the deletion of a withdrawn request through a
 * confirmation step, the requester sees who has confirmed, and the report shows the deletions and
 * the outcomes with their charts.
 */
import { freshRequest, publish } from '../support/helpers';
import { type Browser, seriousViolations, signIn, startBrowser } from '../support/browser';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;
let it_: string, fr: string, reviewer: string;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, reviewer] = await sys.keys('IT', 'FR', 'REVIEWER');
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

test('a recipient confirms the deletion after a confirmation step; the requester sees it; the report counts it', async () => {
  const { id, publishedAt } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  // The requester records what followed, through the form its page offers; a wrong currency is shown at its field.
  const requester = await browser.person();
  await signIn(requester, sys.baseUrl, it_);
  await requester.goto(`${sys.baseUrl}/requests/${id}`);
  const record = async (currency: string) => {
    await requester.click('#act-outcome summary');
    await requester.selectOption('#act-outcome select[name=measure]', 'SEIZED');
    await requester.selectOption('#act-outcome select[name=country]', 'FR');
    await requester.fill('#act-outcome input[name=date]', publishedAt.slice(0, 10));
    await requester.fill('#act-outcome input[name="value.amount"]', '7500');
    await requester.fill('#act-outcome input[name="value.currency"]', currency);
    await requester.click('#act-outcome button[type=submit]');
    await requester.waitForLoadState();
  };
  await record('ZZZ');
  expect(await requester.textContent('#act-outcome')).toContain('must be a three-letter currency code');
  await requester.goto(`${sys.baseUrl}/requests/${id}`);
  await record('EUR');
  await requester.waitForURL(/done=outcome/);
  const recorded = (await sys.call('GET', `/v1/notices/${id}/outcomes`, { key: it_ })).body.items;
  expect(recorded).toEqual([expect.objectContaining({ measure: 'SEIZED', country: 'FR', value: { amount: 7500, currency: 'EUR' } })]);
  expect((await sys.call('POST', `/v1/notices/${id}/withdrawal`, { key: it_, body: { reason: 'Done' } })).status).toBe(200);

  const recipient = await browser.person();
  await signIn(recipient, sys.baseUrl, fr);
  await recipient.goto(`${sys.baseUrl}/requests/${id}`);
  await recipient.click('#act-confirm-deletion button[type=submit]');
  // The confirmation step restates what is about to happen; nothing is recorded yet.
  await recipient.waitForSelector('#confirm-form');
  expect(await recipient.textContent('h1')).toBe('Confirm the deletion?');
  expect(await sys.db.prisma.recipient.count({ where: { noticeId: id, deletionConfirmedAt: { not: null } } })).toBe(0);
  await recipient.click('#confirm-form button.danger');
  await recipient.waitForURL(/done=confirm-deletion/);
  expect(await recipient.textContent('body')).toContain('The deletion was confirmed.');
  expect(await recipient.locator('#act-confirm-deletion').count()).toBe(0);

  await requester.goto(`${sys.baseUrl}/requests/${id}`);
  const rows = await requester.locator('#recipients tbody tr').allTextContents();
  expect(rows.find((r) => r.includes('France'))).not.toContain('Not yet confirmed');
  expect(rows.find((r) => r.includes('Spain'))).toContain('Not yet confirmed');

  const gs = await browser.person();
  await signIn(gs, sys.baseUrl, reviewer);
  await gs.goto(`${sys.baseUrl}/report`);
  const main = await gs.textContent('main');
  expect(main).toContain('Deletions confirmed / awaited');
  expect(main).toMatch(/Deletions confirmed \/ awaited\s*1 \/ 1/);
  expect(await gs.locator('#outcomes').count()).toBe(1);
  expect(await gs.locator('#outcome-value').textContent()).toContain('Seized (EUR)');
  expect(await seriousViolations(gs)).toEqual([]);
});
