/**
 * An NCB as recipient, in a real browser: the inbox with due dates in its own time zone (UTC beside
 * them) and overdue ones marked, acknowledging, putting the deadline back, answering with several
 * assets (interim, then final); another recipient sees none of it, and a country that is not a
 * recipient gets the same 404 as for a request that does not exist.
 */
import { DateTime } from 'luxon';
import { freshRequest, publish } from '../support/helpers';
import { type Browser, confirmStep, fieldError, fieldId, policyRefusals, signIn, startBrowser, textOf } from '../support/browser';
import { startTestSystem, type TestSystem } from '../support/system';

const NEW_YORK = 'America/New_York';
let sys: TestSystem;
let browser: Browser;
let fr: string;
let es: string;
let id: string;
let reference: string;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR', 'ES']);
  const [it_, reviewer] = await Promise.all([sys.key('NCB', 'IT'), sys.key('REVIEWER')]);
  [fr, es] = await Promise.all([sys.key('NCB', 'FR'), sys.key('NCB', 'ES')]);
  const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  [id, reference] = [published.id, published.reference];
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

const entry = (country: string) => sys.db.prisma.recipient.findUniqueOrThrow({ where: { noticeId_country: { noticeId: id, country } } });
/** A wall time in New York, `days` from now, as a datetime-local field takes it. */
const newYorkIn = (days: number) => DateTime.now().setZone(NEW_YORK).plus({ days }).startOf('minute');

test('the inbox gives each due date in the reader’s time zone, with its UTC time, in Arabic right to left', async () => {
  const page = await browser.person({ timezoneId: NEW_YORK });
  await signIn(page, sys.baseUrl, fr, 'ar');
  // Everyone starts on what waits for them; the inbox is a click away.
  expect(page.url()).toMatch(/\/work$/);
  await page.goto(`${sys.baseUrl}/inbox`);
  expect(await page.getAttribute('html', 'dir')).toBe('rtl');
  expect(await page.getAttribute('html', 'lang')).toBe('ar');
  const dueAt = (await entry('FR')).dueAt;
  const cell = page.locator(`time[datetime="${dueAt.toISOString()}"]`);
  const local = new Intl.DateTimeFormat('ar', { dateStyle: 'medium', timeStyle: 'short', timeZone: NEW_YORK }).format(dueAt);
  expect(await cell.innerText()).toBe(local);
  const utc = new Intl.DateTimeFormat('ar', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(dueAt);
  expect(await page.locator('.utc').first().innerText()).toContain(`${utc} UTC`);
  expect(await textOf(page, 'main table')).toContain(reference);
  expect(policyRefusals(page)).toEqual([]);
});

test('acknowledging, putting the deadline back, answering with two assets and then finally', async () => {
  const page = await browser.person({ timezoneId: NEW_YORK });
  await signIn(page, sys.baseUrl, fr);
  await page.goto(`${sys.baseUrl}/requests/${id}`);

  const expected = newYorkIn(10);
  await page.click('#act-acknowledge summary');
  await page.fill(`#act-acknowledge ${fieldId('expectedBy')}`, expected.toFormat("yyyy-MM-dd'T'HH:mm"));
  await page.click('#act-acknowledge button[type=submit]');
  await page.waitForURL(/done=acknowledge/);
  expect(await entry('FR')).toMatchObject({ status: 'ACKNOWLEDGED', expectedBy: expected.toJSDate() });

  // A new deadline before the current one is refused next to the field, in the API's words.
  const due = (await entry('FR')).dueAt;
  await page.click('#act-delay summary');
  await page.fill(`#act-delay ${fieldId('reason')}`, 'A judicial authorisation is needed');
  await page.fill(`#act-delay ${fieldId('expectedBy')}`, newYorkIn(5).toFormat("yyyy-MM-dd'T'HH:mm"));
  await page.click('#act-delay button[type=submit]');
  expect(await fieldError(page, 'expectedBy')).toBe('must be later than the current deadline');
  const later = newYorkIn(40);
  await page.fill(`#act-delay ${fieldId('expectedBy')}`, later.toFormat("yyyy-MM-dd'T'HH:mm"));
  await page.click('#act-delay button[type=submit]');
  await page.waitForURL(/done=delay/);
  expect(await entry('FR')).toMatchObject({
    status: 'DELAYED',
    dueAt: later.toJSDate(),
    delayReason: 'A judicial authorisation is needed',
  });
  expect(later.toJSDate().getTime()).toBeGreaterThan(due.getTime());

  // Assets located needs at least one asset: said above the rows.
  await page.check(`#act-answer ${fieldId('outcome')}-0`);
  await page.click('#act-answer button.primary');
  expect(await textOf(page, '#f-assets')).toBe('describe at least one asset located');

  // Two assets in one interim answer.
  await page.selectOption(fieldId('assets.0.category'), 'REAL_ESTATE');
  await page.fill(fieldId('assets.0.description'), 'Villa in Nice');
  await page.fill(fieldId('assets.0.estimatedValue.amount'), '900000');
  await page.fill(fieldId('assets.0.estimatedValue.currency'), 'EUR');
  await page.click('button[value=assets]');
  expect(await page.locator('#act-answer fieldset.asset').count()).toBe(2);
  expect(await page.inputValue(fieldId('assets.0.description'))).toBe('Villa in Nice');
  await page.selectOption(fieldId('assets.1.category'), 'VESSEL');
  await page.fill(fieldId('assets.1.description'), 'Yacht moored in Antibes');
  await page.selectOption(fieldId('assets.1.identifierType'), 'imo');
  await page.fill(fieldId('assets.1.identifiers'), '9876543');
  await page.selectOption(fieldId('assets.1.measures'), 'FROZEN');
  await page.fill(fieldId('assets.1.source.register'), 'Ship register');
  await page.selectOption(fieldId('assets.1.source.reliability'), 'A');
  await page.selectOption(fieldId('assets.1.source.accuracy'), '2');
  await page.check(`#act-answer ${fieldId('final')}-1`); // interim
  await page.click('#act-answer button.primary');
  await page.waitForURL(/done=answer/);
  const interim = await sys.db.prisma.response.findFirstOrThrow({ where: { noticeId: id, country: 'FR' } });
  expect(interim.final).toBe(false);
  expect((interim.assets as any[]).map((a) => [a.category, a.location.country, a.measures ?? null])).toEqual([
    ['REAL_ESTATE', 'FR', null],
    ['VESSEL', 'FR', 'FROZEN'],
  ]);
  expect(await textOf(page, '#answers')).toContain('Yacht moored in Antibes');

  // The final answer closes this recipient's part: no more forms.
  await page.check(`#act-answer ${fieldId('outcome')}-1`); // NO_ASSETS_FOUND
  await page.click('#act-answer button.primary');
  expect(await confirmStep(page)).toContain('No assets found');
  await page.waitForURL(/done=answer/);
  expect(await entry('FR')).toMatchObject({ status: 'RESPONDED', final: true });
  // Its final answer sent, it may still add one while the request is open; it has no deadline left to act on.
  expect(await page.locator('#act-answer').count()).toBe(1);
  expect(await page.locator('#act-delay, #act-acknowledge').count()).toBe(0);
  expect(policyRefusals(page)).toEqual([]);
});

test('another recipient sees only its own entry and answers; a country that is not a recipient gets a 404', async () => {
  const spain = await browser.person();
  await signIn(spain, sys.baseUrl, es);
  const res = await spain.goto(`${sys.baseUrl}/requests/${id}`);
  expect(res?.status()).toBe(200);
  const text = await textOf(spain, 'main');
  expect(text).toContain(reference);
  expect(text).not.toContain('Villa in Nice');
  expect(text).not.toContain('Yacht');
  expect(text).not.toContain('judicial authorisation');
  expect(await spain.locator('#recipients tbody tr').count()).toBe(1);
  expect(await textOf(spain, '#recipients tbody')).toContain('Spain');
  for (const hidden of ['#findings', '#review', '#history', '#links']) expect(await spain.locator(hidden).count()).toBe(0);
  expect(await textOf(spain, '#answers')).toContain('No answer yet');

  const germany = await browser.person();
  await signIn(germany, sys.baseUrl, await sys.key('NCB', 'DE'));
  const refused = await germany.goto(`${sys.baseUrl}/requests/${id}`);
  expect(refused?.status()).toBe(404);
  expect(await textOf(germany, 'main')).not.toContain(reference);
  expect(await textOf(germany, 'main')).toContain('no request with this id that you may see');
});

test('an answer overdue is marked in the inbox', async () => {
  await sys.env.sleep((await entry('ES')).dueAt.getTime() - Date.now() + 3_600_000);
  await new Promise((r) => setTimeout(r, 500));
  const spain = await browser.person();
  await signIn(spain, sys.baseUrl, es, 'fr');
  for (let i = 0; i < 40 && (await entry('ES')).status !== 'OVERDUE'; i++) await new Promise((r) => setTimeout(r, 250));
  await spain.goto(`${sys.baseUrl}/inbox`);
  const row = spain.locator('main tbody tr', { hasText: reference });
  expect(await row.getAttribute('class')).toContain('overdue');
  expect(await row.locator('.badge.b-overdue').innerText()).toBe('En retard');
});
