/**
 * The console's text and safety, in a real browser: a check page before what cannot be undone (a
 * final answer, disabling a user) where nothing happens until Confirm; lists joined and counts
 * pluralised as each language does (Arabic among them), Latin names isolated in Arabic pages; the
 * request page at 390 px without sideways scrolling; the recipient picker with its filter and
 * count; URGENT refused with a number of days; the CCF opening the reads of a request.
 */
import { freshRequest, publish, submit } from '../support/helpers';
import {
  type Browser,
  confirmStep,
  fieldError,
  fieldId,
  fillNewRequest,
  policyRefusals,
  seriousViolations,
  signIn,
  startBrowser,
  textOf,
} from '../support/browser';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;
let it_: string;
let fr: string;
let reviewer: string;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, reviewer] = await sys.keys('IT', 'FR', 'REVIEWER');
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

const list = (locale: string, items: string[]) => new Intl.ListFormat(locale, { type: 'conjunction' }).format(items);
const country = (locale: string, code: string) => new Intl.DisplayNames([locale], { type: 'region' }).of(code)!;

test('a final answer is sent only once confirmed: the check page restates it, and Back or leaving records nothing', async () => {
  const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const page = await browser.person();
  await signIn(page, sys.baseUrl, fr);
  await page.goto(`${sys.baseUrl}/requests/${published.id}`);
  await page.check(`#act-answer ${fieldId('outcome')}-1`); // NO_ASSETS_FOUND
  await page.fill(`#act-answer ${fieldId('reason')}`, 'Searched every land register');
  await page.click('#act-answer button.primary');

  await page.waitForSelector('#confirm-form');
  const restated = await textOf(page, 'main');
  expect(restated).toContain('Send this final answer?');
  expect(restated).toContain('No assets found');
  expect(restated).toContain('Searched every land register');
  expect(await seriousViolations(page)).toEqual([]);
  const answers = () => sys.db.prisma.response.count({ where: { noticeId: published.id, country: 'FR' } });
  expect(await answers()).toBe(0);

  // Back: the form again, with what was chosen and typed; still nothing sent.
  await Promise.all([page.waitForNavigation(), page.click('#confirm-form button[name=_back]')]);
  expect(await page.isChecked(`#act-answer ${fieldId('outcome')}-1`)).toBe(true);
  expect(await page.inputValue(`#act-answer ${fieldId('reason')}`)).toBe('Searched every land register');
  expect(await answers()).toBe(0);

  await page.click('#act-answer button.primary');
  await confirmStep(page);
  expect(page.url()).toMatch(/done=answer/);
  expect(await sys.db.prisma.response.findMany({ where: { noticeId: published.id, country: 'FR' } })).toMatchObject([
    { final: true, outcome: 'NO_ASSETS_FOUND' },
  ]);
  expect(policyRefusals(page)).toEqual([]);
});

test('disabling a user waits for its confirmation, in Arabic too; going back leaves the user enabled', async () => {
  const user = await sys.call('POST', '/v1/users', { key: sys.adminKey, body: { name: 'Jean Martin', role: 'REVIEWER' } });
  expect(user.status).toBe(201);
  const admin = await browser.person();
  await signIn(admin, sys.baseUrl, sys.adminKey, 'ar');
  await admin.goto(`${sys.baseUrl}/admin/users`);
  await admin.click(`form[action="/admin/users/${user.body.id}/disable"] button`);
  await admin.waitForSelector('#confirm-form');
  expect(await textOf(admin, 'h1')).toContain('Jean Martin');
  expect(await seriousViolations(admin)).toEqual([]);
  const disabledAt = async () => (await sys.db.prisma.user.findUniqueOrThrow({ where: { id: user.body.id } })).disabledAt;
  expect(await disabledAt()).toBeNull();

  await Promise.all([admin.waitForURL(/\/admin\/users$/), admin.click('#confirm-form a.button')]);
  expect(await disabledAt()).toBeNull();

  await admin.click(`form[action="/admin/users/${user.body.id}/disable"] button`);
  await confirmStep(admin);
  expect(admin.url()).toMatch(/\/admin\/users$/);
  expect(await disabledAt()).not.toBeNull();
});

test('lists are joined and counts pluralised as each language does; a Latin name keeps its punctuation in an Arabic page', async () => {
  const { id } = await submit(sys, it_, freshRequest({ recipients: ['FR', 'ES'], responseDays: 2 }));
  const page = await browser.person();
  await signIn(page, sys.baseUrl, it_);
  await page.goto(`${sys.baseUrl}/requests/${id}`);
  let summary = await textOf(page, 'main');
  expect(summary).toContain(list('en-GB', [country('en-GB', 'FR'), country('en-GB', 'ES')])); // "France and Spain"
  expect(summary).toContain('2 days');

  await page.selectOption('#lang-switch', 'ar');
  await Promise.all([page.waitForNavigation(), page.click('form.lang button')]);
  summary = await textOf(page, 'main');
  const joined = list('ar', [country('ar', 'FR'), country('ar', 'ES')]);
  expect(joined).toContain(' و');
  expect(joined).not.toContain(',');
  expect(summary).toContain(joined);
  expect(summary).toContain('يومان'); // two days: Arabic's dual
  // The alias "RUSSO, M." is isolated: its full stop stays at its end in a right-to-left line.
  expect(await page.locator('bdi', { hasText: 'RUSSO, M.' }).count()).toBe(1);
  // Free text gets its own direction; identifiers do not wrap.
  expect(await page.locator('[dir=auto]', { hasText: 'Palermo' }).count()).toBeGreaterThan(0);
  const iban = page.locator('code.id').first();
  expect(await iban.evaluate((e) => (globalThis as any).getComputedStyle(e).whiteSpace)).toBe('nowrap');
});

test('no page scrolls sideways at 390 px: the request page, the new request form, each role’s lists', async () => {
  const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  const visits: [string, string[]][] = [
    [it_, [`/requests/${published.id}`, '/requests/new', '/requests']],
    [fr, [`/requests/${published.id}`, '/inbox', '/notifications']],
    [reviewer, [`/requests/${published.id}`, '/review', '/report']],
    [sys.adminKey, ['/admin/users', '/admin/keys', '/admin/pilot']],
  ];
  for (const [lang, [key, paths]] of [...visits.map((v) => ['en', v] as const), ['ar', visits[0]] as const]) {
    const page = await browser.person();
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, sys.baseUrl, key, lang);
    for (const path of paths) {
      await page.goto(`${sys.baseUrl}${path}`);
      const width = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);
      // What sticks out, named, when something does.
      const wide = await page.evaluate(() =>
        [...(globalThis as any).document.querySelectorAll('body *')]
          .filter((e: any) => e.getBoundingClientRect().right > 391 && !e.closest('table'))
          .slice(0, 5)
          .map((e: any) => `${e.tagName}.${e.className}#${e.id}: ${Math.round(e.getBoundingClientRect().right)}`),
      );
      expect({ lang, path, width, wide: width > 390 ? wide : [] }).toEqual({ lang, path, width: expect.any(Number), wide: [] });
      expect(width).toBeLessThanOrEqual(390);
    }
    await page.context().close();
  }
});

test('the recipient picker: filtered by name, its count pluralised, two countries chosen and sent; URGENT with days is refused, not changed', async () => {
  const page = await browser.person();
  await signIn(page, sys.baseUrl, it_);
  await page.goto(`${sys.baseUrl}/requests/new`);
  const filter = `${fieldId('recipients')}-filter`;
  const count = `${fieldId('recipients')}-count`;
  expect(await textOf(page, count)).toBe('No country chosen');
  await page.fill(filter, 'spa');
  expect(await page.isVisible(`${fieldId('recipients')}-ES`)).toBe(true);
  expect(await page.isVisible(`${fieldId('recipients')}-FR`)).toBe(false);
  await page.check(`${fieldId('recipients')}-ES`);
  expect(await textOf(page, count)).toBe('1 country chosen');
  await page.fill(filter, 'fran');
  await page.check(`${fieldId('recipients')}-FR`);
  expect(await textOf(page, count)).toBe('2 countries chosen');
  expect(await page.isVisible(`${fieldId('recipients')}-ES`)).toBe(true); // a chosen one stays in sight
  await fillNewRequest(page, 'BIANCHI');

  await page.selectOption(fieldId('urgency'), 'URGENT');
  await page.fill(fieldId('responseDays'), '5');
  await page.click('main form button.primary');
  expect(await textOf(page, '.error-summary')).toContain('Days to answer: an urgent request has a fixed answer window');
  expect(await fieldError(page, 'responseDays')).toBe('an urgent request has a fixed answer window: leave it empty');
  expect(await textOf(page, `${fieldId('responseDays')}-hint`)).toContain('within 3 days');
  // The choices survive the refusal, and the count is the server's.
  expect(await textOf(page, count)).toBe('2 countries chosen');

  await page.fill(fieldId('responseDays'), '');
  await page.click('main form button.primary');
  await page.waitForURL(/\/requests\/[0-9a-f-]{36}\?done=submitted/);
  const id = /\/requests\/([0-9a-f-]{36})/.exec(page.url())![1];
  const { body } = await sys.call('GET', `/v1/notices/${id}`, { key: it_ });
  expect([...body.requestedRecipients].sort()).toEqual(['ES', 'FR']);
  expect(body).toMatchObject({ urgency: 'URGENT', responseHours: 72 });

  // In Arabic, the count follows Arabic's forms.
  const ar = await browser.person();
  await signIn(ar, sys.baseUrl, it_, 'ar');
  await ar.goto(`${sys.baseUrl}/requests/new`);
  await ar.check(`${fieldId('recipients')}-FR`);
  await ar.check(`${fieldId('recipients')}-ES`);
  expect(await textOf(ar, count)).toBe('بلدان مختاران');
  await ar.check(`${fieldId('recipients')}-DE`);
  expect(await textOf(ar, count)).toBe(`${(3).toLocaleString('ar')} بلدان مختارة`);
  expect(await seriousViolations(ar)).toEqual([]);
});

test('the CCF sees its blocking and decision with their reasons, and opens the reads of the request', async () => {
  const ccf = await sys.key('CCF');
  const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  await sys.call('GET', `/v1/notices/${published.id}`, { key: fr });
  const blocked = await sys.call('POST', `/v1/notices/${published.id}/blocking`, { key: ccf, body: { reason: 'The subject complains' } });
  expect(blocked.status).toBe(200);
  const decided = await sys.call('POST', `/v1/notices/${published.id}/blocking/decision`, {
    key: ccf,
    body: { outcome: 'DISMISSED', reason: 'The data were checked and are accurate' },
  });
  expect(decided.status).toBe(200);
  const page = await browser.person();
  await signIn(page, sys.baseUrl, ccf);
  await page.goto(`${sys.baseUrl}/requests/${published.id}`);
  const history = await textOf(page, '#history table');
  expect(history).toContain('The subject complains');
  expect(history).toContain('Dismissed: lift the blocking');
  expect(history).toContain('The data were checked and are accurate');
  expect(await textOf(page, '#reads summary')).toMatch(/^\d+ reads? of this request/);
  await page.click('#reads summary');
  const reads = await textOf(page, '#reads table');
  expect(reads).toContain('(FR)');
  expect(await page.locator('#reads tbody tr').count()).toBeGreaterThanOrEqual(1);
});
