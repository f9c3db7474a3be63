/**
 * An NCB as requester, in a real browser: the new request form with the API's rules and messages
 * next to the fields (in French here), its own requests, the reviewer's question answered with a
 * change, then the findings and every answer once published. A country outside the pilot is told so.
 */
import type { Page } from 'playwright-core';
import { waitForStatus } from '../support/helpers';
import {
  type Browser,
  confirmStep,
  fieldError,
  fillNewRequest,
  fieldId,
  policyRefusals,
  seriousViolations,
  signIn,
  startBrowser,
  textOf,
} from '../support/browser';
import { freshIban, startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;
let it_: string;
let fr: string;
let es: string;
let reviewer: string;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, es, reviewer] = await sys.keys('IT', 'FR', 'ES', 'REVIEWER');
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

async function fillRequest(page: Page, familyName: string) {
  await page.check(`${fieldId('recipients')}-FR`);
  await page.check(`${fieldId('recipients')}-ES`);
  await fillNewRequest(page, familyName);
}

const idFrom = (page: Page) => /\/requests\/([0-9a-f-]{36})/.exec(page.url())![1];

test('the new request form puts the API’s messages next to the fields, in the reader’s language, and keeps what was typed', async () => {
  const page = await browser.person();
  await signIn(page, sys.baseUrl, it_, 'fr');
  await page.click('nav >> text=Nouvelle demande');
  await page.check(`${fieldId('kind')}-1`);
  await page.fill(fieldId('subject.givenNames'), 'MARIO');
  await page.fill(fieldId('offence.maxPenaltyYears'), '2');
  await page.fill(fieldId('assetsSought.0.estimatedValue.currency'), 'eu');
  await page.click('main form button.primary');
  await page.waitForSelector('.error-summary');

  expect(await fieldError(page, 'subject.familyName')).toBe('est obligatoire');
  expect(await fieldError(page, 'offence.maxPenaltyYears')).toBe('doit être d’au moins 4 (infractions graves seulement)');
  expect(await fieldError(page, 'purposes')).toBe('est obligatoire');
  expect(await fieldError(page, 'assetsSought.0.estimatedValue.currency')).toMatch(/code de devise à trois lettres/);
  expect(await page.getAttribute(fieldId('subject.familyName'), 'aria-invalid')).toBe('true');
  expect(await page.getAttribute(fieldId('subject.familyName'), 'aria-describedby')).toContain('f-subject-familyName-error');
  expect(await page.inputValue(fieldId('subject.givenNames'))).toBe('MARIO');
  // The summary links each problem to its field.
  expect(await page.locator('.error-summary a[href="#f-subject-familyName"]').count()).toBe(1);

  // Another asset row, without sending anything.
  await page.click('button[value=assetsSought]');
  expect(await page.locator('fieldset.asset').count()).toBe(2);
  expect(await page.inputValue(fieldId('subject.givenNames'))).toBe('MARIO');
  expect(await sys.db.prisma.notice.count({ where: { requestingCountry: 'IT' } })).toBe(0);
  expect(policyRefusals(page)).toEqual([]);
});

test('the form’s fields carry their limits to the browser: a currency takes three letters, the days to answer a range', async () => {
  const page = await browser.person();
  await signIn(page, sys.baseUrl, it_, 'en');
  await page.click('nav >> text=New request');
  const currency = page.locator(fieldId('assetsSought.0.estimatedValue.currency'));
  expect(await currency.evaluate((e: any) => [e.maxLength, e.size])).toEqual([3, 4]);
  await currency.pressSequentially('EURO');
  expect(await currency.inputValue()).toBe('EUR');
  expect(await page.locator(fieldId('responseDays')).evaluate((e: any) => ({ min: e.min, max: e.max, step: e.step }))).toEqual({
    min: '1',
    max: '365',
    step: '1',
  });
  await page.close();
});

test('from submission to findings: the request, the review’s question answered with a change, every answer', async () => {
  const page = await browser.person();
  await signIn(page, sys.baseUrl, it_);
  await page.goto(`${sys.baseUrl}/requests/new`);
  await fillRequest(page, 'VERDI');
  // The rules across fields come once each field is right, as from the API.
  await page.uncheck(`${fieldId('recipients')}-FR`);
  await page.uncheck(`${fieldId('recipients')}-ES`);
  await page.click('main form button.primary');
  expect(await fieldError(page, 'recipients')).toBe('a diffusion names its recipient countries; a notice names none');
  await page.check(`${fieldId('recipients')}-FR`);
  await page.check(`${fieldId('recipients')}-ES`);
  await page.click('main form button.primary');
  await page.waitForURL(/\/requests\/[0-9a-f-]{36}\?done=submitted/);
  const id = idFrom(page);
  expect(await textOf(page, '.notice.ok')).toContain('The request was submitted');
  const stored = await sys.db.prisma.notice.findUniqueOrThrow({ where: { id } });
  expect(stored).toMatchObject({ requestingCountry: 'IT', kind: 'DIFFUSION' });
  expect([...stored.requestedRecipients].sort()).toEqual(['ES', 'FR']);
  expect((stored.assetsSought as any[])[0].estimatedValue).toEqual({ amount: 2500000, currency: 'EUR' });
  await waitForStatus(sys, id, it_, 'UNDER_REVIEW');

  // The reviewer asks; the requester sees the question and answers it, changing the place of birth.
  const asked = await sys.call('POST', `/v1/notices/${id}/decisions`, {
    key: reviewer,
    body: { decision: 'REQUEST_CLARIFICATION', reason: 'Where was the person born?' },
  });
  expect(asked.body.status).toBe('CLARIFICATION_REQUESTED');
  await page.goto(`${sys.baseUrl}/requests`);
  expect(await textOf(page, `a[href="/requests/${id}"]`)).toBeTruthy();
  expect(await textOf(page, 'main table')).toContain('Clarification requested');
  await page.click(`a[href="/requests/${id}"]`);
  expect(await textOf(page, '#question')).toContain('Where was the person born?');
  await page.click('#question a');
  expect(await page.inputValue(fieldId('subject.familyName'))).toBe('VERDI');
  await page.click('main form button.primary');
  expect(await fieldError(page, 'message')).toBe('is required');
  await page.fill(fieldId('message'), 'Born in Corleone.');
  await page.fill(fieldId('subject.placeOfBirth'), 'Corleone');
  await page.click('main form button.primary');
  await page.waitForURL(/done=clarify/);
  const clarification = await sys.db.prisma.clarification.findFirstOrThrow({ where: { noticeId: id } });
  expect(Object.keys(clarification.changes as object)).toEqual(['subject']);
  expect((clarification.changes as any).subject.placeOfBirth).toBe('Corleone');
  await waitForStatus(sys, id, it_, 'UNDER_REVIEW');

  // Published, then answered by both recipients: the requester sees findings and every answer.
  expect((await sys.call('POST', `/v1/notices/${id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } })).body.status).toBe(
    'PUBLISHED',
  );
  const villa = {
    category: 'REAL_ESTATE',
    description: 'Villa in Nice',
    location: { country: 'FR', address: 'Nice' },
    estimatedValue: { amount: 900000, currency: 'EUR' },
  };
  expect(
    (await sys.call('POST', `/v1/notices/${id}/responses`, { key: fr, body: { outcome: 'ASSETS_LOCATED', assets: [villa] } })).status,
  ).toBe(201);
  expect(
    (await sys.call('POST', `/v1/notices/${id}/responses`, { key: es, body: { outcome: 'NO_ASSETS_FOUND', final: false } })).status,
  ).toBe(201);
  await page.goto(`${sys.baseUrl}/requests/${id}`);
  expect(await textOf(page, 'h1')).toMatch(/SD-\d{4}-\d{6}/);
  expect(await textOf(page, '#findings')).toContain('€900,000.00');
  const answers = await textOf(page, '#answers');
  expect(answers).toContain('Villa in Nice');
  expect(answers).toContain('Spain · No assets found · Interim answer');
  expect(await textOf(page, '#recipients')).toContain('1 of 2 answered finally');
  expect(await textOf(page, '#history')).toContain('Clarification sent');

  // Withdrawing needs a reason, like the API.
  await page.click('#act-withdraw summary');
  await page.click('#act-withdraw button[type=submit]');
  expect(await fieldError(page, 'reason')).toBe('is required');
  await page.fill(`#act-withdraw ${fieldId('reason')}`, 'The case was closed at home');
  await page.click('#act-withdraw button[type=submit]');
  await confirmStep(page);
  await page.waitForURL(/done=withdraw/);
  expect(await textOf(page, 'h1')).toContain('Withdrawn');
  expect(policyRefusals(page)).toEqual([]);
});

test('an NCB whose country is not in the pilot is told so on the form, which keeps what was typed', async () => {
  const de = await sys.key('NCB', 'DE');
  const page = await browser.person();
  await signIn(page, sys.baseUrl, de, 'es');
  await page.goto(`${sys.baseUrl}/requests/new`);
  await fillRequest(page, 'SCHMIDT');
  await page.click('main form button.primary');
  await page.waitForSelector('.notice.error');
  expect(await textOf(page, '.notice.error')).toBe('Su país no participa en el piloto; consulte al administrador del piloto.');
  expect(await page.inputValue(fieldId('subject.familyName'))).toBe('SCHMIDT');
  expect(await sys.db.prisma.notice.count({ where: { requestingCountry: 'DE' } })).toBe(0);
});

test('the identifiers written in the facts are offered as assets sought, one click each; a mistyped one is refused in the reader’s language', async () => {
  const page = await browser.person();
  await signIn(page, sys.baseUrl, it_, 'es');
  await page.goto(`${sys.baseUrl}/requests/new`);
  await fillRequest(page, 'ORTEGA');
  await page.fill(
    fieldId('offence.description'),
    'Transferencias a la cuenta ES91 2100 0418 4502 0005 1332 y a DE89 3704 0044 0532 0130 01 (mal copiada); el buque OMI 9074729.',
  );
  await page.click('button[name=_find]');
  await page.waitForSelector('#found li');
  const offered = () => page.locator('#found li button').allInnerTexts();
  expect(await offered()).toEqual([
    'Añadir a los bienes buscados: IBAN ES9121000418450200051332',
    'Añadir a los bienes buscados: Número OMI 9074729',
  ]);
  expect(await seriousViolations(page)).toEqual([]);

  // One click: a new row holds the vessel (the first row is taken); nothing is sent.
  await page.click('#found button[value="imo:9074729"]');
  await page.waitForSelector(fieldId('assetsSought.1.identifiers'));
  expect(await page.inputValue(fieldId('assetsSought.1.identifiers'))).toBe('9074729');
  expect(await page.inputValue(fieldId('assetsSought.1.identifierType'))).toBe('imo');
  expect(await page.inputValue(fieldId('assetsSought.1.category'))).toBe('VESSEL');
  expect(await offered()).toEqual(['Añadir a los bienes buscados: IBAN ES9121000418450200051332']);
  expect(await sys.db.prisma.notice.count({ where: { subject: { path: ['familyName'], equals: 'ORTEGA' } } })).toBe(0);

  // A mistyped identifier typed by hand is refused next to its field.
  await page.fill(fieldId('assetsSought.0.identifiers'), 'DE89 3704 0044 0532 0130 01');
  await page.click('main form button.primary');
  await page.waitForSelector('.error-summary');
  expect(await fieldError(page, 'assetsSought.0.identifiers')).toMatch(/no supera el control de su norma/);

  await page.click('#found button[value="iban:ES9121000418450200051332"]');
  await page.waitForSelector(fieldId('assetsSought.2.identifiers'));
  await page.fill(fieldId('assetsSought.0.identifiers'), freshIban());
  await page.click('main form button.primary');
  await page.waitForURL(/\/requests\/[0-9a-f-]{36}\?done=submitted/);
  const stored = await sys.db.prisma.notice.findUniqueOrThrow({ where: { id: idFrom(page) } });
  expect((stored.assetsSought as any[]).slice(1).map((a) => [a.category, a.identifiers])).toEqual([
    ['VESSEL', { imo: '9074729' }],
    ['BANK_ACCOUNT', { iban: 'ES9121000418450200051332' }],
  ]);
});

test('a double submission makes one request', async () => {
  const page = await browser.person();
  await signIn(page, sys.baseUrl, it_);
  await page.goto(`${sys.baseUrl}/requests/new`);
  await fillRequest(page, 'BIANCHI');
  const form = await page.evaluate(() => {
    const f = (globalThis as any).document.querySelector('main form');
    return [...new (globalThis as any).FormData(f).entries()] as [string, string][];
  });
  const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const post = () =>
    fetch(`${sys.baseUrl}/requests/new`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded', origin: sys.baseUrl },
      body: new URLSearchParams(form),
    });
  const [a, b] = await Promise.all([post(), post()]);
  expect([a.status, b.status]).toEqual([303, 303]);
  expect(a.headers.get('location')).toBe(b.headers.get('location'));
  expect(await sys.db.prisma.notice.count({ where: { subject: { path: ['familyName'], equals: 'BIANCHI' } } })).toBe(1);
});
