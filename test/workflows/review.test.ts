/**
 * The review half of a request's life, on the real time-skipping Temporal server: approval (one or
 * two reviewers), rejection, the clarification round trip and its 30-day lapse, and withdrawal
 * from every state before a final one. Actions are sent to the request's workflow as updates
 * through the Temporal client (`viaWorkflow`); HTTP is used only where the test is about what a
 * caller sees (a view, a refusal by role or need-to-know). The tests check the workflow's answers,
 * the case record the activities write, notifications, audit and quota.
 */
import { NoticeRequest } from '../../api/schemas/requests';
import { startTestSystem, type TestSystem } from '../support/system';
import {
  auditTypes,
  eventually,
  expectEveryActionRefused,
  flaggedRequest,
  freshRequest,
  keyIdOf,
  notificationsOf,
  outcome,
  publishScreened,
  statusOf,
  submitScreened,
  usage,
  viaWorkflow,
  type Sent,
} from '../support/helpers';

let sys: TestSystem;
let it_: string, fr: string, es: string, de: string, reviewer: string, reviewer2: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE'], 400);
  [it_, fr, es, de, reviewer, reviewer2] = await sys.keys('IT', 'FR', 'ES', 'DE', 'REVIEWER', 'REVIEWER');
});
afterAll(() => sys?.stop());

const DAY = 86_400_000;
const wf = (id: string) => sys.env.client.workflow.getHandle(id);
const view = async (id: string, key: string) => (await sys.call('GET', `/v1/notices/${id}`, { key })).body;
/** An update the workflow refused because it does not fit the request's state. */
const CONFLICT = { ok: false, refused: 'CONFLICT' };
/** What an update's answer says, for comparing answers that arrive in any order. */
const said = (s: Sent) => (s.ok ? s.status : s.refused);

/** Submits through the services and returns at once, while screening may still run; the request's id. */
async function submitNow(key: string, body: Record<string, unknown>): Promise<string> {
  return (await sys.services.submission.submit(await sys.principal(key), NoticeRequest.parse(body))).id;
}

describe('approval', () => {
  test('one approval publishes a clean diffusion: SD reference, due dates, expiry, quota, notifications, audit', async () => {
    const before = await usage(sys, it_, 'IT');
    const id = await submitScreened(sys, it_, freshRequest({ recipients: ['FR', 'ES'], responseDays: 21 }));
    const screened = await sys.call('GET', `/v1/notices/${id}`, { key: reviewer });
    expect(screened.body).toMatchObject({
      status: 'UNDER_REVIEW',
      reference: null,
      publishedAt: null,
      recipients: [],
      review: { flags: [] },
    });
    expect(await wf(id).query('progress')).toMatchObject({ status: 'UNDER_REVIEW', approvalsRequired: 1 });

    expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toEqual({ ok: true, status: 'PUBLISHED' });
    const v = await view(id, reviewer);
    expect(v.status).toBe('PUBLISHED');
    const publishedAt = Date.parse(v.publishedAt);
    expect(v.reference).toMatch(new RegExp(`^SD-${new Date(publishedAt).getUTCFullYear()}-\\d{6}$`));
    const fiveYears = new Date(publishedAt);
    fiveYears.setUTCFullYear(fiveYears.getUTCFullYear() + 5);
    expect(v.expiresAt).toBe(fiveYears.toISOString());
    expect(v.recipients).toEqual([
      {
        country: 'ES',
        status: 'PENDING',
        final: false,
        dueAt: new Date(publishedAt + 21 * DAY).toISOString(),
        respondedAt: null,
        acknowledgedAt: null,
        expectedBy: null,
        delayReason: null,
        deletionConfirmedAt: null,
      },
      {
        country: 'FR',
        status: 'PENDING',
        final: false,
        dueAt: new Date(publishedAt + 21 * DAY).toISOString(),
        respondedAt: null,
        acknowledgedAt: null,
        expectedBy: null,
        delayReason: null,
        deletionConfirmedAt: null,
      },
    ]);
    expect(v.review.decisions).toEqual([expect.objectContaining({ decision: 'APPROVE' })]);

    // The record the activities wrote, the quota it holds (a published request keeps it), and who was told.
    const row = await sys.db.prisma.notice.findUniqueOrThrow({ where: { id }, include: { recipients: true } });
    expect(row).toMatchObject({ status: 'PUBLISHED', reference: v.reference });
    expect(row.recipients.map((r) => r.country).sort()).toEqual(['ES', 'FR']);
    expect(await usage(sys, it_, 'IT')).toBe(before + 1);
    expect(await notificationsOf(sys, id)).toEqual(['DECISION:IT', 'PUBLISHED:ES', 'PUBLISHED:FR']);
    expect(await auditTypes(sys, id)).toEqual(['SUBMITTED', 'SCREENED', 'DECISION', 'PUBLISHED']);

    // A recipient now sees it (its own entry only); a country that is not a recipient does not.
    const asFr = await sys.call('GET', `/v1/notices/${id}`, { key: fr });
    expect(asFr.status).toBe(200);
    expect(asFr.body.recipients).toEqual([expect.objectContaining({ country: 'FR' })]);
    expect((await sys.call('GET', `/v1/notices/${id}`, { key: de })).status).toBe(404);

    // References are handed out in order.
    const next = await view(await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['DE'] })), it_);
    const n = (ref: string) => Number(ref.slice(-6));
    expect(n(next.reference)).toBe(n(v.reference) + 1);
    expect(next.reference.slice(0, 8)).toBe(v.reference.slice(0, 8));
  });

  test('a flagged request needs APPROVE from two different reviewers; the same reviewer twice is refused', async () => {
    const id = await submitScreened(sys, it_, flaggedRequest({ recipients: ['FR'] }));
    const screened = await sys.call('GET', `/v1/notices/${id}`, { key: reviewer });
    expect(screened.body.review.flags).toContain('ARTICLE_3_RISK');
    expect(await wf(id).query('progress')).toMatchObject({ approvalsRequired: 2, approvals: [] });

    expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toEqual({ ok: true, status: 'UNDER_REVIEW' });
    expect((await sys.db.prisma.notice.findUniqueOrThrow({ where: { id } })).reference).toBeNull();

    expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toMatchObject({
      ...CONFLICT,
      message: expect.stringMatching(/different reviewer/),
    });
    expect(await sys.db.prisma.decision.count({ where: { noticeId: id } })).toBe(1);
    expect(await notificationsOf(sys, id, 'PUBLISHED')).toEqual([]);

    expect(await viaWorkflow.decide(sys, reviewer2, id, 'APPROVE')).toEqual({ ok: true, status: 'PUBLISHED' });
    const decisions = await sys.db.prisma.decision.findMany({ where: { noticeId: id }, orderBy: { at: 'asc' } });
    expect(decisions.map((d) => d.reviewerKeyId)).toEqual([await keyIdOf(sys, reviewer), await keyIdOf(sys, reviewer2)]);
    const audit = await sys.db.prisma.auditEvent.findMany({ where: { noticeId: id, type: 'DECISION' }, orderBy: { seq: 'asc' } });
    expect(audit.map((e) => e.data)).toEqual([
      expect.objectContaining({ decision: 'APPROVE', approvals: 1, approvalsRequired: 2, status: 'UNDER_REVIEW' }),
      expect.objectContaining({ decision: 'APPROVE', approvals: 2, approvalsRequired: 2 }),
    ]);
    expect(await notificationsOf(sys, id, 'PUBLISHED')).toEqual(['PUBLISHED:FR']);
  });

  test('a clarification round starts the four-eyes count again', async () => {
    const id = await submitScreened(sys, it_, flaggedRequest({ recipients: ['FR'] }));
    expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toEqual({ ok: true, status: 'UNDER_REVIEW' });
    expect(await viaWorkflow.decide(sys, reviewer2, id, 'REQUEST_CLARIFICATION', 'Explain the link to the opposition')).toEqual({
      ok: true,
      status: 'CLARIFICATION_REQUESTED',
    });
    expect(await viaWorkflow.clarify(sys, it_, id, 'The funds are criminal proceeds')).toEqual({ ok: true, status: 'UNDER_REVIEW' });
    // Screened again (the update answers once it has been): still flagged.
    expect((await sys.db.prisma.notice.findUniqueOrThrow({ where: { id } })).flags).toContain('ARTICLE_3_RISK');
    // The approval from before the clarification no longer counts: reviewer 2 alone does not publish.
    expect(await viaWorkflow.decide(sys, reviewer2, id, 'APPROVE')).toEqual({ ok: true, status: 'UNDER_REVIEW' });
    // ...but reviewer 1, whose earlier approval was reset, may approve again and completes the pair.
    expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toEqual({ ok: true, status: 'PUBLISHED' });
  });
});

describe('decisions at the same moment', () => {
  test('a decision sent while screening still runs waits for it, then applies', async () => {
    const id = await submitNow(it_, freshRequest({ recipients: ['FR'] }));
    expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toEqual({ ok: true, status: 'PUBLISHED' });
    expect(await auditTypes(sys, id)).toEqual(['SUBMITTED', 'SCREENED', 'DECISION', 'PUBLISHED']);
  });

  test('two approvals of a clean request at once: one publishes, the other is refused; one reference', async () => {
    const id = await submitScreened(sys, it_, freshRequest({ recipients: ['FR', 'ES'] }));
    const answers = await Promise.all([
      viaWorkflow.decide(sys, reviewer, id, 'APPROVE'),
      viaWorkflow.decide(sys, reviewer2, id, 'APPROVE'),
    ]);
    expect(answers.map(said).sort()).toEqual(['CONFLICT', 'PUBLISHED']);
    expect(await sys.db.prisma.decision.count({ where: { noticeId: id } })).toBe(1);
    expect((await auditTypes(sys, id)).filter((t) => t === 'PUBLISHED')).toHaveLength(1);
    expect(await notificationsOf(sys, id, 'PUBLISHED')).toEqual(['PUBLISHED:ES', 'PUBLISHED:FR']);
    expect(await statusOf(sys, id)).toBe('PUBLISHED');
  });

  test('a flagged request: two reviewers at once both count and publish it once; one reviewer twice at once counts once', async () => {
    const twice = await submitScreened(sys, it_, flaggedRequest({ recipients: ['FR'] }));
    const same = await Promise.all([
      viaWorkflow.decide(sys, reviewer, twice, 'APPROVE'),
      viaWorkflow.decide(sys, reviewer, twice, 'APPROVE'),
    ]);
    expect(same.map(said).sort()).toEqual(['CONFLICT', 'UNDER_REVIEW']);
    expect(await sys.db.prisma.decision.count({ where: { noticeId: twice } })).toBe(1);
    expect(await statusOf(sys, twice)).toBe('UNDER_REVIEW');

    const pair = await submitScreened(sys, it_, flaggedRequest({ recipients: ['FR', 'ES'] }));
    const both = await Promise.all([
      viaWorkflow.decide(sys, reviewer, pair, 'APPROVE'),
      viaWorkflow.decide(sys, reviewer2, pair, 'APPROVE'),
    ]);
    // Both are taken, one after the other: the first counts, the second publishes.
    expect(both.map(said).sort()).toEqual(['PUBLISHED', 'UNDER_REVIEW']);
    expect(await statusOf(sys, pair)).toBe('PUBLISHED');
    expect(await sys.db.prisma.decision.count({ where: { noticeId: pair } })).toBe(2);
    expect((await auditTypes(sys, pair)).filter((t) => t === 'PUBLISHED')).toHaveLength(1);
    expect(await notificationsOf(sys, pair, 'PUBLISHED')).toEqual(['PUBLISHED:ES', 'PUBLISHED:FR']);
  });

  test('a second request about the same person is flagged POSSIBLE_DUPLICATE and needs two reviewers', async () => {
    const body = freshRequest({ recipients: ['FR'] });
    const first = await submitScreened(sys, it_, body);
    const second = await submitScreened(sys, it_, { ...body, recipients: ['ES'] });
    const screened = await sys.call('GET', `/v1/notices/${second}`, { key: reviewer });
    expect(screened.body.review.flags).toEqual(['POSSIBLE_DUPLICATE']);
    expect((await sys.call('GET', `/v1/notices/${first}`, { key: reviewer })).body.review.flags).toEqual([]);
    expect(await viaWorkflow.decide(sys, reviewer, second, 'APPROVE')).toEqual({ ok: true, status: 'UNDER_REVIEW' });
    expect(await viaWorkflow.decide(sys, reviewer2, second, 'APPROVE')).toEqual({ ok: true, status: 'PUBLISHED' });
  });
});

describe('rejection', () => {
  // That a REJECT needs a reason is a field rule of the API: test/api/actions.test.ts checks it.
  test('REJECT ends the request REJECTED and gives its quota back', async () => {
    const before = await usage(sys, it_, 'IT');
    const id = await submitScreened(sys, it_, freshRequest({ recipients: ['FR'] }));
    expect(await usage(sys, it_, 'IT')).toBe(before + 1);

    expect(await viaWorkflow.decide(sys, reviewer, id, 'REJECT', 'Not a serious offence', ['NOT_SERIOUS_OFFENCE'])).toEqual({
      ok: true,
      status: 'REJECTED',
    });
    expect(await sys.db.prisma.decision.findMany({ where: { noticeId: id } })).toEqual([
      expect.objectContaining({ decision: 'REJECT', reason: 'Not a serious offence', grounds: ['NOT_SERIOUS_OFFENCE'] }),
    ]);
    expect(await outcome(sys, id)).toBe('REJECTED');
    expect(await usage(sys, it_, 'IT')).toBe(before);
    const row = await sys.db.prisma.notice.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ reference: null, publishedAt: null });
    expect(row.closedAt).not.toBeNull();
    expect(await notificationsOf(sys, id)).toEqual(['DECISION:IT']);
    expect(await sys.db.prisma.recipient.count({ where: { noticeId: id } })).toBe(0);
    await expectEveryActionRefused(sys, id, { requester: it_, reviewer });
  });
});

describe('clarification', () => {
  test('REQUEST_CLARIFICATION -> clarification with changes -> UNDER_REVIEW, screened again, changes in effect', async () => {
    const id = await submitScreened(sys, it_, flaggedRequest({ recipients: ['FR'] }));
    expect(await viaWorkflow.decide(sys, reviewer, id, 'REQUEST_CLARIFICATION', 'Why is the opposition mentioned?', ['ARTICLE_3'])).toEqual(
      {
        ok: true,
        status: 'CLARIFICATION_REQUESTED',
      },
    );
    expect(await notificationsOf(sys, id)).toEqual(['DECISION:IT']);

    // While the request waits on its requester, the reviewer cannot decide and others cannot answer.
    expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toMatchObject(CONFLICT);
    expect((await sys.call('POST', `/v1/notices/${id}/clarifications`, { key: fr, body: { message: 'not mine' } })).status).toBe(404);
    expect((await sys.call('POST', `/v1/notices/${id}/clarifications`, { key: reviewer, body: { message: 'not mine' } })).status).toBe(403);

    const current = await view(id, it_);
    const offence = { ...current.offence, description: 'Laundering of extortion proceeds through front companies' };
    expect(
      await viaWorkflow.clarify(sys, it_, id, 'The wording was wrong; corrected', { offence, responseDays: 14, recipients: ['FR', 'ES'] }),
    ).toEqual({ ok: true, status: 'UNDER_REVIEW' });
    const clarified = await view(id, it_);
    expect(clarified.status).toBe('UNDER_REVIEW');
    expect(clarified.review.flags).toEqual([]);
    expect(clarified.offence.description).toBe(offence.description);
    expect(clarified.responseDays).toBe(14);

    const clarifications = await sys.db.prisma.clarification.findMany({ where: { noticeId: id } });
    expect(clarifications).toEqual([
      expect.objectContaining({ message: 'The wording was wrong; corrected', changes: expect.objectContaining({ responseDays: 14 }) }),
    ]);
    expect(await auditTypes(sys, id)).toEqual(['SUBMITTED', 'SCREENED', 'DECISION', 'CLARIFICATION', 'SCREENED']);
    expect(await wf(id).query('progress')).toMatchObject({ status: 'UNDER_REVIEW', flags: [], approvalsRequired: 1 });

    // A second clarification is not awaited any more.
    expect(await viaWorkflow.clarify(sys, it_, id, 'again')).toMatchObject(CONFLICT);

    // Now unflagged: one approval publishes, to the new recipients with the new deadline.
    expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toEqual({ ok: true, status: 'PUBLISHED' });
    const published = await view(id, reviewer);
    const publishedAt = Date.parse(published.publishedAt);
    expect(published.recipients.map((r: any) => [r.country, r.dueAt])).toEqual([
      ['ES', new Date(publishedAt + 14 * DAY).toISOString()],
      ['FR', new Date(publishedAt + 14 * DAY).toISOString()],
    ]);
  });

  test('no answer within 30 days: LAPSED, quota released', async () => {
    const before = await usage(sys, it_, 'IT');
    const id = await submitScreened(sys, it_, freshRequest({ recipients: ['FR'] }));
    expect(await viaWorkflow.decide(sys, reviewer, id, 'REQUEST_CLARIFICATION', 'Which accounts?', ['INSUFFICIENT_DATA'])).toEqual({
      ok: true,
      status: 'CLARIFICATION_REQUESTED',
    });
    expect(await usage(sys, it_, 'IT')).toBe(before + 1);
    const askedAt = (await sys.db.prisma.decision.findFirstOrThrow({ where: { noticeId: id } })).at.getTime();

    await sys.env.sleep('29 days');
    expect(await statusOf(sys, id)).toBe('CLARIFICATION_REQUESTED');
    expect(await wf(id).query('progress')).toMatchObject({ status: 'CLARIFICATION_REQUESTED' });

    // Awaiting the result lets the server skip to the end of the window.
    expect(await wf(id).result()).toBe('LAPSED');
    const row = await sys.db.prisma.notice.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe('LAPSED');
    // At the end of the window (give or take the moments the server takes to run the timer's task).
    expect(row.closedAt!.getTime() - (askedAt + 30 * DAY)).toBeGreaterThanOrEqual(0);
    expect(row.closedAt!.getTime() - (askedAt + 30 * DAY)).toBeLessThan(60_000);
    expect(await usage(sys, it_, 'IT')).toBe(before);
    const lapsed = await sys.db.prisma.auditEvent.findFirstOrThrow({ where: { noticeId: id, type: 'LAPSED' } });
    expect(lapsed).toMatchObject({ actorRole: 'SYSTEM', data: expect.objectContaining({ quotaReleased: true }) });
    await expectEveryActionRefused(sys, id, { requester: it_, reviewer });
  });
});

describe('withdrawal', () => {
  test('right after submission (SUBMITTED or being screened): WITHDRAWN, quota released', async () => {
    const before = await usage(sys, it_, 'IT');
    const id = await submitNow(it_, freshRequest({ recipients: ['FR'] }));
    expect(await viaWorkflow.withdraw(sys, it_, id, 'Sent by mistake')).toEqual({ ok: true, status: 'WITHDRAWN' });
    expect(await outcome(sys, id)).toBe('WITHDRAWN');
    expect(await usage(sys, it_, 'IT')).toBe(before);
    expect(await notificationsOf(sys, id)).toEqual([]);
    await expectEveryActionRefused(sys, id, { requester: it_, reviewer });
  });

  test('UNDER_REVIEW: only the requester may withdraw; WITHDRAWN, quota released', async () => {
    const before = await usage(sys, it_, 'IT');
    const id = await submitScreened(sys, it_, freshRequest({ recipients: ['FR'] }));
    // Who may withdraw is the services' check, before anything reaches the workflow: as a caller sees it.
    expect((await sys.call('POST', `/v1/notices/${id}/withdrawal`, { key: reviewer, body: { reason: 'x' } })).status).toBe(403);
    expect((await sys.call('POST', `/v1/notices/${id}/withdrawal`, { key: fr, body: { reason: 'x' } })).status).toBe(404);
    expect(await statusOf(sys, id)).toBe('UNDER_REVIEW');
    expect(await viaWorkflow.withdraw(sys, it_, id, 'Case closed nationally')).toEqual({ ok: true, status: 'WITHDRAWN' });
    expect(await usage(sys, it_, 'IT')).toBe(before);
    const event = await sys.db.prisma.auditEvent.findFirstOrThrow({ where: { noticeId: id, type: 'WITHDRAWN' } });
    expect(event).toMatchObject({
      actorRole: 'NCB',
      actorCountry: 'IT',
      data: expect.objectContaining({ quotaReleased: true }),
    });
    expect(await sys.db.prisma.notice.findUniqueOrThrow({ where: { id } })).toMatchObject({ closureReason: 'Case closed nationally' });
    await expectEveryActionRefused(sys, id, { requester: it_, reviewer });
  });

  test('CLARIFICATION_REQUESTED: WITHDRAWN, quota released, and the window timer no longer matters', async () => {
    const before = await usage(sys, it_, 'IT');
    const id = await submitScreened(sys, it_, freshRequest({ recipients: ['FR'] }));
    expect(await viaWorkflow.decide(sys, reviewer, id, 'REQUEST_CLARIFICATION', 'Which accounts?')).toEqual({
      ok: true,
      status: 'CLARIFICATION_REQUESTED',
    });
    expect(await viaWorkflow.withdraw(sys, it_, id, 'Cannot say more')).toEqual({ ok: true, status: 'WITHDRAWN' });
    expect(await outcome(sys, id)).toBe('WITHDRAWN');
    expect(await usage(sys, it_, 'IT')).toBe(before);
    await sys.env.sleep('31 days');
    expect(await statusOf(sys, id)).toBe('WITHDRAWN');
    expect(await auditTypes(sys, id)).not.toContain('LAPSED');
    await expectEveryActionRefused(sys, id, { requester: it_, reviewer });
  });

  test('PUBLISHED: WITHDRAWN is sent to every recipient; the quota stays used', async () => {
    const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES', 'DE'] }));
    const used = await usage(sys, it_, 'IT');
    expect(await viaWorkflow.respond(sys, fr, id, { outcome: 'NO_ASSETS_FOUND', final: false })).toEqual({ ok: true, status: 'PUBLISHED' });
    expect(await viaWorkflow.withdraw(sys, it_, id, 'Assets recovered nationally')).toEqual({ ok: true, status: 'WITHDRAWN' });
    expect(await outcome(sys, id)).toBe('WITHDRAWN');
    expect(await notificationsOf(sys, id, 'WITHDRAWN')).toEqual(['WITHDRAWN:DE', 'WITHDRAWN:ES', 'WITHDRAWN:FR']);
    expect(await usage(sys, it_, 'IT')).toBe(used);
    const event = await sys.db.prisma.auditEvent.findFirstOrThrow({ where: { noticeId: id, type: 'WITHDRAWN' } });
    expect(event.data).toMatchObject({ recipientsNotified: 3, quotaReleased: false });
    // Each recipient finds it in its feed, and still sees the request in its final state.
    const feed = await sys.call('GET', '/v1/notifications', { key: es });
    expect(feed.body.items.filter((n: any) => n.noticeId === id).map((n: any) => n.type)).toEqual(['PUBLISHED', 'WITHDRAWN']);
    expect((await sys.call('GET', `/v1/notices/${id}`, { key: es })).body.status).toBe('WITHDRAWN');
    await expectEveryActionRefused(sys, id, { requester: it_, reviewer, recipient: es });
  });
});

describe('actions out of turn', () => {
  test('an action that does not fit a non-final state is refused and changes nothing', async () => {
    const id = await submitScreened(sys, it_, freshRequest({ recipients: ['FR'] }));
    expect(await viaWorkflow.cancel(sys, reviewer, id, 'x')).toMatchObject(CONFLICT);
    expect(await viaWorkflow.clarify(sys, it_, id, 'x')).toMatchObject(CONFLICT);
    expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toEqual({ ok: true, status: 'PUBLISHED' });
    for (const d of ['APPROVE', 'REJECT', 'REQUEST_CLARIFICATION']) {
      expect(await viaWorkflow.decide(sys, reviewer2, id, d, 'late decision')).toMatchObject(CONFLICT);
    }
    expect(await sys.db.prisma.decision.count({ where: { noticeId: id } })).toBe(1);
    expect(
      await eventually(
        () => statusOf(sys, id),
        (s) => s === 'PUBLISHED',
      ),
    ).toBe('PUBLISHED');
    expect(await wf(id).query('progress')).toMatchObject({ status: 'PUBLISHED', pendingFinal: ['FR'] });
  });
});
