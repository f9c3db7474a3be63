/**
 * Reviewers, in a real browser: the queue oldest first with its flags, a flagged request approved
 * by two different people (the four-eyes state on the page, a second approval by the same person
 * refused), decisions with reasons and grounds, cancellation, and a renewal to decide.
 */
import { flaggedRequest, freshRequest, submit, waitForStatus } from '../support/helpers';
import { type Browser, confirmStep, fieldError, fieldId, policyRefusals, signIn, startBrowser, textOf } from '../support/browser';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;
let it_: string;
let ana: string;
let ben: string;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR']);
  it_ = await sys.key('NCB', 'IT');
  ana = await sys.key('REVIEWER');
  ben = await sys.key('REVIEWER');
  const rename = async (key: string, name: string) =>
    sys.db.prisma.user.update({ where: { id: (await sys.principal(key)).userId }, data: { name } });
  await Promise.all([rename(ana, 'Ana Reviewer'), rename(ben, 'Ben Reviewer')]);
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

/** Submits through the API and waits for screening. */
async function waiting(body: Record<string, unknown>): Promise<string> {
  const { id } = await submit(sys, it_, body);
  await waitForStatus(sys, id, it_, 'UNDER_REVIEW');
  return id;
}

const decide = async (page: import('playwright-core').Page, decision: number, reason?: string, grounds: number[] = []) => {
  await page.check(`#act-decide ${fieldId('decision')}-${decision}`);
  if (reason !== undefined) await page.fill(`#act-decide ${fieldId('reason')}`, reason);
  for (const g of grounds) await page.check(`#act-decide ${fieldId('grounds')}-${g}`);
  await page.click('#act-decide button.primary');
  await page.waitForLoadState();
};

test('the queue shows what waits for review, oldest first, with its flags', async () => {
  const names = ['ALPHA', 'BRAVO', 'CHARLIE'];
  for (const [i, name] of names.entries()) {
    const body = i === 1 ? flaggedRequest() : freshRequest();
    body.subject.familyName = `${name}QUEUE`;
    await waiting(body);
  }
  const page = await browser.person();
  await signIn(page, sys.baseUrl, ana);
  expect(page.url()).toMatch(/\/work$/);
  await page.goto(`${sys.baseUrl}/review`);
  const rows = await page.locator('main table tbody tr').allInnerTexts();
  const order = names.map((n) => rows.findIndex((r) => r.includes(`${n}QUEUE`)));
  expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]))).toBe(true);
  expect(rows[order[1]]).toContain('Article 3 risk');
  expect(rows[order[0]]).toContain('No flag');
  expect(policyRefusals(page)).toEqual([]);
});

test('a flagged request needs two different reviewers: the page shows where the review stands', async () => {
  const id = await waiting(flaggedRequest());
  const first = await browser.person();
  await signIn(first, sys.baseUrl, ana);
  await first.goto(`${sys.baseUrl}/requests/${id}`);
  expect(await textOf(first, '#review')).toContain('Article 3 risk');
  expect(await textOf(first, '.four-eyes')).toContain('Approvals: 0 of 2 needed');
  await decide(first, 0);
  expect(await textOf(first, '.four-eyes')).toContain('Approvals: 1 of 2 needed · approved by Ana Reviewer · You have approved');

  // The same person is offered no second decision, and is refused one sent anyway.
  expect(await first.locator('#act-decide').count()).toBe(0);
  const again = await sys.call('POST', `/v1/notices/${id}/decisions`, { key: ana, body: { decision: 'APPROVE' } });
  expect(again.body).toMatchObject({ status: 409, code: 'ALREADY_APPROVED' });

  const second = await browser.person();
  await signIn(second, sys.baseUrl, ben);
  await second.goto(`${sys.baseUrl}/requests/${id}`);
  expect(await textOf(second, '.four-eyes')).toContain('approved by Ana Reviewer');
  await decide(second, 1);
  expect(await fieldError(second, 'reason')).toBe('a reason is required');
  await decide(second, 0);
  await second.waitForURL(/done=decide/);
  expect(await textOf(second, 'h1')).toContain('Published');
});

test('a rejection keeps its reasons and grounds; a published request can be cancelled', async () => {
  const rejected = await waiting(freshRequest());
  const page = await browser.person();
  await signIn(page, sys.baseUrl, ana, 'es');
  await page.goto(`${sys.baseUrl}/requests/${rejected}`);
  await decide(page, 1, 'The facts describe a political dispute', [1]);
  await page.waitForURL(/done=decide/);
  expect(await textOf(page, 'h1')).toContain('Rechazada');
  expect(await sys.db.prisma.decision.findFirstOrThrow({ where: { noticeId: rejected } })).toMatchObject({
    decision: 'REJECT',
    reason: 'The facts describe a political dispute',
    grounds: ['ARTICLE_3'],
  });
  expect(await textOf(page, '#review')).toContain('Artículo 3');

  const published = await waiting(freshRequest());
  await page.goto(`${sys.baseUrl}/requests/${published}`);
  await decide(page, 0);
  await page.click('#act-cancel summary');
  await page.fill(`#act-cancel ${fieldId('reason')}`, 'New facts came to light');
  await page.click('#act-cancel button[type=submit]');
  await confirmStep(page);
  await page.waitForURL(/done=cancel/);
  expect(await textOf(page, 'h1')).toContain('Cancelada');
});

test('a renewal asked for waits in the queue, and a reviewer decides it', async () => {
  const id = await waiting(freshRequest({ recipients: ['FR'] }));
  expect((await sys.call('POST', `/v1/notices/${id}/decisions`, { key: ana, body: { decision: 'APPROVE' } })).body.status).toBe(
    'PUBLISHED',
  );
  const { publishedAt, expiresAt } = await sys.db.prisma.notice.findUniqueOrThrow({ where: { id } });
  const askAt = new Date(expiresAt!);
  askAt.setUTCMonth(askAt.getUTCMonth() - 6);
  await sys.env.sleep(askAt.getTime() - publishedAt!.getTime() + 60_000);
  let asked = await sys.call('POST', `/v1/notices/${id}/renewal`, { key: it_, body: { reason: 'Proceedings still open' } });
  for (let i = 0; i < 40 && asked.status === 409; i++) {
    await new Promise((r) => setTimeout(r, 250));
    asked = await sys.call('POST', `/v1/notices/${id}/renewal`, { key: it_, body: { reason: 'Proceedings still open' } });
  }
  expect(asked.status).toBe(200);

  const page = await browser.person();
  await signIn(page, sys.baseUrl, ben);
  const reference = asked.body.reference as string;
  await page.click(`main a:has-text("${reference}")`);
  await page.check(`#act-renewal-decision ${fieldId('decision')}-0`);
  await page.fill(`#act-renewal-decision ${fieldId('reason')}`, 'Still needed');
  await page.click('#act-renewal-decision button.primary');
  await page.waitForURL(/done=renewal-decision/);
  const renewed = new Date(expiresAt!);
  renewed.setUTCFullYear(renewed.getUTCFullYear() + 5);
  expect((await sys.db.prisma.notice.findUniqueOrThrow({ where: { id } })).expiresAt).toEqual(renewed);
  expect(await page.locator('#act-renewal-decision').count()).toBe(0);
});
