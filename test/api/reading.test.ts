/**
 * The NCB notification feed and the pilot report, over one scenario built step by step; then the
 * deadline notifications (REMINDER, OVERDUE) by skipping Temporal time.
 */
import { startTestSystem, type TestSystem } from '../support/system';
import { expectProblem, failOnServerErrors, freshRequest, located, publish, submit, waitFor } from '../support/helpers';

let sys: TestSystem;
let it_: string, fr: string, es: string, de: string, reviewer: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE'], 40);
  [it_, fr, es, de, reviewer] = await sys.keys('IT', 'FR', 'ES', 'DE', 'REVIEWER');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

type Item = { id: string; type: string; noticeId: string; caseNumber: string; reference: string | null; at: string };
const feed = async (key: string, query = ''): Promise<{ items: Item[]; nextCursor: string | null }> => {
  const res = await sys.call('GET', `/v1/notifications${query}`, { key });
  expect(res.status).toBe(200);
  return res.body;
};
const act = (key: string, id: string, action: string, body: unknown) => sys.call('POST', `/v1/notices/${id}/${action}`, { key, body });

// The scenario: A (IT -> FR, ES) published, answered by FR, then withdrawn; B (IT) rejected;
// C (IT) awaiting clarification; D (ES -> IT, FR) published then cancelled; E (a NOTICE from FR)
// published and answered by ES.
const s: Record<string, any> = {};
let itCursor: string | null = null;

describe('notifications', () => {
  test('publication tells each recipient, the decision tells the requester; nobody else hears', async () => {
    s.A = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
    for (const key of [fr, es]) {
      const f = await feed(key);
      expect(f.items).toEqual([
        {
          id: expect.stringMatching(/^\d+$/),
          type: 'PUBLISHED',
          noticeId: s.A.id,
          caseNumber: s.A.caseNumber,
          reference: s.A.reference,
          at: s.A.publishedAt,
          readAt: null,
        },
      ]);
      expect(f.nextCursor).toBe(f.items[0].id);
    }
    const mine = await feed(it_);
    expect(mine.items.map((i) => [i.type, i.noticeId])).toEqual([['DECISION', s.A.id]]);
    itCursor = mine.nextCursor;
    expect((await feed(de)).items).toEqual([]);
    expect((await feed(de)).nextCursor).toBeNull();
  });

  test('after= gives only what is new: a response reaches the requester', async () => {
    const r = await act(fr, s.A.id, 'responses', {
      outcome: 'ASSETS_LOCATED',
      assets: [located(), located({ category: 'VEHICLE', estimatedValue: { amount: 50000, currency: 'USD' } })],
    });
    expect(r.status).toBe(201);
    const next = await feed(it_, `?after=${itCursor}`);
    expect(next.items).toEqual([
      {
        id: expect.any(String),
        type: 'RESPONSE_RECEIVED',
        noticeId: s.A.id,
        caseNumber: s.A.caseNumber,
        reference: s.A.reference,
        at: expect.any(String),
        readAt: null,
      },
    ]);
    expect(BigInt(next.items[0].id)).toBeGreaterThan(BigInt(itCursor!));
    const again = await feed(it_, `?after=${next.nextCursor}`);
    expect(again).toEqual({ items: [], nextCursor: next.nextCursor });
    itCursor = next.nextCursor;
    // The responder is not told of its own answer.
    expect((await feed(fr)).items.map((i) => i.type)).toEqual(['PUBLISHED']);
  });

  test('rejections and clarification requests are DECISIONs to the requester', async () => {
    s.B = await submit(sys, it_, freshRequest({ recipients: ['FR'] }));
    await act(reviewer, s.B.id, 'decisions', { decision: 'REJECT', reason: 'Not serious', grounds: ['NOT_SERIOUS_OFFENCE'] });
    s.C = await submit(sys, it_, freshRequest({ recipients: ['ES'] }));
    await act(reviewer, s.C.id, 'decisions', { decision: 'REQUEST_CLARIFICATION', reason: 'Which bank?' });
    const next = await feed(it_, `?after=${itCursor}`);
    expect(next.items.map((i) => [i.type, i.noticeId])).toEqual([
      ['DECISION', s.B.id],
      ['DECISION', s.C.id],
    ]);
    itCursor = next.nextCursor;
    // Never published: the named countries heard nothing.
    expect((await feed(fr)).items.map((i) => i.noticeId)).not.toContain(s.B.id);
    expect((await feed(es)).items.map((i) => i.noticeId)).not.toContain(s.C.id);
  });

  test('withdrawal and cancellation reach every recipient', async () => {
    await act(it_, s.A.id, 'withdrawal', { reason: 'Assets seized at home' });
    s.D = await publish(sys, es, reviewer, freshRequest({ recipients: ['IT', 'FR'] }));
    await act(reviewer, s.D.id, 'cancellation', { reason: 'New facts', grounds: ['ARTICLE_2'] });
    for (const key of [fr]) {
      const types = (await feed(key)).items.map((i) => `${i.type}:${i.noticeId === s.A.id ? 'A' : i.noticeId === s.D.id ? 'D' : '?'}`);
      expect(types).toEqual(['PUBLISHED:A', 'WITHDRAWN:A', 'PUBLISHED:D', 'CANCELLED:D']);
    }
    const es_ = (await feed(es)).items.map((i) => i.type);
    expect(es_).toEqual(['PUBLISHED', 'WITHDRAWN', 'DECISION']);
    const it = (await feed(it_, `?after=${itCursor}`)).items.map((i) => i.type);
    expect(it).toEqual(['PUBLISHED', 'CANCELLED']);
  });

  test('a NOTICE is announced to every member country; pages of one walk the same feed', async () => {
    const { recipients: _r, ...body } = freshRequest({ kind: 'NOTICE' });
    s.E = await publish(sys, fr, reviewer, body);
    expect(await sys.db.prisma.notification.count({ where: { noticeId: s.E.id, type: 'PUBLISHED' } })).toBe(195);
    expect((await feed(de)).items.map((i) => [i.type, i.noticeId])).toEqual([['PUBLISHED', s.E.id]]);
    await act(es, s.E.id, 'responses', { outcome: 'NO_ASSETS_FOUND' });

    const whole = await feed(it_, '?limit=500');
    const walked: Item[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const page = await feed(it_, `?limit=1${cursor ? `&after=${cursor}` : ''}`);
      if (page.items.length === 0) break;
      walked.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(walked).toEqual(whole.items);
    const ids = walked.map((i) => BigInt(i.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
  });

  test('the feed is for NCBs; malformed queries are 400', async () => {
    expectProblem(await sys.call('GET', '/v1/notifications', { key: reviewer }), 403);
    expectProblem(await sys.call('GET', '/v1/notifications', { key: sys.adminKey }), 403);
    for (const q of [
      'after=abc',
      'after=-1',
      'after=1.5',
      `after=${'9'.repeat(19)}`,
      'limit=0',
      'limit=501',
      'limit=x',
      'since=1',
      'after=1&after=2',
    ]) {
      const res = await sys.call('GET', `/v1/notifications?${q}`, { key: fr });
      expectProblem(res, 400);
      expect(res.body.errors[0].path).toMatch(/^query\./);
    }
    expect((await feed(fr, `?after=${'9'.repeat(18)}`)).items).toEqual([]);
  });
});

describe('pilot report', () => {
  test('REVIEWER and ADMIN read the figures; NCB 403', async () => {
    expectProblem(await sys.call('GET', '/v1/reports/pilot', { key: it_ }), 403);
    const asAdmin = await sys.call('GET', '/v1/reports/pilot', { key: sys.adminKey });
    const res = await sys.call('GET', '/v1/reports/pilot', { key: reviewer });
    expect(asAdmin.status).toBe(200);
    expect(res.status).toBe(200);
    const r = res.body;
    expect(Date.parse(r.generatedAt)).not.toBeNaN();
    expect(r.requests).toEqual({
      total: 5,
      byStatus: { WITHDRAWN: 1, REJECTED: 1, CLARIFICATION_REQUESTED: 1, CANCELLED: 1, PUBLISHED: 1 },
      byKind: { DIFFUSION: 4, NOTICE: 1 },
      byRequestingCountry: { IT: 3, ES: 1, FR: 1 },
    });
    // B's quota came back with its rejection; A and D keep theirs (ended after publication).
    expect(r.quota).toEqual({ quotaTotal: 40, quotaPerParticipant: 10, used: 4, usage: { DE: 0, ES: 1, FR: 1, IT: 2 } });
    expect(r.review.decided).toBe(4);
    expect(r.review.medianReviewSeconds).toBeGreaterThanOrEqual(0);
    expect(r.review.medianReviewSeconds).toBeLessThan(600);
    expect(r.responses).toEqual({
      recipients: 2 + 2 + 195,
      answered: 2,
      responseRate: 2 / 199,
      overdue: 0,
      lateAnswers: 0,
      acknowledged: 0,
      delayed: 0,
      firstAnswerMedianSeconds: { NORMAL: expect.any(Number) },
    });
    expect(r.blocking).toEqual({ blockedNow: 0, everBlocked: 0, upheld: 0, dismissed: 0 });
    expect(r.renewals).toEqual({ requested: 0, approved: 0, rejected: 0 });
    expect(r.assets).toEqual({ located: 2, byCategory: { REAL_ESTATE: 1, VEHICLE: 1 }, estimatedValue: { EUR: 900000, USD: 50000 } });
    expect({ ...asAdmin.body, generatedAt: null }).toEqual({ ...r, generatedAt: null });
  });
});

describe('deadlines (Temporal time skipped)', () => {
  test('a recipient late in answering gets REMINDER then OVERDUE; its answer is marked late', async () => {
    const F = await publish(sys, it_, reviewer, freshRequest({ recipients: ['DE', 'ES'], responseDays: 2 }));
    await act(es, F.id, 'responses', { outcome: 'NO_ASSETS_FOUND' });
    const deBefore = (await feed(de)).nextCursor;
    await sys.env.sleep(2 * 86400_000 + 60_000);
    const view = await waitFor(
      () => sys.call('GET', `/v1/notices/${F.id}`, { key: it_ }),
      (r) => r.body.recipients.find((x: { country: string }) => x.country === 'DE')?.status === 'OVERDUE',
      'DE to be OVERDUE',
    );
    expect(view.body.recipients.find((x: { country: string }) => x.country === 'ES').status).toBe('RESPONDED');
    const news = await feed(de, `?after=${deBefore}`);
    expect(news.items.map((i) => [i.type, i.noticeId])).toEqual([
      ['REMINDER', F.id],
      ['OVERDUE', F.id],
    ]);
    // ES answered in time: no reminder for it.
    expect((await feed(es)).items.filter((i) => i.noticeId === F.id).map((i) => i.type)).toEqual(['PUBLISHED']);

    expect((await sys.call('GET', '/v1/reports/pilot', { key: reviewer })).body.responses).toMatchObject({ overdue: 1, lateAnswers: 0 });
    const late = await act(de, F.id, 'responses', { outcome: 'UNABLE_TO_ASSIST', reason: 'Registers offline' });
    expect(late.status).toBe(201);
    const own = await sys.call('GET', `/v1/notices/${F.id}/responses`, { key: de });
    expect(own.body.items).toEqual([expect.objectContaining({ country: 'DE', late: true })]);
    const report = (await sys.call('GET', '/v1/reports/pilot', { key: reviewer })).body;
    expect(report.responses).toMatchObject({ overdue: 0, lateAnswers: 1 });
  });

  test('a request left awaiting clarification for 30 days LAPSES and gives its quota back', async () => {
    // C has awaited a clarification since the scenario began, 2 days ago in Temporal time.
    const usage = async () => (await sys.call('GET', '/v1/pilot', { key: it_ })).body.usage.IT;
    const held = await usage();
    expect((await sys.call('GET', `/v1/notices/${s.C.id}`, { key: it_ })).body.status).toBe('CLARIFICATION_REQUESTED');
    await sys.env.sleep(28 * 86400_000 + 60_000);
    const lapsed = await waitFor(
      () => sys.call('GET', `/v1/notices/${s.C.id}`, { key: it_ }),
      (r) => r.body.status === 'LAPSED',
      'C to lapse',
    );
    expect(lapsed.body.status).toBe('LAPSED');
    expect(await usage()).toBe(held - 1);
    expectProblem(await act(it_, s.C.id, 'clarifications', { message: 'too late' }), 409);
  });
});
