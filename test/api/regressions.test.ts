/**
 * Defects found by a hostile review, each driven through the HTTP API as a user would find it.
 * Every test here failed before its fix.
 */
import { startTestSystem, type TestSystem } from '../support/system';
import {
  expectFieldErrors,
  expectProblem,
  failOnServerErrors,
  freshRequest,
  located,
  publish,
  submit,
  waitForStatus,
} from '../support/helpers';

let sys: TestSystem;
let it_: string, fr: string, reviewer: string, reviewer2: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE']);
  [it_, fr, reviewer, reviewer2] = await sys.keys('IT', 'FR', 'REVIEWER', 'REVIEWER');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const act = (key: string, id: string, action: string, body: unknown) => sys.call('POST', `/v1/notices/${id}/${action}`, { key, body });
const usage = async () => (await sys.call('GET', '/v1/pilot', { key: it_ })).body.usage.IT as number;

describe('an Idempotency-Key replayed after the request ended', () => {
  const endings: [string, (id: string) => Promise<unknown>][] = [
    ['WITHDRAWN', (id) => act(it_, id, 'withdrawal', { reason: 'Case closed' })],
    ['REJECTED', (id) => act(reviewer, id, 'decisions', { decision: 'REJECT', reason: 'Not serious enough' })],
    [
      'CANCELLED',
      async (id) => {
        await act(reviewer, id, 'decisions', { decision: 'APPROVE' });
        return act(reviewer, id, 'cancellation', { reason: 'New facts' });
      },
    ],
  ];
  test.each(endings)('returns the %s request as it is and starts nothing again', async (status, end) => {
    const body = freshRequest({ recipients: ['FR'] });
    const headers = { 'Idempotency-Key': `replay-${status}` };
    const first = await sys.call('POST', '/v1/notices', { key: it_, body, headers });
    expect(first.status).toBe(201);
    await waitForStatus(sys, first.body.id, it_, 'UNDER_REVIEW');
    await end(first.body.id);
    await waitForStatus(sys, first.body.id, it_, status);
    const quotaBefore = await usage();
    const handle = sys.env.client.workflow.getHandle(first.body.id);
    const runBefore = (await handle.describe()).runId;

    const again = await sys.call('POST', '/v1/notices', { key: it_, body, headers });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.status).toBe(status);

    // A second run would screen the request again within moments: give it the chance.
    await new Promise((r) => setTimeout(r, 1500));
    const description = await handle.describe();
    expect(description.runId).toBe(runBefore);
    expect(description.status.name).toBe('COMPLETED');
    expect((await sys.call('GET', `/v1/notices/${first.body.id}`, { key: it_ })).body.status).toBe(status);
    expect(await usage()).toBe(quotaBefore);
    expectProblem(await act(reviewer2, first.body.id, 'decisions', { decision: 'APPROVE' }), 409);
  });
});

test('a clarification may not send a diffusion outside the pilot when recipients are limited to participants', async () => {
  await sys.pilot(['IT', 'FR', 'ES', 'DE'], 1000, true);
  try {
    const refused = await sys.call('POST', '/v1/notices', { key: it_, body: freshRequest({ recipients: ['FR', 'GB'] }) });
    expectFieldErrors(refused, 'recipients');
    const n = await submit(sys, it_, freshRequest({ recipients: ['FR'] }));
    await waitForStatus(sys, n.id, it_, 'UNDER_REVIEW');
    await act(reviewer, n.id, 'decisions', { decision: 'REQUEST_CLARIFICATION', reason: 'Which accounts?' });
    const res = await act(it_, n.id, 'clarifications', { message: 'Add the UK', changes: { recipients: ['FR', 'GB'] } });
    expectFieldErrors(res, 'changes.recipients');
    const after = await sys.call('GET', `/v1/notices/${n.id}`, { key: it_ });
    expect(after.body.status).toBe('CLARIFICATION_REQUESTED');
    expect(after.body.requestedRecipients).toEqual(['FR']);
  } finally {
    await sys.pilot(['IT', 'FR', 'ES', 'DE']);
  }
});

test('a well-formed cursor holding a date PostgreSQL cannot store is 400', async () => {
  const forged = Buffer.from(`+275000-01-01T00:00:00.000Z|5f0c3a4e-1b2d-4c3e-9f8a-0123456789ab`).toString('base64url');
  expectFieldErrors(await sys.call('GET', `/v1/notices?cursor=${forged}`, { key: it_ }), 'query.cursor');
});

test('an action on a request id written in upper case acts on that request', async () => {
  const n = await submit(sys, it_, freshRequest({ recipients: ['FR'] }));
  await waitForStatus(sys, n.id, it_, 'UNDER_REVIEW');
  const upper = n.id.toUpperCase();
  const decided = await act(reviewer, upper, 'decisions', { decision: 'APPROVE' });
  expect(decided.status).toBe(200);
  expect(decided.body.status).toBe('PUBLISHED');
  expect(decided.body.id).toBe(n.id);
  const answered = await act(fr, upper, 'responses', { outcome: 'NO_ASSETS_FOUND' });
  expect(answered.status).toBe(201);
  expect((await sys.call('GET', `/v1/notices/${upper}/responses`, { key: it_ })).body.items).toHaveLength(1);
});

describe('screening', () => {
  test.each([
    ['Financiación ilegal de un partido político', 'es'],
    ["Détournement de fonds pendant l'élection présidentielle", 'fr'],
    ['Fondos desviados por motivos de religión', 'es'],
    ['Assets of a politically exposed person', 'en'],
    ['تمويل حزب سِيَاسِيّ', 'ar'],
  ])('flags an Article 3 risk in "%s"', async (description) => {
    const body = freshRequest({ recipients: ['FR'] });
    body.offence = { ...body.offence, description };
    const n = await submit(sys, it_, body);
    const view = await waitForStatus(sys, n.id, it_, 'UNDER_REVIEW');
    expect(view.review.flags).toContain('ARTICLE_3_RISK');
  });

  test('people with different Arabic or Cyrillic names born the same day are not duplicates; the same name is', async () => {
    const person = (familyName: string, givenNames: string) => {
      const body = freshRequest({ recipients: ['FR'] });
      body.subject = { ...body.subject, familyName, givenNames, dateOfBirth: '1970-03-03', identityDocuments: [] };
      return body;
    };
    const flagsOf = async (body: Record<string, unknown>) => {
      const n = await submit(sys, it_, body);
      return (await waitForStatus(sys, n.id, it_, 'UNDER_REVIEW')).review.flags as string[];
    };
    expect(await flagsOf(person('الحسيني', 'محمد'))).not.toContain('POSSIBLE_DUPLICATE');
    expect(await flagsOf(person('العبيدي', 'علي'))).not.toContain('POSSIBLE_DUPLICATE');
    expect(await flagsOf(person('Иванов', 'Иван'))).not.toContain('POSSIBLE_DUPLICATE');
    expect(await flagsOf(person('Петров', 'Пётр'))).not.toContain('POSSIBLE_DUPLICATE');
    expect(await flagsOf(person('الحسيني', 'محمد'))).toContain('POSSIBLE_DUPLICATE');
  });
});

test('an asset repeated by a final answer after an interim one is counted once, in findings and the report', async () => {
  const reportBefore = (await sys.call('GET', '/v1/reports/pilot', { key: reviewer })).body;
  const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  const villa = located({ identifiers: { landRegistryId: 'NICE-123' } });
  expect(
    (
      await sys.call('POST', `/v1/notices/${n.id}/responses`, {
        key: fr,
        body: { outcome: 'ASSETS_LOCATED', final: false, assets: [villa] },
      })
    ).status,
  ).toBe(201);
  const boat = located({
    category: 'VESSEL',
    description: 'Yacht',
    identifiers: { imo: '9876543' },
    estimatedValue: { amount: 3000000, currency: 'EUR' },
  });
  expect(
    (await sys.call('POST', `/v1/notices/${n.id}/responses`, { key: fr, body: { outcome: 'ASSETS_LOCATED', assets: [villa, boat] } }))
      .status,
  ).toBe(201);
  const view = (await sys.call('GET', `/v1/notices/${n.id}`, { key: it_ })).body;
  expect(view.findings).toEqual({ assetsLocated: 2, byCategory: { REAL_ESTATE: 1, VESSEL: 1 }, estimatedValue: { EUR: 3900000 } });
  const report = (await sys.call('GET', '/v1/reports/pilot', { key: reviewer })).body;
  expect(report.assets.located - reportBefore.assets.located).toBe(2);
  expect((report.assets.estimatedValue.EUR ?? 0) - (reportBefore.assets.estimatedValue.EUR ?? 0)).toBe(3900000);
});

describe('authentication comes before the body', () => {
  test('no key and a malformed, oversized or non-JSON body: 401', async () => {
    const cases: [string, Record<string, string>][] = [
      ['{"kind":', { 'content-type': 'application/json' }],
      [JSON.stringify({ kind: 'NOTICE', padding: 'x'.repeat(2 * 1024 * 1024) }), { 'content-type': 'application/json' }],
      ['kind=NOTICE', { 'content-type': 'application/x-www-form-urlencoded' }],
      [JSON.stringify({ kind: 'NOTICE' }), { 'content-type': 'application/json' }],
    ];
    for (const [raw, headers] of cases) {
      expectProblem(await sys.call('POST', '/v1/notices', { raw, headers }), 401);
      expectProblem(await sys.call('POST', '/v1/notices', { raw, headers: { ...headers, authorization: 'Bearer snk_not-a-key' } }), 401);
    }
  });
});

test('two concurrent revocations of the last two ADMIN keys leave one working', async () => {
  for (let round = 0; round < 5; round++) {
    // Exactly two active ADMIN keys, each revoking the other at the same moment.
    const a = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'ADMIN', label: `race a${round}` } });
    const b = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'ADMIN', label: `race b${round}` } });
    const others = await sys.db.prisma.apiKey.findMany({
      where: { user: { role: 'ADMIN' }, revokedAt: null, id: { notIn: [a.body.id, b.body.id] } },
    });
    await sys.db.prisma.apiKey.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { revokedAt: new Date() } });

    const results = await Promise.all([
      sys.call('DELETE', `/v1/api-keys/${b.body.id}`, { key: a.body.key }),
      sys.call('DELETE', `/v1/api-keys/${a.body.id}`, { key: b.body.key }),
    ]);
    // The loser is refused: 409, or 401 when its own key was already revoked as it arrived.
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(204);
    expect([401, 409]).toContain(statuses[1]);
    const active = await sys.db.prisma.apiKey.findMany({ where: { user: { role: 'ADMIN' }, revokedAt: null } });
    expect(active).toHaveLength(1);
    // Hand the administration back to the suite's own key.
    await sys.db.prisma.apiKey.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { revokedAt: null } });
  }
});
