/**
 * Message threads on a request's page, in a real browser: the requester and a reviewer talk in the
 * GS thread (the reviewer in Arabic, bodies marked dir="auto"), the reviewer sees a clarification
 * answer's fields before and after, and a recipient sees and writes its own thread only; axe-core
 * finds nothing serious.
 */
import { freshRequest, publish, submit as submitRequest, waitForStatus } from '../support/helpers';
import { type Browser, fieldId, policyRefusals, seriousViolations, signIn, startBrowser, submit, textOf } from '../support/browser';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;
let it_: string, fr: string, es: string, reviewer: string;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, es, reviewer] = await sys.keys('IT', 'FR', 'ES', 'REVIEWER');
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

test('a clarification asked and answered, then a message each way in the GS thread; the reviewer reads it in Arabic', async () => {
  const { id } = await submitRequest(sys, it_, freshRequest({ recipients: ['FR'] }));
  await waitForStatus(sys, id, it_, 'UNDER_REVIEW');
  await sys.call('POST', `/v1/notices/${id}/decisions`, {
    key: reviewer,
    body: { decision: 'REQUEST_CLARIFICATION', reason: 'Which country holds the account?' },
  });
  await sys.call('POST', `/v1/notices/${id}/clarifications`, {
    key: it_,
    body: { message: 'Spain too', changes: { recipients: ['FR', 'ES'] } },
  });

  const requester = await browser.person();
  await signIn(requester, sys.baseUrl, it_);
  await requester.goto(`${sys.baseUrl}/requests/${id}`);
  // Empty, the form says what to fix and keeps the page.
  await submit(requester, '#act-message button[type=submit]');
  expect(await requester.locator(`#act-message ${fieldId('body')}[aria-invalid=true]`).count()).toBe(1);
  await requester.fill(`#act-message ${fieldId('body')}`, 'The court order is attached to the file.');
  await submit(requester, '#act-message button[type=submit]');
  expect(requester.url()).toContain('done=message');
  const gs = await textOf(requester, '#threads');
  expect(gs).toContain('Which country holds the account?');
  expect(gs).toContain('Spain too');
  expect(gs).toContain('The court order is attached to the file.');
  // Only reviewers are shown the values before and after.
  expect(await requester.locator('#threads table.changed').count()).toBe(0);

  const page = await browser.person();
  await signIn(page, sys.baseUrl, reviewer, 'ar');
  await page.goto(`${sys.baseUrl}/requests/${id}`);
  const changed = await textOf(page, '#threads table.changed');
  expect(changed).toContain('recipients');
  expect(changed).toMatch(/FR[\s\S]*FR[\s\S]*ES/);
  expect(await page.locator('#threads .message .body[dir=auto]').count()).toBe(3);
  // A reviewer writes to the GS only: no choice of thread.
  expect(await page.locator(`#act-message ${fieldId('country')}`).count()).toBe(0);
  await page.fill(`#act-message ${fieldId('body')}`, 'شكراً، تم الاطلاع');
  await submit(page, '#act-message button[type=submit]');
  expect(await textOf(page, '#threads')).toContain('شكراً، تم الاطلاع');
  expect([...(await seriousViolations(page)), ...policyRefusals(page)]).toEqual([]);
  expect(await sys.db.prisma.notification.count({ where: { noticeId: id, type: 'MESSAGE', country: 'IT' } })).toBe(1);
});

test('a recipient sees its own thread with the requester, never the GS thread, and writes in it', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  await sys.call('POST', `/v1/notices/${id}/messages`, { key: it_, body: { body: 'Pour la France', country: 'FR' } });
  await sys.call('POST', `/v1/notices/${id}/messages`, { key: it_, body: { body: 'Para España', country: 'ES' } });
  await sys.call('POST', `/v1/notices/${id}/messages`, { key: it_, body: { body: 'For the reviewers' } });

  const page = await browser.person();
  await signIn(page, sys.baseUrl, fr, 'fr');
  await page.goto(`${sys.baseUrl}/requests/${id}`);
  const seen = await textOf(page, '#threads');
  expect(seen).toContain('Pour la France');
  expect(seen).not.toContain('Para España');
  expect(seen).not.toContain('For the reviewers');
  expect(await page.locator('#threads .thread').count()).toBe(1);
  await page.fill(`#act-message ${fieldId('body')}`, 'Bien reçu');
  await submit(page, '#act-message button[type=submit]');
  expect(await textOf(page, '#threads')).toContain('Bien reçu');
  expect([...(await seriousViolations(page)), ...policyRefusals(page)]).toEqual([]);

  // The requester picks the thread from a reply link, and sees both recipients' threads and the GS's.
  const requester = await browser.person();
  await signIn(requester, sys.baseUrl, it_);
  await requester.goto(`${sys.baseUrl}/requests/${id}?to=ES#act-message`);
  expect(await requester.locator('#threads .thread').count()).toBe(3);
  expect(await requester.inputValue(`#act-message ${fieldId('country')}`)).toBe('ES');
  await requester.fill(`#act-message ${fieldId('body')}`, 'Gracias');
  await submit(requester, '#act-message button[type=submit]');
  expect(
    (await sys.call('GET', `/v1/notices/${id}/messages?thread=ES`, { key: es })).body.items.map((m: { body: string }) => m.body),
  ).toEqual(['Para España', 'Gracias']);
});
