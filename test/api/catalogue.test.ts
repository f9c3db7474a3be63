/**
 * What a view offers is what the server takes: for each person and state, every action listed in
 * `actions` succeeds with a valid body, and every action not listed is refused (403, 404 or 409)
 * with a code, changing nothing.
 */
import { ACTION_NAMES, type ActionName } from '../../domain/actions';
import { ACTIONS } from '../../services/action-registry';
import { expectProblem, failOnServerErrors, flaggedRequest, freshRequest, publish, submit, waitForStatus } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, fr: string, es: string, reviewer: string, reviewer2: string, ccf: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE']);
  [it_, fr, es, reviewer, reviewer2, ccf] = await sys.keys('IT', 'FR', 'ES', 'REVIEWER', 'REVIEWER', 'CCF');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const DAY = 86_400_000;
/** A valid body for each action (an interim answer, so that answering does not complete the request). */
const validBody = (action: ActionName, view: any): unknown =>
  ({
    DECIDE: { decision: 'APPROVE' },
    CLARIFY: { message: 'Here is the answer' },
    WITHDRAW: { reason: 'No longer needed' },
    CANCEL: { reason: 'New facts' },
    RESPOND: { outcome: 'NO_ASSETS_FOUND', final: false },
    ACKNOWLEDGE: {},
    DELAY: {
      reason: 'Court authorisation needed',
      expectedBy: new Date(Date.parse(view?.recipients?.[0]?.dueAt ?? new Date().toISOString()) + DAY).toISOString(),
    },
    BLOCK: { reason: 'A complaint is examined' },
    DECIDE_BLOCKING: { outcome: 'DISMISSED', reason: 'Unfounded' },
    REQUEST_RENEWAL: { reason: 'The investigation goes on' },
    DECIDE_RENEWAL: { decision: 'APPROVE', reason: 'Still needed' },
    CLAIM: {},
    RELEASE: undefined,
    AMEND: { reason: 'An account turned up', add: { aliases: [{ familyName: 'Rossetti' }] } },
    DECIDE_AMENDMENT: { decision: 'APPROVE' },
    // A file is the body itself (see take).
    ATTACH: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]),
    CONFIRM_DELETION: undefined,
    RECORD_OUTCOME: { measure: 'FROZEN', country: 'FR', date: '2026-01-15' },
    MESSAGE: { body: 'A question about the request' },
  })[action];

const view = async (key: string, id: string) => (await sys.call('GET', `/v1/notices/${id}`, { key })).body;
const offered = async (key: string, id: string) => ((await view(key, id)).actions as { name: ActionName }[]).map((a) => a.name);
const take = (key: string, id: string, action: ActionName, body: unknown) =>
  body instanceof Buffer
    ? sys.call('POST', `/v1/notices/${id}/${ACTIONS[action].path}?filename=order.png`, {
        key,
        raw: body,
        headers: { 'content-type': 'image/png' },
      })
    : // An amendment's decision not offered is tried on an amendment that does not await one.
      sys.call(ACTIONS[action].method ?? 'POST', `/v1/notices/${id}/${ACTIONS[action].path.replace(':aid', crypto.randomUUID())}`, {
        key,
        body,
      });

/** Every action not offered to `key` is refused with a code and leaves the request as it was. */
async function unofferedRefused(key: string, id: string): Promise<ActionName[]> {
  const before = await view(reviewer, id);
  const v = await view(key, id);
  const open = new Set((v.actions ?? []).map((a: { name: ActionName }) => a.name));
  for (const action of ACTION_NAMES.filter((a) => !open.has(a))) {
    const res = await take(key, id, action, validBody(action, v));
    expect({ action, refused: [403, 404, 409].includes(res.status), code: typeof res.body.code }).toEqual({
      action,
      refused: true,
      code: 'string',
    });
  }
  const after = await view(reviewer, id);
  expect({ status: after.status, updatedAt: after.updatedAt }).toEqual({ status: before.status, updatedAt: before.updatedAt });
  return [...open] as ActionName[];
}

test('under review, flagged: the requester withdraws, reviewers decide, the CCF and other NCBs do nothing', async () => {
  const { id } = await submit(sys, it_, flaggedRequest());
  await waitForStatus(sys, id, it_, 'UNDER_REVIEW');
  expect(await unofferedRefused(it_, id)).toEqual(['WITHDRAW', 'ATTACH', 'MESSAGE']);
  expect(await unofferedRefused(reviewer, id)).toEqual(['DECIDE', 'CLAIM', 'MESSAGE']);
  expect(await unofferedRefused(ccf, id)).toEqual([]);
  expectProblem(await sys.call('GET', `/v1/notices/${id}`, { key: fr }), 404);

  // One approval of two: the reviewer who gave it is offered DECIDE no more, and is refused it.
  const first = await take(reviewer, id, 'DECIDE', validBody('DECIDE', undefined));
  expect(first.status).toBe(200);
  expect(first.body.actions.map((a: { name: string }) => a.name)).toEqual(['MESSAGE']);
  expect(await offered(reviewer, id)).toEqual(['MESSAGE']);
  // The same person through another key: a person approves once, whichever key it holds.
  expect(await offered(await sys.userKey(reviewer), id)).toEqual(['MESSAGE']);
  const again = await take(reviewer, id, 'DECIDE', { decision: 'REJECT', reason: 'Changed my mind' });
  expectProblem(again, 409);
  expect(again.body.code).toBe('ALREADY_APPROVED');
  expect(await offered(reviewer2, id)).toEqual(['DECIDE', 'CLAIM', 'MESSAGE']);
  expect((await take(reviewer2, id, 'DECIDE', validBody('DECIDE', undefined))).body.status).toBe('PUBLISHED');
});

test('published: each person is offered what it may do, and each offer is taken', async () => {
  const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  const id = published.id;
  expect(published.actions.map((a: { name: string; href: string }) => [a.name, a.href])).toEqual([
    ['CANCEL', `/v1/notices/${id}/cancellation`],
    ['MESSAGE', `/v1/notices/${id}/messages`],
  ]);
  expect(await unofferedRefused(it_, id)).toEqual(['WITHDRAW', 'AMEND', 'ATTACH', 'RECORD_OUTCOME', 'MESSAGE']);
  expect(await unofferedRefused(fr, id)).toEqual(['RESPOND', 'ACKNOWLEDGE', 'DELAY', 'ATTACH', 'MESSAGE']);
  expect(await unofferedRefused(reviewer, id)).toEqual(['CANCEL', 'MESSAGE']);
  expect(await unofferedRefused(ccf, id)).toEqual(['BLOCK']);

  // Each offer, taken with a valid body, succeeds.
  for (const action of ['ACKNOWLEDGE', 'DELAY', 'RESPOND'] as const) {
    const res = await take(fr, id, action, validBody(action, await view(fr, id)));
    expect({ action, status: res.status }).toEqual({ action, status: action === 'RESPOND' ? 201 : 200 });
  }
  // Blocked: recipients are offered nothing and refused everything; the CCF may decide.
  expect((await take(ccf, id, 'BLOCK', validBody('BLOCK', undefined))).status).toBe(200);
  expect(await unofferedRefused(es, id)).toEqual([]);
  const blockedAnswer = await take(es, id, 'RESPOND', validBody('RESPOND', undefined));
  expect(blockedAnswer.body.code).toBe('BLOCKED');
  expect(await unofferedRefused(ccf, id)).toEqual(['DECIDE_BLOCKING']);
  // What followed in a recipient country is still recorded while the CCF examines a complaint.
  expect(await unofferedRefused(it_, id)).toEqual(['WITHDRAW', 'RECORD_OUTCOME', 'MESSAGE']);
});

test('a request withdrawn while blocked still has its blocking decided by the CCF, and offers nothing else', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  expect((await take(ccf, id, 'BLOCK', validBody('BLOCK', undefined))).status).toBe(200);
  expect((await take(it_, id, 'WITHDRAW', validBody('WITHDRAW', undefined))).body.status).toBe('WITHDRAWN');
  // Messages go on after the end, but not from a recipient while the request is blocked.
  expect(await unofferedRefused(it_, id)).toEqual(['RECORD_OUTCOME', 'MESSAGE']);
  expect(await unofferedRefused(reviewer, id)).toEqual(['MESSAGE']);
  // A withdrawal obliges recipients to delete the request, blocked or not.
  expect(await unofferedRefused(fr, id)).toEqual(['CONFIRM_DELETION']);
  expect(await unofferedRefused(ccf, id)).toEqual(['DECIDE_BLOCKING']);
  const decided = await take(ccf, id, 'DECIDE_BLOCKING', { outcome: 'UPHELD', reason: 'The complaint is founded' });
  expect(decided.status).toBe(200);
  expect(decided.body).toMatchObject({ status: 'WITHDRAWN', blocking: null, actions: [] });
  expect(await sys.db.prisma.blocking.count({ where: { noticeId: id, decidedAt: null } })).toBe(0);
  // The workflow has ended: nothing waits for the CCF any more.
  await expect(sys.env.client.workflow.getHandle(id).result()).resolves.toBe('WITHDRAWN');
});

test('every refusal carries a code, and the document lists every code with its meaning', async () => {
  const doc = (await sys.call('GET', '/openapi.json')).body;
  const problem = doc.components.schemas.Problem;
  expect(problem.required).toContain('code');
  expect(problem.properties.code.enum).toEqual(expect.arrayContaining(['ALREADY_APPROVED', 'DEADLINE_PASSED', 'BLOCKED', 'REQUEST_FINAL']));
  expect(problem.properties.errors.items.properties.code.enum).toEqual(expect.arrayContaining(['REQUIRED', 'CHECKSUM', 'AFTER_DEADLINE']));
  expect(doc.paths['/v1/notices/{id}/delay'].post.description).toMatch(/DEADLINE_PASSED/);

  const unauthenticated = await sys.call('GET', '/v1/notices');
  expect(unauthenticated.body.code).toBe('UNAUTHENTICATED');
  const invalid = await sys.call('POST', '/v1/notices', { key: it_, body: { ...freshRequest(), purposes: [], extra: 1 } });
  expectProblem(invalid, 400);
  expect(invalid.body.code).toBe('VALIDATION');
  expect(invalid.body.errors).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ path: 'purposes', code: 'REQUIRED' }),
      expect.objectContaining({ path: 'extra', code: 'UNKNOWN_FIELD' }),
    ]),
  );
  const wrongRole = await sys.call('POST', '/v1/notices', { key: reviewer, body: freshRequest() });
  expect(wrongRole.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  const unknown = await sys.call('GET', `/v1/notices/${crypto.randomUUID()}`, { key: it_ });
  expect(unknown.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
});
