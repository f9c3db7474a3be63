/**
 * Repeats are the workflow's to judge. Every action carries an id (its Idempotency-Key's, or a fresh
 * one); a repeat goes to the workflow like a first attempt, and is answered with the first result.
 *
 * The first two tests build what a lost workflow task leaves behind when a request's steps run as
 * local activities: the step's write is in the record (under the id derived from the action's),
 * but the workflow never took the action in. A caller who repeats the action must then get it
 * taken, once, never a reply made up from the record.
 */
import crypto from 'node:crypto';
import { ACTIONS, type WorkflowAction } from '../../services/action-registry';
import { bodyHash } from '../../services/submission';
import { claimIdempotencyKey } from '../../records/idempotency';
import { recordResponses } from '../../records/responses';
import { recordDecision } from '../../records/steps';
import { startTestSystem, type TestSystem } from '../support/system';
import {
  auditTypes,
  expectProblem,
  failOnServerErrors,
  flaggedRequest,
  freshRequest,
  keyIdOf,
  publish,
  submitWithHistoryLimit,
  runChain,
  waitForRecordStatus,
  waitForStatus,
  eventually,
  historyJSON,
} from '../support/helpers';

let sys: TestSystem;
let it_: string, fr: string, reviewer: string, reviewer2: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES'], 400);
  [it_, fr, reviewer, reviewer2] = await sys.keys('IT', 'FR', 'REVIEWER', 'REVIEWER');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

/** Claims `key` for `action` on request `id` as the holder of `holder` would have: the id the first attempt got. */
async function claimed(holder: string, scope: string, key: string, body: unknown): Promise<string> {
  const resourceId = crypto.randomUUID();
  await claimIdempotencyKey(sys.db.prisma, { keyId: await keyIdOf(sys, holder), scope, key, hash: bodyHash(body), resourceId });
  return resourceId;
}

const decisions = (id: string) => sys.db.prisma.decision.count({ where: { noticeId: id } });

test('an answer written by a step whose workflow task was lost is taken in when the caller repeats it, and the request completes', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const raw = { outcome: 'NO_ASSETS_FOUND', final: true };
  const parsed = ACTIONS.RESPOND.body.parse(raw);
  const actionId = await claimed(fr, `responses:${id}`, 'answer-1', parsed);
  const actor = await sys.principal(fr);
  await recordResponses(sys.db.prisma, [
    {
      noticeId: id,
      eventId: actionId,
      at: Date.now(),
      ...((ACTIONS.RESPOND as WorkflowAction).arg(parsed, actor) as object),
      responseId: actionId,
      late: false,
    } as never,
  ]);

  const repeat = await sys.call('POST', `/v1/notices/${id}/responses`, { key: fr, body: raw, headers: { 'Idempotency-Key': 'answer-1' } });
  expect(repeat.status).toBe(201);
  expect(repeat.headers.get('x-response-id')).toBe(actionId);
  // The workflow took the answer in: its last final answer completes the request.
  expect(await waitForStatus(sys, id, it_, 'COMPLETED')).toMatchObject({ status: 'COMPLETED' });
  expect(await sys.db.prisma.response.count({ where: { noticeId: id } })).toBe(1);
  expect((await auditTypes(sys, id)).filter((t) => t === 'RESPONSE')).toHaveLength(1);
});

test('an approval written by a step whose workflow task was lost counts once when the reviewer repeats it', async () => {
  const created = await sys.call('POST', '/v1/notices', { key: it_, body: flaggedRequest({ recipients: ['FR'] }) });
  const id: string = created.body.id;
  await waitForRecordStatus(sys, id, 'UNDER_REVIEW');
  const raw = { decision: 'APPROVE' };
  const parsed = ACTIONS.DECIDE.body.parse(raw);
  const actionId = await claimed(reviewer, `decide:${id}`, 'approve-1', parsed);
  const actor = await sys.principal(reviewer);
  await recordDecision(sys.db.prisma, {
    noticeId: id,
    eventId: actionId,
    at: Date.now(),
    decision: 'APPROVE',
    grounds: [],
    actor,
    status: 'UNDER_REVIEW',
    approvals: 1,
    approvalsRequired: 2,
  });

  const repeat = await sys.call('POST', `/v1/notices/${id}/decisions`, {
    key: reviewer,
    body: raw,
    headers: { 'Idempotency-Key': 'approve-1' },
  });
  expect(repeat.status).toBe(200);
  expect(repeat.body.status).toBe('UNDER_REVIEW');
  expect(await decisions(id)).toBe(1);
  // The workflow counted it: a second reviewer's approval publishes; the first reviewer's second is refused.
  const again = await sys.call('POST', `/v1/notices/${id}/decisions`, { key: reviewer, body: raw });
  expectProblem(again, 409);
  expect(again.body.code).toBe('ALREADY_APPROVED');
  const second = await sys.call('POST', `/v1/notices/${id}/decisions`, { key: reviewer2, body: raw });
  expect(second.status).toBe(200);
  expect(second.body.status).toBe('PUBLISHED');
  expect(await decisions(id)).toBe(2);
});

test('an action repeated with its Idempotency-Key gets its first result once the request has moved on, and another body is refused', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const ack = { expectedBy: new Date(Date.now() + 3 * 86_400_000).toISOString() };
  const headers = { 'Idempotency-Key': 'ack-1' };
  const first = await sys.call('POST', `/v1/notices/${id}/acknowledgement`, { key: fr, body: ack, headers });
  expect(first.status).toBe(200);
  // The request moves on: FR answers finally, and the request completes.
  expect((await sys.call('POST', `/v1/notices/${id}/responses`, { key: fr, body: { outcome: 'NO_ASSETS_FOUND' } })).status).toBe(201);
  await waitForStatus(sys, id, it_, 'COMPLETED');

  const repeat = await sys.call('POST', `/v1/notices/${id}/acknowledgement`, { key: fr, body: ack, headers });
  expect(repeat.status).toBe(200);
  expect((await auditTypes(sys, id)).filter((t) => t === 'ACKNOWLEDGED')).toHaveLength(1);
  const other = await sys.call('POST', `/v1/notices/${id}/acknowledgement`, {
    key: fr,
    body: { expectedBy: new Date(Date.now() + 4 * 86_400_000).toISOString() },
    headers,
  });
  expectProblem(other, 409);
  expect(other.body.code).toBe('IDEMPOTENCY_MISMATCH');
  // Without the key, the same action is a new one, and the request is final.
  const fresh = await sys.call('POST', `/v1/notices/${id}/acknowledgement`, { key: fr, body: ack });
  expectProblem(fresh, 409);
});

test('a repeat reaching a later run of the workflow is answered from what the earlier run handled', async () => {
  const { id, firstRunId } = await submitWithHistoryLimit(sys, {
    key: it_,
    country: 'IT',
    body: flaggedRequest({ recipients: ['FR'] }),
    historyLimit: 8,
  });
  const headers = { 'Idempotency-Key': 'approve-across-runs' };
  const first = await sys.call('POST', `/v1/notices/${id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' }, headers });
  expect(first.status).toBe(200);
  await eventually(
    () => runChain(sys, id, firstRunId),
    (c) => c.length >= 2,
    'a second run',
  );
  const repeat = await sys.call('POST', `/v1/notices/${id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' }, headers });
  expect(repeat.status).toBe(200);
  expect(repeat.body.status).toBe('UNDER_REVIEW');
  expect(await decisions(id)).toBe(1);
  expect((await sys.call('POST', `/v1/notices/${id}/decisions`, { key: reviewer2, body: { decision: 'APPROVE' } })).body.status).toBe(
    'PUBLISHED',
  );
});

test('a refused call repeated with its Idempotency-Key is judged again, and refused again', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const headers = { 'Idempotency-Key': 'not-mine-to-record' };
  const outcome = { measure: 'FROZEN', country: 'FR', date: new Date().toISOString().slice(0, 10) };
  for (let i = 0; i < 2; i++) {
    const refused = await sys.call('POST', `/v1/notices/${id}/outcomes`, { key: fr, body: outcome, headers });
    expectProblem(refused, 403);
    expect(refused.body.code).toBe('NOT_REQUESTER');
  }
  expect(await sys.db.prisma.outcome.count({ where: { noticeId: id } })).toBe(0);
  // The same key, once the call is admitted, is a first attempt: it is recorded once.
  for (let i = 0; i < 2; i++) {
    expect((await sys.call('POST', `/v1/notices/${id}/outcomes`, { key: it_, body: outcome, headers })).status).toBe(201);
  }
  expect(await sys.db.prisma.outcome.count({ where: { noticeId: id } })).toBe(1);
});

test('a final answer repeated after the run that took it ended the request in a later run still gets its first result', async () => {
  const { id, firstRunId } = await submitWithHistoryLimit(sys, {
    key: it_,
    country: 'IT',
    body: freshRequest({ recipients: ['FR'] }),
    historyLimit: 8,
  });
  expect((await sys.call('POST', `/v1/notices/${id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } })).status).toBe(200);
  await waitForStatus(sys, id, it_, 'PUBLISHED');
  const headers = { 'Idempotency-Key': 'final-across-runs' };
  const first = await sys.call('POST', `/v1/notices/${id}/responses`, { key: fr, body: { outcome: 'NO_ASSETS_FOUND' }, headers });
  expect(first.status).toBe(201);
  await waitForStatus(sys, id, it_, 'COMPLETED');
  const chain = await runChain(sys, id, firstRunId);
  const last = await historyJSON(sys, id, chain[chain.length - 1].runId);
  const updateIds = last.events.flatMap((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId ?? []);
  // The answer was taken by an earlier run than the one that completed the request.
  expect(updateIds).not.toContain(first.headers.get('x-response-id'));

  const repeat = await sys.call('POST', `/v1/notices/${id}/responses`, { key: fr, body: { outcome: 'NO_ASSETS_FOUND' }, headers });
  expect(repeat.status).toBe(201);
  expect(repeat.headers.get('x-response-id')).toBe(first.headers.get('x-response-id'));
  // A new answer is refused: the request is final.
  const fresh = await sys.call('POST', `/v1/notices/${id}/responses`, { key: fr, body: { outcome: 'NO_ASSETS_FOUND' } });
  expectProblem(fresh, 409);
});
