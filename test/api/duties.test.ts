/**
 * Round-2 actions through HTTP: acknowledgement and delay by recipients, blocking by the CCF and
 * what recipients see meanwhile, the CCF's reading rights, renewal requests, and linked assets with
 * need to know. Field rules, roles (403), visibility (404) and state (409).
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
let it_: string, es: string, fr: string, de: string, reviewer: string, ccf: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE']);
  [it_, es, fr, de, reviewer, ccf] = await sys.keys('IT', 'ES', 'FR', 'DE', 'REVIEWER', 'CCF');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const act = (key: string, id: string, path: string, body: unknown) => sys.call('POST', `/v1/notices/${id}/${path}`, { key, body });
const get = (key: string, path: string) => sys.call('GET', path, { key });
const DAY = 86_400_000;

describe('acknowledgement and delay', () => {
  test('a recipient acknowledges and puts its deadline back; the requester sees why; others may not', async () => {
    const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
    const due = Date.parse(n.recipients[0].dueAt);
    const expectedBy = new Date(due - DAY).toISOString();
    expectFieldErrors(await act(fr, n.id, 'acknowledgement', { expectedBy: 'next week' }), 'expectedBy');
    expectFieldErrors(await act(fr, n.id, 'acknowledgement', { when: expectedBy }), 'when');
    const ack = await act(fr, n.id, 'acknowledgement', { expectedBy: expectedBy.replace('Z', '+02:00') });
    expect(ack.status).toBe(200);
    expect(ack.body.recipients).toEqual([
      expect.objectContaining({
        country: 'FR',
        status: 'ACKNOWLEDGED',
        acknowledgedAt: expect.any(String),
        expectedBy: new Date(due - DAY - 2 * 3600_000).toISOString(),
      }),
    ]);
    expectProblem(await act(it_, n.id, 'acknowledgement', {}), 403);
    expectProblem(await act(reviewer, n.id, 'acknowledgement', {}), 403);
    expectProblem(await act(de, n.id, 'acknowledgement', {}), 404);

    expectFieldErrors(await act(es, n.id, 'delay', { expectedBy: new Date(due + 5 * DAY).toISOString() }), 'reason');
    const early = await act(es, n.id, 'delay', { reason: 'Registers offline', expectedBy: new Date(due - DAY).toISOString() });
    expectFieldErrors(early, 'expectedBy');
    expect(early.body.errors[0].message).toMatch(/later than the current deadline/);
    expectFieldErrors(await act(es, n.id, 'delay', { reason: 'x', expectedBy: new Date(due + 120 * DAY).toISOString() }), 'expectedBy');
    const delayed = await act(es, n.id, 'delay', {
      reason: 'A judge must authorise access',
      expectedBy: new Date(due + 5 * DAY).toISOString(),
    });
    expect(delayed.status).toBe(200);
    expect(delayed.body.recipients).toEqual([
      expect.objectContaining({
        country: 'ES',
        status: 'DELAYED',
        dueAt: new Date(due + 5 * DAY).toISOString(),
        delayReason: 'A judge must authorise access',
      }),
    ]);
    const requesterView = (await get(it_, `/v1/notices/${n.id}`)).body;
    expect(requesterView.recipients.map((r: { country: string; status: string }) => `${r.country}:${r.status}`)).toEqual([
      'ES:DELAYED',
      'FR:ACKNOWLEDGED',
    ]);
    const feed = (await get(it_, '/v1/notifications?limit=500')).body.items.filter((i: { noticeId: string }) => i.noticeId === n.id);
    expect(feed).toContainEqual(expect.objectContaining({ type: 'DELAY', detail: 'ES: A judge must authorise access' }));
    expectProblem(await act(it_, n.id, 'delay', { reason: 'x', expectedBy: new Date(due + DAY).toISOString() }), 403);

    const report = (await get(reviewer, '/v1/reports/pilot')).body;
    expect(report.responses.acknowledged).toBeGreaterThanOrEqual(1);
    expect(report.responses.delayed).toBeGreaterThanOrEqual(1);
  });
});

describe('the CCF', () => {
  test('reads any request, its reads audited; may not submit, decide or answer', async () => {
    const pending = await submit(sys, it_, freshRequest({ recipients: ['FR'] }));
    const seen = await get(ccf, `/v1/notices/${pending.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.review).toBeDefined();
    expect((await get(ccf, '/v1/notices?limit=5')).status).toBe(200);
    const reads = await sys.db.prisma.auditEvent.findMany({ where: { noticeId: pending.id, type: 'READ', actorRole: 'CCF' } });
    expect(reads.length).toBeGreaterThanOrEqual(1);
    expectProblem(await sys.call('POST', '/v1/notices', { key: ccf, body: freshRequest() }), 403);
    expectProblem(await act(ccf, pending.id, 'decisions', { decision: 'APPROVE' }), 403);
    expectProblem(await act(reviewer, pending.id, 'blocking', { reason: 'x' }), 403);
    expectProblem(await act(it_, pending.id, 'blocking', { reason: 'x' }), 403);
    expectProblem(await act(ccf, pending.id, 'blocking', { reason: 'Too early' }), 409);
  });

  test('while blocked a recipient sees only the reference and the fact of blocking, and cannot act', async () => {
    const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
    expectFieldErrors(await act(ccf, n.id, 'blocking', {}), 'reason');
    const blocked = await act(ccf, n.id, 'blocking', { reason: 'The subject filed a complaint' });
    expect(blocked.status).toBe(200);
    expect(blocked.body.blocking).toEqual({
      since: expect.any(String),
      reason: 'The subject filed a complaint',
      decisionDueAt: expect.any(String),
    });
    expectProblem(await act(ccf, n.id, 'blocking', { reason: 'again' }), 409);

    const asFr = await get(fr, `/v1/notices/${n.id}`);
    expect(asFr.body).toEqual({
      id: n.id,
      caseNumber: n.caseNumber,
      reference: n.reference,
      status: 'PUBLISHED',
      blocking: { since: blocked.body.blocking.since },
      actions: [],
    });
    const listed = (await get(fr, '/v1/notices?as=RECIPIENT&limit=100')).body.items.find((i: { id: string }) => i.id === n.id);
    expect(listed).toEqual(asFr.body);
    expectProblem(await get(fr, `/v1/notices/${n.id}/responses`), 409);
    expectProblem(await act(fr, n.id, 'responses', { outcome: 'NO_ASSETS_FOUND' }), 409);
    expectProblem(await act(fr, n.id, 'acknowledgement', {}), 409);
    expect((await get(it_, `/v1/notices/${n.id}`)).body.blocking.reason).toBe('The subject filed a complaint');
    const frFeed = (await get(fr, '/v1/notifications?limit=500')).body.items.filter((i: { noticeId: string }) => i.noticeId === n.id);
    expect(frFeed.map((i: { type: string }) => i.type)).toEqual(['PUBLISHED', 'BLOCKED']);

    expectFieldErrors(await act(ccf, n.id, 'blocking/decision', { outcome: 'MAYBE', reason: 'x' }), 'outcome');
    expectProblem(await act(reviewer, n.id, 'blocking/decision', { outcome: 'DISMISSED', reason: 'x' }), 403);
    const lifted = await act(ccf, n.id, 'blocking/decision', { outcome: 'DISMISSED', reason: 'Unfounded' });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ status: 'PUBLISHED', blocking: null });
    expect((await get(fr, `/v1/notices/${n.id}`)).body).toMatchObject({ status: 'PUBLISHED', subject: expect.any(Object) });
    expect((await act(fr, n.id, 'responses', { outcome: 'NO_ASSETS_FOUND' })).status).toBe(201);
    const report = (await get(reviewer, '/v1/reports/pilot')).body;
    expect(report.blocking).toMatchObject({ dismissed: expect.any(Number), everBlocked: expect.any(Number) });
    expect(report.blocking.dismissed).toBeGreaterThanOrEqual(1);
  });
});

describe('renewal', () => {
  test('only the requester asks, only in the last six months; only a reviewer decides, only when asked', async () => {
    const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    expectFieldErrors(await act(it_, n.id, 'renewal', {}), 'reason');
    const early = await act(it_, n.id, 'renewal', { reason: 'Still investigating' });
    expectProblem(early, 409);
    expect(early.body.detail).toMatch(/six months/);
    expectProblem(await act(fr, n.id, 'renewal', { reason: 'x' }), 403);
    expectProblem(await act(reviewer, n.id, 'renewal', { reason: 'x' }), 403);
    expectProblem(await act(reviewer, n.id, 'renewal/decision', { decision: 'APPROVE', reason: 'x' }), 409);
    expectFieldErrors(await act(reviewer, n.id, 'renewal/decision', { decision: 'PROLONG', reason: 'x' }), 'decision');
    expectProblem(await act(it_, n.id, 'renewal/decision', { decision: 'APPROVE', reason: 'x' }), 403);
  });
});

describe('linked assets', () => {
  const withIban = (iban: string, recipients = ['FR']) => {
    const body = freshRequest({ recipients });
    body.assetsSought = [{ ...body.assetsSought[0], identifiers: { iban } }];
    return body;
  };

  test('two requests chasing one account are linked; each side learns only what it may', async () => {
    const a = await submit(sys, it_, withIban('DE89 3704 0044 0532 0130 00'));
    const b = await submit(sys, es, withIban('de89370400440532013000'));
    const c = await submit(sys, it_, withIban('DE89-3704-0044-0532-0130-00'));
    await waitForStatus(sys, c.id, it_, 'UNDER_REVIEW');

    const asReviewer = (await get(reviewer, `/v1/notices/${a.id}/links`)).body.items;
    expect(asReviewer).toEqual(
      expect.arrayContaining([
        { identifierType: 'iban', detectedAt: expect.any(String), otherNoticeId: b.id, otherReference: null },
        { identifierType: 'iban', detectedAt: expect.any(String), otherNoticeId: c.id, otherReference: null },
      ]),
    );
    expect((await get(ccf, `/v1/notices/${a.id}/links`)).body.items).toHaveLength(2);
    // Italy made A and C: it sees C; of B it learns only that it exists.
    const asItaly = (await get(it_, `/v1/notices/${a.id}/links`)).body.items;
    expect(asItaly).toEqual(
      expect.arrayContaining([
        { identifierType: 'iban', detectedAt: expect.any(String) },
        { identifierType: 'iban', detectedAt: expect.any(String), otherNoticeId: c.id, otherReference: null },
      ]),
    );
    expect(JSON.stringify(asItaly)).not.toContain(b.id);
    expect((await get(es, `/v1/notices/${b.id}/links`)).body.items).toEqual([
      { identifierType: 'iban', detectedAt: expect.any(String) },
      { identifierType: 'iban', detectedAt: expect.any(String) },
    ]);
    expectProblem(await get(de, `/v1/notices/${a.id}/links`), 404);
    expectProblem(await get(es, `/v1/notices/${a.id}/links`), 404);

    const toItaly = (await get(it_, '/v1/notifications?limit=500')).body.items.filter((i: { type: string }) => i.type === 'LINK_DETECTED');
    expect(toItaly.map((i: { noticeId: string }) => i.noticeId)).toEqual(expect.arrayContaining([a.id, c.id]));
    const toSpain = (await get(es, '/v1/notifications?limit=500')).body.items.filter((i: { type: string }) => i.type === 'LINK_DETECTED');
    expect(toSpain.map((i: { noticeId: string }) => i.noticeId)).toEqual([b.id, b.id]);

    // Every link once, paged.
    const first = await get(reviewer, '/v1/links?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await get(reviewer, `/v1/links?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    const all = [...first.body.items, ...second.body.items].filter((l: { noticeId: string; otherNoticeId: string }) =>
      [a.id, b.id, c.id].includes(l.noticeId),
    );
    expect(all).toHaveLength(3);
    expectProblem(await get(it_, '/v1/links'), 403);
    expectFieldErrors(await get(reviewer, '/v1/links?cursor=forged.cursor'), 'query.cursor');
    expect((await get(reviewer, '/v1/reports/pilot')).body.links.pairs).toBeGreaterThanOrEqual(3);
  });

  test('an asset a recipient locates links to another request that seeks it', async () => {
    const seeking = await submit(sys, es, withIban('FR76 3000 6000 0112 3456 7890 189', ['DE']));
    const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    const answer = {
      outcome: 'ASSETS_LOCATED',
      assets: [located({ category: 'BANK_ACCOUNT', identifiers: { iban: 'fr7630006000011234567890189' } })],
    };
    expect((await act(fr, n.id, 'responses', answer)).status).toBe(201);
    expect((await get(reviewer, `/v1/notices/${n.id}/links`)).body.items).toEqual([
      { identifierType: 'iban', detectedAt: expect.any(String), otherNoticeId: seeking.id, otherReference: null },
    ]);
  });
});

describe('urgency in a clarification', () => {
  test('an urgent request may not choose days, in changes either', async () => {
    const n = await submit(sys, it_, freshRequest({ recipients: ['FR'] }));
    await waitForStatus(sys, n.id, it_, 'UNDER_REVIEW');
    await act(reviewer, n.id, 'decisions', { decision: 'REQUEST_CLARIFICATION', reason: 'How urgent?' });
    expectFieldErrors(
      await act(it_, n.id, 'clarifications', { message: 'Urgent', changes: { urgency: 'URGENT', responseDays: 5 } }),
      'changes.responseDays',
    );
    const direct = await act(it_, n.id, 'clarifications', { message: 'Very urgent', changes: { urgency: 'URGENT_DIRECT' } });
    expect(direct.status).toBe(200);
    expect(direct.body).toMatchObject({ urgency: 'URGENT_DIRECT', responseDays: null, responseHours: 8 });
  });
});
