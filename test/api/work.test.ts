/**
 * GET /v1/work: what waits for each person, with its counts, within what its role may read.
 */
import crypto from 'node:crypto';
import { failOnServerErrors, flaggedRequest, freshRequest, publish, submit, waitForStatus } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, fr: string, reviewer: string, reviewer2: string, ccf: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, reviewer, reviewer2, ccf] = await sys.keys('IT', 'FR', 'REVIEWER', 'REVIEWER', 'CCF');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

type Work = {
  counts: Record<string, number>;
  items: { kind: string; noticeId?: string; dueAt?: string; keyId?: string; country?: string }[];
};
const work = async (key: string): Promise<Work> => {
  const res = await sys.call('GET', '/v1/work', { key });
  expect(res.status).toBe(200);
  // Each count is the number of its items.
  for (const [kind, n] of Object.entries(res.body.counts))
    expect([kind, res.body.items.filter((i: any) => i.kind === kind).length]).toEqual([kind, n]);
  return res.body;
};
/** The kinds `id` is listed under. */
const kindsOf = (w: Work, id: string) => w.items.filter((i) => i.noticeId === id).map((i) => i.kind);
const post = (key: string, path: string, body: unknown = {}) => sys.call('POST', path, { key, body });

test('each role gets its own kinds, every one counted, 0 included', async () => {
  const kinds = async (key: string) => Object.keys((await work(key)).counts);
  expect(await kinds(it_)).toEqual([
    'CLARIFICATION_ASKED',
    'REASSESSMENT_DUE',
    'NEW_ANSWERS',
    'AMENDMENT_DECIDED',
    'TO_ACKNOWLEDGE',
    'DUE_SOON',
    'OVERDUE',
    'UNREAD_MESSAGES',
    'DELETION_TO_CONFIRM',
  ]);
  expect(await kinds(reviewer)).toEqual([
    'TO_DECIDE',
    'AWAITING_SECOND_REVIEWER',
    'CLAIMED_BY_ME',
    'RENEWALS_TO_DECIDE',
    'AMENDMENTS_TO_DECIDE',
    'UNREAD_MESSAGES',
  ]);
  expect(await kinds(ccf)).toEqual(['BLOCKINGS_TO_DECIDE']);
  expect(await kinds(sys.adminKey)).toEqual(['KEYS_EXPIRING', 'DELIVERIES_FAILING']);
});

test('reviewers: to decide unless approved by me or claimed by another; awaiting a second reviewer; claimed by me', async () => {
  const { id: approved } = await submit(sys, it_, flaggedRequest({ recipients: ['FR'] }));
  const { id: claimed } = await submit(sys, it_, flaggedRequest({ recipients: ['FR'] }));
  await waitForStatus(sys, approved, it_, 'UNDER_REVIEW');
  await waitForStatus(sys, claimed, it_, 'UNDER_REVIEW');
  expect((await post(reviewer, `/v1/notices/${approved}/decisions`, { decision: 'APPROVE' })).status).toBe(200);
  expect((await post(reviewer2, `/v1/notices/${claimed}/claim`)).status).toBe(200);

  const mine = await work(reviewer);
  expect(kindsOf(mine, approved)).toEqual(['AWAITING_SECOND_REVIEWER']);
  expect(kindsOf(mine, claimed)).toEqual([]);
  const other = await work(reviewer2);
  expect(kindsOf(other, approved)).toEqual(['TO_DECIDE']);
  expect(kindsOf(other, claimed)).toEqual(['TO_DECIDE', 'CLAIMED_BY_ME']);
  // The requests a reviewer is sent to are reads, audited as a list's are.
  const reads = await sys.db.prisma.auditEvent.count({
    where: { noticeId: claimed, type: 'READ', actorUserId: (await sys.principal(reviewer2)).userId },
  });
  expect(reads).toBeGreaterThan(0);
});

test('NCBs: clarification asked, answers to acknowledge, due soon and overdue, new answers until read; the CCF: blockings', async () => {
  const { id: asked } = await submit(sys, it_, freshRequest({ recipients: ['FR'] }));
  await waitForStatus(sys, asked, it_, 'UNDER_REVIEW');
  await post(reviewer, `/v1/notices/${asked}/decisions`, { decision: 'REQUEST_CLARIFICATION', reason: 'Which accounts?' });
  const direct = await publish(sys, it_, reviewer, freshRequest({ urgency: 'URGENT_DIRECT', recipients: ['FR'] }));
  const normal = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));

  const requester = await work(it_);
  expect(kindsOf(requester, asked)).toEqual(['CLARIFICATION_ASKED']);
  expect(requester.items.find((i) => i.noticeId === asked)!.dueAt).toEqual(expect.any(String));
  // A requester owes nothing on its own requests.
  expect(kindsOf(requester, direct.id)).toEqual([]);

  const recipient = await work(fr);
  // Within 8 hours: due soon; 30 days: only to acknowledge.
  expect(kindsOf(recipient, direct.id)).toEqual(['TO_ACKNOWLEDGE', 'DUE_SOON']);
  expect(kindsOf(recipient, normal.id)).toEqual(['TO_ACKNOWLEDGE']);
  expect(recipient.items.find((i) => i.noticeId === direct.id)!.dueAt).toBe(direct.recipients[0].dueAt);
  // Once its deadline has passed (asked of the service at a later time): overdue.
  const later = await sys.services.work.of(await sys.principal(fr), new Date(Date.parse(direct.recipients[0].dueAt) + 60_000));
  expect(later.items.filter((i) => i.noticeId === direct.id).map((i) => i.kind)).toEqual(['OVERDUE']);

  // An interim answer: acknowledged no more, still due; the requester has a new answer until it reads it.
  expect((await post(fr, `/v1/notices/${direct.id}/responses`, { outcome: 'NO_ASSETS_FOUND', final: false })).status).toBe(201);
  expect(kindsOf(await work(fr), direct.id)).toEqual(['DUE_SOON']);
  expect(kindsOf(await work(it_), direct.id)).toEqual(['NEW_ANSWERS']);
  const unread = await sys.db.prisma.notification.findMany({ where: { noticeId: direct.id, country: 'IT', type: 'RESPONSE_RECEIVED' } });
  expect((await post(it_, '/v1/notifications/read', { ids: unread.map((n) => n.seq.toString()) })).status).toBe(200);
  expect(kindsOf(await work(it_), direct.id)).toEqual([]);

  // Blocked: the CCF has it to decide (by its decision date); the recipient can do nothing, so is not sent to it.
  expect((await post(ccf, `/v1/notices/${normal.id}/blocking`, { reason: 'A complaint' })).status).toBe(200);
  const blockings = (await work(ccf)).items.filter((i) => i.noticeId === normal.id);
  expect(blockings).toEqual([expect.objectContaining({ kind: 'BLOCKINGS_TO_DECIDE', dueAt: expect.any(String) })]);
  expect(kindsOf(await work(fr), normal.id)).toEqual([]);
});

test('ADMIN: keys expiring within 14 scaled days, and countries whose webhook deliveries failed', async () => {
  const soon = await sys.userKey(fr, { expiresAt: new Date(Date.now() + 3 * 86_400_000) });
  const later = await sys.userKey(fr, { expiresAt: new Date(Date.now() + 30 * 86_400_000) });
  const [soonId, laterId] = await Promise.all([soon, later].map(async (k) => (await sys.principal(k)).keyId));
  const before = await work(sys.adminKey);
  expect(before.items.filter((i) => i.keyId === soonId || i.keyId === laterId).map((i) => i.keyId)).toEqual([soonId]);
  expect(before.counts.DELIVERIES_FAILING).toBe(0);

  await sys.db.prisma.webhookDelivery.create({
    data: { id: crypto.randomUUID(), country: 'ES', notificationSeq: BigInt(9_000_000_001), status: 'FAILED', createdAt: new Date() },
  });
  expect((await work(sys.adminKey)).items.filter((i) => i.kind === 'DELIVERIES_FAILING')).toEqual([
    { kind: 'DELIVERIES_FAILING', country: 'ES', failed: 1 },
  ]);
});

test('NCB: an amendment decided waits for the requester until it reads of it; reviewers have it to decide until then', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const created = await post(it_, `/v1/notices/${id}/amendments`, {
    reason: 'An alias found later',
    add: { aliases: [{ familyName: 'ROSSINI' }] },
  });
  expect(created.status).toBe(201);
  expect(kindsOf(await work(reviewer), id)).toContain('AMENDMENTS_TO_DECIDE');
  expect(kindsOf(await work(it_), id)).toEqual([]);
  expect(
    (await post(reviewer, `/v1/notices/${id}/amendments/${created.body.id}/decision`, { decision: 'REJECT', reason: 'No source' })).status,
  ).toBe(200);
  expect(kindsOf(await work(reviewer), id)).not.toContain('AMENDMENTS_TO_DECIDE');
  expect(kindsOf(await work(it_), id)).toEqual(['AMENDMENT_DECIDED']);
  const told = await sys.db.prisma.notification.findMany({ where: { noticeId: id, country: 'IT', type: 'AMENDMENT_DECIDED' } });
  expect((await post(it_, '/v1/notifications/read', { ids: told.map((n) => n.seq.toString()) })).status).toBe(200);
  expect(kindsOf(await work(it_), id)).toEqual([]);
});
