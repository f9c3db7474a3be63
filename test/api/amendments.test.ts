/**
 * Amendments of a published request through HTTP: screened and reviewed like a request (two
 * reviewers when flagged), a diffusion extended to a country that then answers (and the request
 * completes only after it does), a rejection that changes nothing, refusals, and a repeat with the
 * same Idempotency-Key counted once.
 */
import {
  expectFieldErrors,
  expectProblem,
  failOnServerErrors,
  freshRequest,
  notificationsOf,
  publish,
  submit,
  usage,
  waitForStatus,
} from '../support/helpers';
import { freshIban, startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, fr: string, es: string, de: string, reviewer: string, reviewer2: string, ccf: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE'], 100);
  [it_, fr, es, de, reviewer, reviewer2, ccf] = await sys.keys('IT', 'FR', 'ES', 'DE', 'REVIEWER', 'REVIEWER', 'CCF');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const amend = (key: string, id: string, body: unknown, headers?: Record<string, string>) =>
  sys.call('POST', `/v1/notices/${id}/amendments`, { key, body, headers });
const decide = (key: string, id: string, aid: string, body: unknown) =>
  sys.call('POST', `/v1/notices/${id}/amendments/${aid}/decision`, { key, body });
const view = async (key: string, id: string) => (await sys.call('GET', `/v1/notices/${id}`, { key })).body;
const names = (v: { actions: { name: string }[] }) => v.actions.map((a) => a.name);

const newAccount = () => ({ category: 'BANK_ACCOUNT', description: 'An account found later', identifiers: { iban: freshIban() } });

test('an amendment flagged by screening needs two different reviewers; approved, the request gains what it adds', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const legalBasis = { type: 'RESTRAINT_ORDER', reference: 'GIP 77/2099', authority: 'Tribunale di Palermo', date: '2099-01-01' };
  const created = await amend(it_, id, { reason: 'A court order and an alias', add: { aliases: [{ familyName: 'ROSSINI' }] }, legalBasis });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ status: 'UNDER_REVIEW', reason: 'A court order and an alias', decidedAt: null });
  expect(created.body.flags).toContain('LEGAL_BASIS_IN_FUTURE');
  const aid = created.body.id;
  expect(created.body.request.amendments.map((a: { id: string }) => a.id)).toEqual([aid]);

  // The reviewers see it among the requests awaiting them, with its decision offered at its own address.
  const queue = await sys.call('GET', '/v1/notices?amendmentPending=true', { key: reviewer });
  expect(queue.body.items.map((n: { id: string }) => n.id)).toContain(id);
  const offered = (await view(reviewer, id)).actions.find((a: { name: string }) => a.name === 'DECIDE_AMENDMENT');
  expect(offered.href).toBe(`/v1/notices/${id}/amendments/${aid}/decision`);

  const first = await decide(reviewer, id, aid, { decision: 'APPROVE' });
  expect(first.status).toBe(200);
  expect(first.body.amendments[0]).toMatchObject({ status: 'UNDER_REVIEW', approvals: 1 });
  expect(first.body.subject.aliases).toHaveLength(1);
  const again = await decide(reviewer, id, aid, { decision: 'APPROVE' });
  expectProblem(again, 409);
  expect(again.body.code).toBe('ALREADY_APPROVED');

  const second = await decide(reviewer2, id, aid, { decision: 'APPROVE', reason: 'Checked the order' });
  expect(second.status).toBe(200);
  expect(second.body.amendments[0]).toMatchObject({ status: 'APPROVED', approvals: 2, decisionReason: 'Checked the order' });
  expect(second.body.subject.aliases.map((a: { familyName: string }) => a.familyName)).toEqual(['RUSSO', 'ROSSINI']);
  expect(second.body.offence.legalBasis).toEqual(legalBasis);
  expect(await notificationsOf(sys, id, 'AMENDED')).toEqual(['AMENDED:FR']);
  expect(await notificationsOf(sys, id, 'AMENDMENT_DECIDED')).toEqual(['AMENDMENT_DECIDED:IT']);
  // The feed (what webhooks carry too) tells each side.
  const feed = async (key: string) =>
    (await sys.call('GET', '/v1/notifications', { key })).body.items.filter((n: { noticeId: string }) => n.noticeId === id);
  expect((await feed(fr)).map((n: { type: string }) => n.type)).toContain('AMENDED');
  expect((await feed(it_)).map((n: { type: string }) => n.type)).toContain('AMENDMENT_DECIDED');
  // The recipient sees the approved amendment, without its reason.
  const seen = await view(fr, id);
  expect(seen.amendments).toEqual([expect.objectContaining({ id: aid, status: 'APPROVED', reason: null })]);
  expect(seen.subject.aliases).toHaveLength(2);
});

test('a diffusion extended to a new country: it gets the request with its own deadline, answers, and only then is the request COMPLETED', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const used = await usage(sys, it_, 'IT');
  const account = newAccount();
  const created = await amend(it_, id, { reason: 'Assets moved to Spain', add: { recipients: ['ES'], assetsSought: [account] } });
  expect(created.status).toBe(201);
  expect(created.body.flags).toEqual([]);
  // Not yet a recipient: Spain does not know the request.
  expectProblem(await sys.call('GET', `/v1/notices/${id}`, { key: es }), 404);

  const approvedAt = Date.now();
  const approved = await decide(reviewer, id, created.body.id, { decision: 'APPROVE' });
  expect(approved.status).toBe(200);
  expect(approved.body.recipients.map((r: { country: string }) => r.country)).toEqual(['ES', 'FR']);
  const spain = approved.body.recipients.find((r: { country: string }) => r.country === 'ES');
  const due = Date.parse(spain.dueAt) - approvedAt;
  expect(Math.abs(due - approved.body.responseDays * 86_400_000)).toBeLessThan(60_000);
  expect(approved.body.assetsSought).toHaveLength(2);
  expect(await notificationsOf(sys, id, 'PUBLISHED')).toEqual(['PUBLISHED:ES', 'PUBLISHED:FR']);
  expect(await notificationsOf(sys, id, 'AMENDED')).toEqual(['AMENDED:FR']);
  expect(await usage(sys, it_, 'IT')).toBe(used);
  // The new account is linked like any identifier sought: another request seeking it is linked to this one.
  const other = await submit(sys, fr, freshRequest({ recipients: ['DE'], assetsSought: [account] }));
  await waitForStatus(sys, other.id, fr, 'UNDER_REVIEW');
  const links = await sys.db.prisma.assetLink.findMany({ where: { noticeId: id } });
  expect(links.map((l) => l.otherNoticeId)).toContain(other.id);

  // France answers finally: the request waits for Spain.
  expect(
    (await sys.call('POST', `/v1/notices/${id}/responses`, { key: fr, body: { outcome: 'NO_ASSETS_FOUND', final: true } })).status,
  ).toBe(201);
  await new Promise((r) => setTimeout(r, 500));
  expect((await view(it_, id)).status).toBe('PUBLISHED');
  const esView = await view(es, id);
  expect(names(esView)).toEqual(expect.arrayContaining(['RESPOND', 'ACKNOWLEDGE']));
  expect(esView.amendments[0].changes.add.recipients).toBeUndefined();
  const answered = await sys.call('POST', `/v1/notices/${id}/responses`, { key: es, body: { outcome: 'NO_ASSETS_FOUND', final: true } });
  expect(answered.status).toBe(201);
  await waitForStatus(sys, id, it_, 'COMPLETED');
});

test('a rejected amendment changes nothing; the requester is told', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const before = await view(it_, id);
  const created = await amend(it_, id, { reason: 'One more country', add: { recipients: ['DE'], assetsSought: [newAccount()] } });
  const rejected = await decide(reviewer, id, created.body.id, { decision: 'REJECT', reason: 'Not enough to go on' });
  expect(rejected.status).toBe(200);
  expect(rejected.body.amendments).toEqual([expect.objectContaining({ status: 'REJECTED', decisionReason: 'Not enough to go on' })]);
  expect(rejected.body.recipients.map((r: { country: string }) => r.country)).toEqual(['FR']);
  expect(rejected.body.assetsSought).toEqual(before.assetsSought);
  expect(await notificationsOf(sys, id, 'AMENDMENT_DECIDED')).toEqual(['AMENDMENT_DECIDED:IT']);
  expect(await notificationsOf(sys, id, 'AMENDED')).toEqual([]);
  expectProblem(await sys.call('GET', `/v1/notices/${id}`, { key: de }), 404);
  // Decided: nothing awaits a decision; the requester may amend again.
  const late = await decide(reviewer2, id, created.body.id, { decision: 'APPROVE' });
  expect(late.body.code).toBe('NO_AMENDMENT_PENDING');
  expect(names(await view(it_, id))).toContain('AMEND');
});

test('an amendment still under review when the request ends lapses with it: no longer pending, and not to be decided', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const created = await amend(it_, id, { reason: 'One more country', add: { recipients: ['DE'] } });
  expect(created.body.status).toBe('UNDER_REVIEW');
  const withdrawn = await sys.call('POST', `/v1/notices/${id}/withdrawal`, { key: it_, body: { reason: 'Assets returned' } });
  expect(withdrawn.body.status).toBe('WITHDRAWN');

  const { amendments } = await view(it_, id);
  expect(amendments).toEqual([expect.objectContaining({ id: created.body.id, status: 'LAPSED', decidedAt: withdrawn.body.updatedAt })]);
  const queue = await sys.call('GET', '/v1/notices?amendmentPending=true', { key: reviewer });
  expect(queue.body.items.map((n: { id: string }) => n.id)).not.toContain(id);
  expect((await decide(reviewer, id, created.body.id, { decision: 'APPROVE' })).status).toBe(409);
});

test('refusals: not the requester 403, not published 409, blocked 409, one under review 409, invalid additions 400', async () => {
  const body = { reason: 'An alias', add: { aliases: [{ familyName: 'ROSSO' }] } };
  const underReview = await submit(sys, it_, freshRequest({ recipients: ['FR'] }));
  await waitForStatus(sys, underReview.id, it_, 'UNDER_REVIEW');
  const early = await amend(it_, underReview.id, body);
  expectProblem(early, 409);
  expect(early.body.code).toBe('WRONG_STATE');

  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const byRecipient = await amend(fr, id, body);
  expectProblem(byRecipient, 403);
  expect(byRecipient.body.code).toBe('NOT_REQUESTER');
  expect((await amend(reviewer, id, body)).body.code).toBe('FORBIDDEN');
  expectFieldErrors(await amend(it_, id, { reason: 'Nothing', add: {} }), 'add');
  expectFieldErrors(await amend(it_, id, { reason: 'Myself', add: { recipients: ['IT'] } }), 'add.recipients');
  const notice = await publish(sys, it_, reviewer, freshRequest({ kind: 'NOTICE', recipients: undefined }));
  expectFieldErrors(await amend(it_, notice.id, { reason: 'More', add: { recipients: ['FR'] } }), 'add.recipients');

  const first = await amend(it_, id, body);
  expect(first.status).toBe(201);
  const second = await amend(it_, id, { reason: 'Another', add: { aliases: [{ familyName: 'ROSSETTI' }] } });
  expectProblem(second, 409);
  expect(second.body.code).toBe('AMENDMENT_PENDING');
  const byNcb = await decide(fr, id, first.body.id, { decision: 'APPROVE' });
  expectProblem(byNcb, 403);
  const unknown = await decide(reviewer, id, crypto.randomUUID(), { decision: 'APPROVE' });
  expect(unknown.body.code).toBe('NO_AMENDMENT_PENDING');

  expect((await sys.call('POST', `/v1/notices/${id}/blocking`, { key: ccf, body: { reason: 'A complaint' } })).status).toBe(200);
  const blocked = await amend(it_, id, body);
  expectProblem(blocked, 409);
  expect(blocked.body.code).toBe('BLOCKED');
  expect((await decide(reviewer, id, first.body.id, { decision: 'APPROVE' })).body.code).toBe('BLOCKED');
});

test('an amendment repeated with the same Idempotency-Key is counted once and answered as the first', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const body = { reason: 'An account', add: { assetsSought: [newAccount()] } };
  const headers = { 'Idempotency-Key': `amend-${crypto.randomUUID()}` };
  const first = await amend(it_, id, body, headers);
  const again = await amend(it_, id, body, headers);
  expect(first.status).toBe(201);
  expect(again.status).toBe(201);
  expect(again.body.id).toBe(first.body.id);
  expect(await sys.db.prisma.amendment.count({ where: { noticeId: id } })).toBe(1);
  const other = await amend(it_, id, { ...body, reason: 'Changed' }, headers);
  expect(other.body.code).toBe('IDEMPOTENCY_MISMATCH');
  const submitted = await sys.db.prisma.auditEvent.count({ where: { noticeId: id, type: 'AMENDMENT_SUBMITTED' } });
  expect(submitted).toBe(1);
});
