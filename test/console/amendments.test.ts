/**
 * Amendments in a real browser: the requester amends a published diffusion (an alias and one more
 * country), a reviewer finds it in the review queue, sees what it adds and approves it; the new
 * country then sees the request. The pages pass axe-core.
 */
import { publish } from '../support/helpers';
import { type Browser, fieldId, policyRefusals, seriousViolations, signIn, startBrowser, textOf } from '../support/browser';
import { freshRequest, startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;
let it_: string, es: string, reviewer: string;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, es, reviewer] = await sys.keys('IT', 'ES', 'REVIEWER');
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

test('the requester amends a published diffusion; a reviewer sees what it adds in the queue and on the request, and approves it', async () => {
  const { id, reference } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const requester = await browser.person();
  await signIn(requester, sys.baseUrl, it_);
  await requester.goto(`${sys.baseUrl}/requests/${id}`);
  await requester.click('#act-amend summary');
  // The reason is required, as by the API; what was typed stays.
  await requester.fill(`#act-amend ${fieldId('aliases')}`, 'ROSSELLINI, Mario');
  await requester.click('#act-amend button[type=submit]');
  await requester.waitForSelector('.error-summary');
  expect(await requester.inputValue(`#act-amend ${fieldId('aliases')}`)).toBe('ROSSELLINI, Mario');
  await requester.fill(`#act-amend ${fieldId('reason')}`, 'Assets moved to Spain under another name');
  await requester.fill(`#act-amend ${fieldId('recipients')}`, 'ES');
  await requester.click('#act-amend button[type=submit]');
  await requester.waitForURL(/done=amend/);
  expect(await textOf(requester, '#amendments')).toContain('Under review');
  expect(await requester.locator('#act-amend').count()).toBe(0);
  expect(await seriousViolations(requester)).toEqual([]);

  const page = await browser.person();
  await signIn(page, sys.baseUrl, reviewer);
  await page.goto(`${sys.baseUrl}/review`);
  const queue = await textOf(page, 'main');
  expect(queue).toContain('Amendments to decide');
  expect(queue).toContain(reference);
  expect(queue).toContain('ROSSELLINI, Mario');
  expect(await seriousViolations(page)).toEqual([]);
  await page.click(`a[href="/requests/${id}#act-amendment-decision"]`);
  const form = await textOf(page, '#act-amendment-decision');
  expect(form).toContain('Assets moved to Spain under another name');
  expect(form).toContain('Spain');
  await page.check(`#act-amendment-decision ${fieldId('decision')}-0`);
  await page.click('#act-amendment-decision button.primary');
  await page.waitForURL(/done=amendment-decision/);
  expect(await textOf(page, '#amendments')).toContain('Approved');
  expect(await textOf(page, '#recipients')).toContain('Spain');
  expect(await seriousViolations(page)).toEqual([]);
  expect(policyRefusals(page)).toEqual([]);

  // Spain now sees the request and may answer it.
  expect((await sys.call('GET', `/v1/notices/${id}`, { key: es })).status).toBe(200);
});
