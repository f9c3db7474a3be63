/**
 * The actions on a request: decisions, clarifications, withdrawal, cancellation and responses,
 * with their field rules, roles (403), visibility (404) and state conflicts (409).
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../../activities';
import { buildApp } from '../../api/app';
import { holdsQuota } from '../../domain/pilot';
import { createServices } from '../../services';
import { TEST_BUNDLE_PATH } from '../support/global-setup';
import { startTestSystem, sampleRequest, TEST_DATA_CONVERTER, type TestSystem } from '../support/system';
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
let it_: string, fr: string, es: string, de: string, r1: string, r2: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE']);
  [it_, fr, es, de, r1, r2] = await sys.keys('IT', 'FR', 'ES', 'DE', 'REVIEWER', 'REVIEWER');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const act = (key: string, id: string, action: string, body: unknown, headers?: Record<string, string>) =>
  sys.call('POST', `/v1/notices/${id}/${action}`, { key, body, headers });
const get = (key: string, id: string) => sys.call('GET', `/v1/notices/${id}`, { key });
const UNKNOWN = '5f0c3a4e-1b2d-4c3e-9f8a-0123456789ab';

describe('decisions', () => {
  test('field rules: reason required but for APPROVE, known decisions and grounds', async () => {
    const n = await submit(sys, it_);
    const cases: [unknown, string][] = [
      [{ decision: 'REJECT' }, 'reason'],
      [{ decision: 'REJECT', reason: '' }, 'reason'],
      [{ decision: 'REQUEST_CLARIFICATION' }, 'reason'],
      [{ decision: 'MAYBE', reason: 'x' }, 'decision'],
      [{ reason: 'x' }, 'decision'],
      [{ decision: 'REJECT', reason: 'x', grounds: ['ARTICLE_9'] }, 'grounds.0'],
      [{ decision: 'REJECT', reason: 'x', grounds: ['ARTICLE_3', 'ARTICLE_3'] }, 'grounds'],
      [{ decision: 'REJECT', reason: 'x', grounds: 'ARTICLE_3' }, 'grounds'],
      [{ decision: 'APPROVE', approvals: 2 }, 'approvals'],
    ];
    for (const [body, p] of cases) expectFieldErrors(await act(r1, n.id, 'decisions', body), p);
    expectFieldErrors(await act(r1, 'not-a-uuid', 'decisions', { decision: 'APPROVE' }), 'path.id');
    const after = await waitForStatus(sys, n.id, it_, 'UNDER_REVIEW');
    expect(after.review.decisions).toEqual([]);
  });

  test('only reviewers decide: NCB (even the requester) and ADMIN get 403; unknown id 404', async () => {
    const n = await submit(sys, it_);
    for (const key of [it_, fr, sys.adminKey]) expectProblem(await act(key, n.id, 'decisions', { decision: 'APPROVE' }), 403);
    expectProblem(await act(r1, UNKNOWN, 'decisions', { decision: 'APPROVE' }), 404);
    const v = await waitForStatus(sys, n.id, it_, 'UNDER_REVIEW');
    expect(v.review.decisions).toEqual([]);
  });

  test('a flagged request needs two different reviewers; the same one twice is 409', async () => {
    const body = freshRequest({ offence: { ...sampleRequest().offence, description: 'Bribes paid to a political party leader' } });
    const n = await submit(sys, it_, body);
    const first = await act(r1, n.id, 'decisions', { decision: 'APPROVE' });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('UNDER_REVIEW');
    expect(first.body.review.flags).toContain('ARTICLE_3_RISK');
    expect(first.body.review.decisions).toEqual([{ decision: 'APPROVE', reason: null, grounds: [], at: expect.any(String) }]);
    const again = await act(r1, n.id, 'decisions', { decision: 'APPROVE' });
    expectProblem(again, 409);
    expect((await get(it_, n.id)).body.review.decisions).toHaveLength(1);
    const second = await act(r2, n.id, 'decisions', { decision: 'APPROVE', reason: 'checked: ordinary corruption' });
    expect(second.status).toBe(200);
    expect(second.body.status).toBe('PUBLISHED');
    expect(second.body.reference).toMatch(/^SD-\d{4}-\d{6}$/);
    // A decision on a published request does not fit its state.
    expectProblem(await act(r1, n.id, 'decisions', { decision: 'REJECT', reason: 'late' }), 409);
  });

  test('an unflagged request is published by one approval with due dates and a 5-year expiry', async () => {
    const n = await submit(sys, it_, freshRequest({ responseDays: 10 }));
    const res = await act(r1, n.id, 'decisions', { decision: 'APPROVE' });
    expect(res.body.status).toBe('PUBLISHED');
    const v = (await get(it_, n.id)).body;
    expect(v.status).toBe('PUBLISHED');
    const published = Date.parse(v.publishedAt);
    expect(new Date(v.expiresAt).getUTCFullYear() - new Date(v.publishedAt).getUTCFullYear()).toBe(5);
    expect(v.recipients.map((r: { country: string }) => r.country)).toEqual(['ES', 'FR']);
    for (const r of v.recipients) {
      expect(r).toEqual({
        country: r.country,
        status: 'PENDING',
        final: false,
        dueAt: expect.any(String),
        respondedAt: null,
        acknowledgedAt: null,
        expectedBy: null,
        delayReason: null,
        deletionConfirmedAt: null,
      });
      expect(Date.parse(r.dueAt) - published).toBe(10 * 86400_000);
    }
  });

  test('two reviewers approving at once: one publishes, the other is 409, one reference', async () => {
    const n = await submit(sys, it_);
    const [a, b] = await Promise.all([
      act(r1, n.id, 'decisions', { decision: 'APPROVE' }),
      act(r2, n.id, 'decisions', { decision: 'APPROVE' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const v = (await get(r1, n.id)).body;
    expect(v.status).toBe('PUBLISHED');
    expect(v.review.decisions).toHaveLength(1);
    const published = await sys.db.prisma.auditEvent.count({ where: { noticeId: n.id, type: 'PUBLISHED' } });
    expect(published).toBe(1);
  });

  test('the same reviewer approving a flagged request twice at once: one 200, one 409, one decision', async () => {
    const n = await submit(
      sys,
      it_,
      freshRequest({ offence: { ...sampleRequest().offence, assetLink: 'Funds of an opposition movement' } }),
    );
    const [a, b] = await Promise.all([
      act(r1, n.id, 'decisions', { decision: 'APPROVE' }),
      act(r1, n.id, 'decisions', { decision: 'APPROVE' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const v = (await get(r1, n.id)).body;
    expect(v.status).toBe('UNDER_REVIEW');
    expect(v.review.decisions).toHaveLength(1);
  });

  test('a withdrawal racing an approval ends in one consistent final state', async () => {
    const n = await submit(sys, it_);
    const [w, a] = await Promise.all([
      act(it_, n.id, 'withdrawal', { reason: 'race' }),
      act(r1, n.id, 'decisions', { decision: 'APPROVE' }),
    ]);
    expect(w.status).toBe(200);
    expect([200, 409]).toContain(a.status);
    const v = (await get(it_, n.id)).body;
    expect(v.status).toBe('WITHDRAWN');
    const row = await sys.db.prisma.notice.findUniqueOrThrow({ where: { id: n.id } });
    expect(row.status).toBe('WITHDRAWN');
    // Withdrawn before publication gives the quota back; after it, not.
    expect(holdsQuota(row)).toBe(v.publishedAt !== null);
  });

  test('REJECT records the reason and grounds; every further action on the final state is 409', async () => {
    const n = await submit(sys, it_);
    const res = await act(r1, n.id, 'decisions', { decision: 'REJECT', reason: 'Article 3 concerns', grounds: ['ARTICLE_3', 'OTHER'] });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('REJECTED');
    expect(res.body.review.decisions).toEqual([
      { decision: 'REJECT', reason: 'Article 3 concerns', grounds: ['ARTICLE_3', 'OTHER'], at: expect.any(String) },
    ]);
    expect((await get(it_, n.id)).body.status).toBe('REJECTED');
    expectProblem(await act(r2, n.id, 'decisions', { decision: 'APPROVE' }), 409);
    expectProblem(await act(it_, n.id, 'withdrawal', { reason: 'x' }), 409);
    expectProblem(await act(it_, n.id, 'clarifications', { message: 'x' }), 409);
    expectProblem(await act(r1, n.id, 'cancellation', { reason: 'x' }), 409);
    expect((await get(it_, n.id)).body.status).toBe('REJECTED');
  });
});

describe('clarifications', () => {
  let id: string;
  test('REQUEST_CLARIFICATION moves the request; only its requester answers, with valid changes', async () => {
    const n = await submit(sys, it_, freshRequest({ language: 'fr', handlingCode: 'H2' }));
    id = n.id;
    const asked = await act(r1, id, 'decisions', {
      decision: 'REQUEST_CLARIFICATION',
      reason: 'Which accounts?',
      grounds: ['INSUFFICIENT_DATA'],
    });
    expect(asked.body.status).toBe('CLARIFICATION_REQUESTED');
    expect((await get(it_, id)).body.status).toBe('CLARIFICATION_REQUESTED');
    expectProblem(await act(r1, id, 'decisions', { decision: 'APPROVE' }), 409);

    expectProblem(await act(r1, id, 'clarifications', { message: 'x' }), 403);
    expectProblem(await act(fr, id, 'clarifications', { message: 'x' }), 404);
    expectFieldErrors(await act(it_, id, 'clarifications', {}), 'message');
    expectFieldErrors(await act(it_, id, 'clarifications', { message: 'x', changes: { kind: 'NOTICE' } }), 'changes.kind');
    expectFieldErrors(
      await act(it_, id, 'clarifications', { message: 'x', changes: { offence: { ...sampleRequest().offence, maxPenaltyYears: 2 } } }),
      'changes.offence.maxPenaltyYears',
    );
    expectFieldErrors(await act(it_, id, 'clarifications', { message: 'x', changes: { recipients: ['IT'] } }), 'changes.recipients');
    expectFieldErrors(await act(it_, id, 'clarifications', { message: 'x', changes: { recipients: [] } }), 'changes.recipients');
    expectFieldErrors(await act(it_, id, 'clarifications', { message: 'x', changes: { purposes: [] } }), 'changes.purposes');
    expect((await get(it_, id)).body.status).toBe('CLARIFICATION_REQUESTED');

    const answered = await act(it_, id, 'clarifications', {
      message: 'Only the French accounts',
      changes: { recipients: ['FR'], urgency: 'URGENT' },
    });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ urgency: 'URGENT', responseDays: 3, responseHours: 72 });
    expect(['SUBMITTED', 'UNDER_REVIEW']).toContain(answered.body.status);
    expectProblem(await act(it_, id, 'clarifications', { message: 'again' }), 409);
    const v = await waitForStatus(sys, id, it_, 'UNDER_REVIEW');
    // Fields left out of `changes` keep their values.
    expect(v).toMatchObject({ handlingCode: 'H2', language: 'fr', purposes: n.purposes, subject: n.subject, requestedRecipients: ['FR'] });
    const events = (await sys.call('GET', `/v1/notices/${id}/events`, { key: r1 })).body.items.map((e: { type: string }) => e.type);
    expect(events).toEqual(expect.arrayContaining(['DECISION', 'CLARIFICATION']));
    expect(events.filter((t: string) => t === 'SCREENED')).toHaveLength(2);

    const published = await act(r2, id, 'decisions', { decision: 'APPROVE' });
    expect(published.body.recipients.map((r: { country: string }) => r.country)).toEqual(['FR']);
    expectProblem(await act(it_, id, 'clarifications', { message: 'late' }), 409);
  });
});

describe('clarification changes', () => {
  test('change only what is named: urgency, responseDays and codes stay unless changed', async () => {
    const n = await submit(sys, it_, freshRequest({ urgency: 'URGENT', handlingCode: 'H1', language: 'es' }));
    await act(r1, n.id, 'decisions', { decision: 'REQUEST_CLARIFICATION', reason: 'Handling?' });
    const res = await act(it_, n.id, 'clarifications', { message: 'Stricter handling', changes: { handlingCode: 'H3' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ urgency: 'URGENT', responseDays: 3, handlingCode: 'H3', language: 'es' });
    await waitForStatus(sys, n.id, it_, 'UNDER_REVIEW');
    await act(r1, n.id, 'decisions', { decision: 'REQUEST_CLARIFICATION', reason: 'Still urgent?' });
    const plain = await act(it_, n.id, 'clarifications', { message: 'No changes', changes: {} });
    expect(plain.body).toMatchObject({ urgency: 'URGENT', responseDays: 3, handlingCode: 'H3', language: 'es' });
    await waitForStatus(sys, n.id, it_, 'UNDER_REVIEW');
    await act(r1, n.id, 'decisions', { decision: 'REQUEST_CLARIFICATION', reason: 'Really?' });
    const normal = await act(it_, n.id, 'clarifications', {
      message: 'Not urgent after all',
      changes: { urgency: 'NORMAL', responseDays: 20 },
    });
    expect(normal.body).toMatchObject({ urgency: 'NORMAL', responseDays: 20 });
    const published = await act(r1, n.id, 'decisions', { decision: 'APPROVE' });
    expect(Date.parse(published.body.recipients[0].dueAt) - Date.parse(published.body.publishedAt)).toBe(20 * 86400_000);
  });
});

describe('clarification changes on a NOTICE', () => {
  test('changes must keep the request valid as a whole: a NOTICE cannot gain recipients', async () => {
    const { recipients: _r, ...body } = freshRequest({ kind: 'NOTICE' });
    const n = await submit(sys, it_, body);
    await act(r1, n.id, 'decisions', { decision: 'REQUEST_CLARIFICATION', reason: 'Scope?' });
    const res = await act(it_, n.id, 'clarifications', { message: 'Only two', changes: { recipients: ['FR', 'ES'] } });
    expectFieldErrors(res, 'changes.recipients');
    expect((await get(it_, n.id)).body).toMatchObject({ status: 'CLARIFICATION_REQUESTED', kind: 'NOTICE', requestedRecipients: [] });
  });
});

describe('withdrawal', () => {
  test('right after submission: WITHDRAWN, and the audit trail shows it', async () => {
    const n = await submit(sys, it_);
    const res = await act(it_, n.id, 'withdrawal', { reason: 'sent by mistake' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('WITHDRAWN');
    expect((await get(it_, n.id)).body.status).toBe('WITHDRAWN');
    const events = (await sys.call('GET', `/v1/notices/${n.id}/events`, { key: it_ })).body.items;
    expect(events.at(-1)).toMatchObject({ type: 'WITHDRAWN', actor: { role: 'NCB', country: 'IT' }, data: { quotaReleased: true } });
    // The reason is kept with the request, not in the trail.
    expect((await get(it_, n.id)).body.closure).toMatchObject({ reason: 'sent by mistake' });
    expectProblem(await act(it_, n.id, 'withdrawal', { reason: 'again' }), 409);
  });

  test('only the requester withdraws: reviewer 403, recipient 403, stranger 404; reason required', async () => {
    const v = await publish(sys, it_, r1);
    expectProblem(await act(r1, v.id, 'withdrawal', { reason: 'x' }), 403);
    expectProblem(await act(fr, v.id, 'withdrawal', { reason: 'x' }), 403);
    expectProblem(await act(de, v.id, 'withdrawal', { reason: 'x' }), 404);
    expectFieldErrors(await act(it_, v.id, 'withdrawal', {}), 'reason');
    expectFieldErrors(await act(it_, v.id, 'withdrawal', { reason: 42 }), 'reason');
    expect((await get(it_, v.id)).body.status).toBe('PUBLISHED');
    const res = await act(it_, v.id, 'withdrawal', { reason: 'case closed at home' });
    expect(res.body.status).toBe('WITHDRAWN');
    const told = await sys.db.prisma.notification.findMany({ where: { noticeId: v.id, type: 'WITHDRAWN' } });
    expect(told.map((t) => t.country).sort()).toEqual(['ES', 'FR']);
    expectProblem(await act(fr, v.id, 'responses', { outcome: 'NO_ASSETS_FOUND' }), 409);
  });
});

describe('cancellation', () => {
  test('reviewer only, from PUBLISHED; recipients are told; then final', async () => {
    const n = await submit(sys, it_);
    expectProblem(await act(r1, n.id, 'cancellation', { reason: 'x' }), 409);
    await act(r1, n.id, 'decisions', { decision: 'APPROVE' });
    expectProblem(await act(it_, n.id, 'cancellation', { reason: 'x' }), 403);
    expectProblem(await act(fr, n.id, 'cancellation', { reason: 'x' }), 403);
    expectProblem(await act(sys.adminKey, n.id, 'cancellation', { reason: 'x' }), 403);
    expectFieldErrors(await act(r1, n.id, 'cancellation', {}), 'reason');
    expectFieldErrors(await act(r1, n.id, 'cancellation', { reason: 'x', grounds: ['NOPE'] }), 'grounds.0');
    expectProblem(await act(r1, UNKNOWN, 'cancellation', { reason: 'x' }), 404);
    const res = await act(r2, n.id, 'cancellation', { reason: 'New facts: Article 2 concerns', grounds: ['ARTICLE_2'] });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('CANCELLED');
    expect((await get(fr, n.id)).body.status).toBe('CANCELLED');
    const told = await sys.db.prisma.notification.findMany({ where: { noticeId: n.id, type: 'CANCELLED' } });
    expect(told.map((t) => t.country).sort()).toEqual(['ES', 'FR']);
    expectProblem(await act(r1, n.id, 'cancellation', { reason: 'again' }), 409);
    expectProblem(await act(it_, n.id, 'withdrawal', { reason: 'x' }), 409);
    expectProblem(await act(es, n.id, 'responses', { outcome: 'NO_ASSETS_FOUND' }), 409);
    // The quota is not given back after publication.
    expect(holdsQuota(await sys.db.prisma.notice.findUniqueOrThrow({ where: { id: n.id } }))).toBe(true);
  });
});

describe('responses', () => {
  test('field rules', async () => {
    const v = await publish(sys, it_, r1);
    const cases: [unknown, string][] = [
      [{ outcome: 'ASSETS_LOCATED' }, 'assets'],
      [{ outcome: 'ASSETS_LOCATED', assets: [] }, 'assets'],
      [{ outcome: 'NO_ASSETS_FOUND', assets: [located()] }, 'assets'],
      [{ outcome: 'UNABLE_TO_ASSIST' }, 'reason'],
      [{ outcome: 'FOUND' }, 'outcome'],
      [{}, 'outcome'],
      [{ outcome: 'NO_ASSETS_FOUND', final: 'yes' }, 'final'],
      [{ outcome: 'NO_ASSETS_FOUND', handlingCode: 'H9' }, 'handlingCode'],
      [{ outcome: 'ASSETS_LOCATED', assets: [located({ location: { country: 'XX' } })] }, 'assets.0.location.country'],
      [{ outcome: 'ASSETS_LOCATED', assets: [located({ location: undefined })] }, 'assets.0.location'],
      [{ outcome: 'ASSETS_LOCATED', assets: [located({ measures: 'CONFISCATED' })] }, 'assets.0.measures'],
      [
        { outcome: 'ASSETS_LOCATED', assets: [located({ source: { register: 'x', reliability: 'D', accuracy: 1 } })] },
        'assets.0.source.reliability',
      ],
      [
        { outcome: 'ASSETS_LOCATED', assets: [located({ source: { register: 'x', reliability: 'A', accuracy: 5 } })] },
        'assets.0.source.accuracy',
      ],
      [
        { outcome: 'ASSETS_LOCATED', assets: [located({ estimatedValue: { amount: 1, currency: 'EURO' } })] },
        'assets.0.estimatedValue.currency',
      ],
      [{ outcome: 'ASSETS_LOCATED', assets: [located({ category: 'HORSE' })] }, 'assets.0.category'],
    ];
    for (const [body, p] of cases) expectFieldErrors(await act(fr, v.id, 'responses', body), p);
    expect(await sys.db.prisma.response.count({ where: { noticeId: v.id } })).toBe(0);
  });

  test('only recipients respond: requester 403, reviewer 403, non-recipient 404, before publication 404', async () => {
    const pending = await submit(sys, it_);
    expectProblem(await act(fr, pending.id, 'responses', { outcome: 'NO_ASSETS_FOUND' }), 404);
    await act(r1, pending.id, 'decisions', { decision: 'APPROVE' });
    expectProblem(await act(it_, pending.id, 'responses', { outcome: 'NO_ASSETS_FOUND' }), 403);
    expectProblem(await act(r1, pending.id, 'responses', { outcome: 'NO_ASSETS_FOUND' }), 403);
    expectProblem(await act(de, pending.id, 'responses', { outcome: 'NO_ASSETS_FOUND' }), 404);
    expectProblem(await act(fr, UNKNOWN, 'responses', { outcome: 'NO_ASSETS_FOUND' }), 404);
    expect(await sys.db.prisma.response.count({ where: { noticeId: pending.id } })).toBe(0);
  });

  test('interim then final answers; COMPLETED once every recipient gave a final one; then 409', async () => {
    const v = await publish(sys, it_, r1);
    const interim = await act(fr, v.id, 'responses', { outcome: 'UNABLE_TO_ASSIST', final: false, reason: 'registers being searched' });
    expect(interim.status).toBe(201);
    expect(interim.body.recipients).toEqual([
      expect.objectContaining({ country: 'FR', status: 'RESPONDED', final: false, respondedAt: expect.any(String) }),
    ]);
    expect(interim.body.review).toBeUndefined();
    expect(interim.headers.get('x-response-id')).toMatch(/^[0-9a-f-]{36}$/);
    const final = await act(fr, v.id, 'responses', {
      outcome: 'ASSETS_LOCATED',
      assets: [located(), located({ category: 'VEHICLE', estimatedValue: { amount: 50000, currency: 'USD' } })],
      handlingCode: 'H2',
    });
    expect(final.status).toBe(201);
    expect(final.body.recipients).toEqual([expect.objectContaining({ country: 'FR', status: 'RESPONDED' })]);
    const mid = (await get(it_, v.id)).body;
    expect(mid.status).toBe('PUBLISHED');
    expect(mid.findings).toEqual({
      assetsLocated: 2,
      byCategory: { REAL_ESTATE: 1, VEHICLE: 1 },
      estimatedValue: { EUR: 900000, USD: 50000 },
    });
    // After a final answer a recipient may still add one while the request is open.
    const extra = await act(fr, v.id, 'responses', { outcome: 'NO_ASSETS_FOUND', final: true });
    expect(extra.status).toBe(201);
    const es1 = await act(es, v.id, 'responses', { outcome: 'NO_ASSETS_FOUND' });
    expect(es1.status).toBe(201);
    const done = await waitForStatus(sys, v.id, it_, 'COMPLETED');
    expect(done.recipients.every((r: { status: string }) => r.status === 'RESPONDED')).toBe(true);
    const responses = (await sys.call('GET', `/v1/notices/${v.id}/responses`, { key: it_ })).body.items;
    expect(responses.map((r: { country: string; final: boolean }) => `${r.country}:${r.final}`)).toEqual([
      'FR:false',
      'FR:true',
      'FR:true',
      'ES:true',
    ]);
    expect(responses[1]).toMatchObject({ outcome: 'ASSETS_LOCATED', handlingCode: 'H2', late: false, reason: null });
    expect(responses[1].assets).toHaveLength(2);
    expect(responses[0]).toMatchObject({ outcome: 'UNABLE_TO_ASSIST', reason: 'registers being searched', assets: [] });
    expectProblem(await act(es, v.id, 'responses', { outcome: 'NO_ASSETS_FOUND' }), 409);
    expectProblem(await act(it_, v.id, 'withdrawal', { reason: 'x' }), 409);
    expectProblem(await act(r1, v.id, 'cancellation', { reason: 'x' }), 409);
  });

  test('Idempotency-Key: a replayed response is recorded once; another body is 409; keys are per principal', async () => {
    const v = await publish(sys, it_, r1);
    const body = { outcome: 'NO_ASSETS_FOUND', final: false };
    const h = { 'Idempotency-Key': 'resp-1' };
    const a = await act(fr, v.id, 'responses', body, h);
    expect(a.status).toBe(201);
    const b = await act(fr, v.id, 'responses', body, h);
    expect(b.status).toBe(201);
    expect(b.body.recipients).toEqual(a.body.recipients);
    expect(await sys.db.prisma.response.count({ where: { noticeId: v.id } })).toBe(1);
    expect(await sys.db.prisma.notification.count({ where: { noticeId: v.id, type: 'RESPONSE_RECEIVED' } })).toBe(1);
    expectProblem(await act(fr, v.id, 'responses', { outcome: 'NO_ASSETS_FOUND', final: true }, h), 409);
    expect(await sys.db.prisma.response.count({ where: { noticeId: v.id } })).toBe(1);
    const c = await act(es, v.id, 'responses', body, h);
    expect(c.status).toBe(201);
    expect(await sys.db.prisma.response.count({ where: { noticeId: v.id } })).toBe(2);
    // Sent twice at once: still one.
    const h2 = { 'Idempotency-Key': 'resp-2' };
    const [d, e] = await Promise.all([act(fr, v.id, 'responses', body, h2), act(fr, v.id, 'responses', body, h2)]);
    expect([d.status, e.status]).toEqual([201, 201]);
    expect(await sys.db.prisma.response.count({ where: { noticeId: v.id, country: 'FR' } })).toBe(2);
  });
});

describe("another country's key", () => {
  test('cannot act on a request it may not see (404) nor on one it only receives (403); the request is left intact', async () => {
    const v = await publish(sys, it_, r1);
    const before = (await get(it_, v.id)).body;
    const eventsBefore = await sys.db.prisma.auditEvent.count({ where: { noticeId: v.id, type: { not: 'READ' } } });
    expectProblem(await act(de, v.id, 'withdrawal', { reason: 'hostile' }), 404);
    expectProblem(await act(de, v.id, 'clarifications', { message: 'hostile', changes: { recipients: ['DE'] } }), 404);
    expectProblem(await act(de, v.id, 'responses', { outcome: 'NO_ASSETS_FOUND' }), 404);
    expectProblem(await act(de, v.id, 'decisions', { decision: 'REJECT', reason: 'hostile' }), 403);
    expectProblem(await act(de, v.id, 'cancellation', { reason: 'hostile' }), 403);
    expectProblem(await act(fr, v.id, 'withdrawal', { reason: 'hostile' }), 403);
    expectProblem(await act(fr, v.id, 'clarifications', { message: 'hostile' }), 403);
    const after = (await get(it_, v.id)).body;
    expect(after).toEqual(before);
    expect(await sys.db.prisma.auditEvent.count({ where: { noticeId: v.id, type: { not: 'READ' } } })).toBe(eventsBefore);
    expect(await sys.db.prisma.response.count({ where: { noticeId: v.id } })).toBe(0);
  });
});

describe('actions that reach a request before its workflow first ran', () => {
  /**
   * A second API over a task queue no worker polls yet: the request's workflow is started, the
   * action is sent, and only then does a worker come, so its first workflow task carries the action.
   */
  async function beforeFirstRun(send: (call: TestSystem['call'], id: string) => Promise<Awaited<ReturnType<TestSystem['call']>>>) {
    const taskQueue = `late-${crypto.randomUUID()}`;
    let updateSent!: () => void;
    const sent = new Promise<void>((resolve) => (updateSent = resolve));
    const interceptor: WorkflowClientInterceptor = {
      async startUpdate(input, next) {
        const out = next(input);
        updateSent();
        return out;
      },
    };
    const client = new Client({
      connection: sys.env.client.connection,
      namespace: sys.env.namespace ?? 'default',
      interceptors: { workflow: [interceptor] },
      dataConverter: TEST_DATA_CONVERTER,
    });
    const log = pino({ level: 'silent' });
    const services = createServices({ prisma: sys.db.prisma, temporal: client, taskQueue, daySeconds: sys.daySeconds, log });
    const app = buildApp({ services, log, rateLimitPerMinute: 1_000_000 });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const call: TestSystem['call'] = async (method, path, o = {}) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${o.key}`, ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    };
    try {
      const created = await call('POST', '/v1/notices', { key: it_, body: freshRequest() });
      expect(created.status).toBe(201);
      expect(created.body.status).toBe('SUBMITTED');
      const answer = send(call, created.body.id);
      await sent;
      const worker = await Worker.create({
        connection: sys.env.nativeConnection,
        taskQueue,
        workflowBundle: { codePath: TEST_BUNDLE_PATH },
        activities: createActivities({ prisma: sys.db.prisma, log }),
        dataConverter: TEST_DATA_CONVERTER,
      });
      return await worker.runUntil(async () => {
        const res = await answer;
        return { id: created.body.id as string, res };
      });
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }

  test('a withdrawal stays a withdrawal: screening does not bring the request back', async () => {
    const { id, res } = await beforeFirstRun((call, id) =>
      call('POST', `/v1/notices/${id}/withdrawal`, { key: it_, body: { reason: 'at once' } }),
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('WITHDRAWN');
    const handle = sys.env.client.workflow.getHandle(id);
    expect(await handle.result()).toBe('WITHDRAWN');
    const row = await sys.db.prisma.notice.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe('WITHDRAWN');
    expect(holdsQuota(row)).toBe(false);
    const types = (
      await sys.db.prisma.auditEvent.findMany({ where: { noticeId: id, type: { not: 'READ' } }, orderBy: { seq: 'asc' } })
    ).map((e) => e.type);
    expect(types.slice(types.indexOf('WITHDRAWN'))).toEqual(['WITHDRAWN']);
  });

  test('an approval waits for screening and publishes', async () => {
    const { id, res } = await beforeFirstRun((call, id) =>
      call('POST', `/v1/notices/${id}/decisions`, { key: r1, body: { decision: 'APPROVE' } }),
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('PUBLISHED');
    const types = (await sys.db.prisma.auditEvent.findMany({ where: { noticeId: id }, orderBy: { seq: 'asc' } })).map((e) => e.type);
    expect(types.filter((t) => t !== 'READ')).toEqual(['SUBMITTED', 'SCREENED', 'DECISION', 'PUBLISHED']);
  });
});
