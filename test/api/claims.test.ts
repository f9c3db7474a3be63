/**
 * Claims: a reviewer takes a request's review; while she holds it no other reviewer claims or
 * decides it, through the API or straight to the workflow, unless taking it over with a reason
 * (audited, naming the reviewer who lost it). Releasing it, or deciding, frees it.
 */
import {
  auditTypes,
  expectProblem,
  failOnServerErrors,
  flaggedRequest,
  submit,
  submitScreened,
  viaWorkflow,
  waitForStatus,
} from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, ana: string, ben: string, ccf: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, ana, ben, ccf] = await sys.keys('IT', 'REVIEWER', 'REVIEWER', 'CCF');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const claim = (key: string, id: string, body?: unknown) => sys.call('POST', `/v1/notices/${id}/claim`, { key, body: body ?? {} });
const release = (key: string, id: string) => sys.call('DELETE', `/v1/notices/${id}/claim`, { key });
const decide = (key: string, id: string) => sys.call('POST', `/v1/notices/${id}/decisions`, { key, body: { decision: 'APPROVE' } });
const view = async (key: string, id: string) => (await sys.call('GET', `/v1/notices/${id}`, { key })).body;
const actionsOf = (v: { actions: { name: string; method: string }[] }) => v.actions.map((a) => `${a.method} ${a.name}`);

async function underReview(): Promise<string> {
  const { id } = await submit(sys, it_, flaggedRequest({ recipients: ['FR'] }));
  await waitForStatus(sys, id, it_, 'UNDER_REVIEW');
  return id;
}

test("a claim shows who holds it; another reviewer's claim or decision is 409 CLAIMED_BY_OTHER; the holder releases it", async () => {
  const id = await underReview();
  const anaUser = await sys.principal(ana);
  expect((await view(ana, id)).review.claimedBy).toBeNull();

  const claimed = await claim(ana, id);
  expect(claimed.status).toBe(200);
  expect(claimed.body.review.claimedBy).toEqual({ userId: anaUser.userId, name: anaUser.name, at: expect.any(String) });
  // The holder may decide or release, not claim again; the other reviewer may only take it over.
  const review = (v: any) => actionsOf(v).filter((a) => /DECIDE|CLAIM|RELEASE/.test(a));
  expect(review(claimed.body)).toEqual(['POST DECIDE', 'DELETE RELEASE']);
  expect(review(await view(ben, id))).toEqual(['POST CLAIM']);

  for (const refused of [await claim(ben, id), await decide(ben, id), await release(ben, id)]) {
    expectProblem(refused, 409);
    expect(refused.body.code).toBe('CLAIMED_BY_OTHER');
  }
  const again = await claim(ana, id);
  expectProblem(again, 409);
  expect(again.body.code).toBe('ALREADY_CLAIMED');
  // Reviewers only: an NCB or the CCF is 403.
  for (const key of [it_, ccf]) expectProblem(await claim(key, id), 403);

  const released = await release(ana, id);
  expect(released.status).toBe(200);
  expect(released.body.review.claimedBy).toBeNull();
  const nothing = await release(ana, id);
  expectProblem(nothing, 409);
  expect(nothing.body.code).toBe('NOT_CLAIMED');
  expect((await claim(ben, id)).body.review.claimedBy.userId).toBe((await sys.principal(ben)).userId);
  expect(await auditTypes(sys, id)).toEqual(expect.arrayContaining(['CLAIMED', 'CLAIM_RELEASED']));
});

test('the workflow itself refuses a decision by another reviewer while the claim is held', async () => {
  const id = await submitScreened(sys, it_, flaggedRequest({ recipients: ['FR'] }));
  expect(await viaWorkflow.claim(sys, ana, id)).toEqual({ ok: true, status: 'UNDER_REVIEW' });
  expect(await viaWorkflow.decide(sys, ben, id, 'APPROVE')).toEqual(
    expect.objectContaining({ ok: false, refused: 'CONFLICT', problems: 'CLAIMED_BY_OTHER' }),
  );
  expect(await viaWorkflow.claim(sys, ben, id)).toEqual(expect.objectContaining({ ok: false, problems: 'CLAIMED_BY_OTHER' }));
  expect(await viaWorkflow.release(sys, ben, id)).toEqual(expect.objectContaining({ ok: false, problems: 'CLAIMED_BY_OTHER' }));
  expect(await auditTypes(sys, id)).not.toContain('DECISION');
  // The holder decides, and the decision frees the review for the second reviewer.
  expect(await viaWorkflow.decide(sys, ana, id, 'APPROVE')).toEqual({ ok: true, status: 'UNDER_REVIEW' });
  expect((await view(ben, id)).review.claimedBy).toBeNull();
  expect(await viaWorkflow.decide(sys, ben, id, 'APPROVE')).toEqual({ ok: true, status: 'PUBLISHED' });
});

test('a take-over needs a reason, is audited naming the reviewer who lost the claim, and keeps the reason out of the trail', async () => {
  const id = await underReview();
  await claim(ana, id);
  const noReason = await claim(ben, id, { takeOver: true });
  expectProblem(noReason, 400);
  expect(noReason.body.errors).toEqual([expect.objectContaining({ path: 'reason', code: 'REASON_NEEDED' })]);
  expectProblem(await claim(ben, id, { takeOver: 'yes' }), 400);

  const taken = await claim(ben, id, { takeOver: true, reason: 'Ana is on leave from today' });
  expect(taken.status).toBe(200);
  const [anaUser, benUser] = await Promise.all([sys.principal(ana), sys.principal(ben)]);
  expect(taken.body.review.claimedBy.userId).toBe(benUser.userId);
  const event = await sys.db.prisma.auditEvent.findFirstOrThrow({ where: { noticeId: id, type: 'CLAIM_TAKEN_OVER' } });
  expect({ by: event.actorUserId, data: event.data }).toEqual({ by: benUser.userId, data: { from: anaUser.userId } });
  expect(JSON.stringify(event.data)).not.toContain('leave');
  expect(
    await sys.db.prisma.claimTakeOver.findMany({ where: { noticeId: id }, select: { fromUserId: true, toUserId: true, reason: true } }),
  ).toEqual([{ fromUserId: anaUser.userId, toUserId: benUser.userId, reason: 'Ana is on leave from today' }]);
  // Now Ana is the other reviewer.
  const refused = await decide(ana, id);
  expect(refused.body.code).toBe('CLAIMED_BY_OTHER');
});

test('a decision releases the claim, and a repeated claim (same Idempotency-Key) answers as the first', async () => {
  const id = await underReview();
  const headers = { 'Idempotency-Key': `claim-${id}` };
  const first = await sys.call('POST', `/v1/notices/${id}/claim`, { key: ana, body: {}, headers });
  const repeat = await sys.call('POST', `/v1/notices/${id}/claim`, { key: ana, body: {}, headers });
  expect([first.status, repeat.status]).toEqual([200, 200]);
  expect((await auditTypes(sys, id)).filter((t) => t === 'CLAIMED')).toHaveLength(1);
  const decided = await decide(ana, id);
  expect(decided.status).toBe(200);
  expect(decided.body.review.claimedBy).toBeNull();
  // Ana approved: she may not claim it again (she cannot decide it); Ben may.
  expect((await claim(ana, id)).body.code).toBe('ALREADY_APPROVED');
  expect((await claim(ben, id)).status).toBe(200);
});
