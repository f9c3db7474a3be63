/**
 * Helpers shared by the workflow tests (and the history recorder): submitting requests, waiting
 * for what the workflow writes, and reading back the record it leaves.
 */
import crypto from 'node:crypto';
import { Client } from '@temporalio/client';
import { hashKey } from '../../api/auth';
import { recordSubmission } from '../../api/notices';
import { NoticeRequest } from '../../api/schemas';
import type { NoticeWorkflowInput } from '../../workflows/notice';
import { freshRequest, waitFor, type TestSystem } from '../support/system';

/** A valid request about a subject of its own; `overrides` replace top-level fields. */
export const request = freshRequest;

/** A request whose facts mention a political character: screening flags ARTICLE_3_RISK. */
export function flaggedRequest(overrides: Record<string, unknown> = {}): Record<string, any> {
  const base = request(overrides);
  return { ...base, offence: { ...base.offence, description: 'Funds diverted to finance the political opposition abroad' } };
}

/** Submits through the API and waits until screening has put it UNDER_REVIEW. */
export async function submit(sys: TestSystem, key: string, body: Record<string, unknown>): Promise<string> {
  const res = await sys.call('POST', '/v1/notices', { key, body });
  if (res.status !== 201) throw new Error(`submission failed: ${res.status} ${JSON.stringify(res.body)}`);
  await waitForStatus(sys, res.body.id, 'UNDER_REVIEW');
  return res.body.id;
}

export async function decide(sys: TestSystem, key: string, id: string, decision: string, reason?: string, grounds?: string[]) {
  return sys.call('POST', `/v1/notices/${id}/decisions`, {
    key,
    body: { decision, ...(reason ? { reason } : {}), ...(grounds ? { grounds } : {}) },
  });
}

/** Submits and approves (once): the request is PUBLISHED when this returns. */
export async function publish(
  sys: TestSystem,
  requester: string,
  reviewer: string,
  body: Record<string, unknown>,
): Promise<{ id: string; view: any }> {
  const id = await submit(sys, requester, body);
  const res = await decide(sys, reviewer, id, 'APPROVE');
  if (res.status !== 200 || res.body.status !== 'PUBLISHED') throw new Error(`approval failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id, view: res.body };
}

export function respond(
  sys: TestSystem,
  key: string,
  id: string,
  body: Record<string, unknown> = { outcome: 'NO_ASSETS_FOUND' },
  headers?: Record<string, string>,
) {
  return sys.call('POST', `/v1/notices/${id}/responses`, { key, body, headers });
}

export const located = (country: string, category = 'REAL_ESTATE', amount = 100000, currency = 'EUR') => ({
  outcome: 'ASSETS_LOCATED',
  assets: [
    { category, description: `${category} in ${country}`, location: { country }, estimatedValue: { amount, currency }, measures: 'NONE' },
  ],
});

const plainClients = new WeakMap<TestSystem, Client>();
/**
 * The value a workflow returned, waiting for it without moving time. `env.client`'s `result()`
 * lets the time-skipping server skip ahead while it waits (what a test wants for a lapse or an
 * expiry); when the server has nothing else to do it then jumps to its next timer, which can be
 * years away (the test server arms a 10-year run timeout per workflow), firing other requests'
 * timers on the way. A client on the same connection without the test service does not.
 */
export function outcome(sys: TestSystem, id: string): Promise<string> {
  let client = plainClients.get(sys);
  if (!client) {
    client = new Client({ connection: sys.env.connection, namespace: sys.env.namespace });
    plainClients.set(sys, client);
  }
  return client.workflow.getHandle(id).result();
}

/**
 * Polls `read` until `ok` holds (bounded: about 20 s): for effects of timers and closing steps,
 * which land after the call that caused them has returned.
 */
export function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what = 'condition'): Promise<T> {
  return waitFor(read, ok, what, 20_000);
}

export async function statusOf(sys: TestSystem, id: string): Promise<string> {
  return (await sys.db.prisma.notice.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;
}

export function waitForStatus(sys: TestSystem, id: string, status: string): Promise<string> {
  return eventually(
    () => statusOf(sys, id),
    (s) => s === status,
    `request ${id} to be ${status}`,
  );
}

/** Notifications about one request, as sorted "TYPE:COUNTRY" strings. */
export async function notificationsOf(sys: TestSystem, id: string, type?: string): Promise<string[]> {
  const rows = await sys.db.prisma.notification.findMany({ where: { noticeId: id, ...(type ? { type: type as never } : {}) } });
  return rows.map((n) => `${n.type}:${n.country}`).sort();
}

/** Audit event types of one request, oldest first, without the READ entries. */
export async function auditTypes(sys: TestSystem, id: string): Promise<string[]> {
  const rows = await sys.db.prisma.auditEvent.findMany({ where: { noticeId: id, type: { not: 'READ' } }, orderBy: { seq: 'asc' } });
  return rows.map((e) => e.type);
}

export async function usage(sys: TestSystem, key: string, country: string): Promise<number> {
  const res = await sys.call('GET', '/v1/pilot', { key });
  if (res.status !== 200) throw new Error(`GET /v1/pilot: ${res.status}`);
  return res.body.usage[country];
}

export async function keyIdOf(sys: TestSystem, key: string): Promise<string> {
  return (await sys.db.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashKey(key) } })).id;
}

/**
 * Records a request the way `POST /v1/notices` does and starts its workflow with a chosen
 * `historyLimit`, so a test can make it continue as new after a few dozen events. The API then
 * acts on it as on any other request (the workflow id is the request id).
 */
export async function submitWithHistoryLimit(
  sys: TestSystem,
  opts: { key: string; country: string; body: Record<string, any>; historyLimit: number },
): Promise<{ id: string; firstRunId: string }> {
  const { body, country } = opts;
  const id = crypto.randomUUID();
  const now = new Date();
  const keyId = await keyIdOf(sys, opts.key);
  const parsed = NoticeRequest.parse(body);
  await sys.db.prisma.$transaction((tx) => recordSubmission(tx, { id, body: parsed, principal: { keyId, role: 'NCB', country }, now }));
  const input: NoticeWorkflowInput = {
    noticeId: id,
    requestingCountry: country,
    responseDays: parsed.responseDays,
    daySeconds: sys.daySeconds,
    historyLimit: opts.historyLimit,
  };
  const handle = await sys.env.client.workflow.start('silverNoticeWorkflow', { workflowId: id, taskQueue: sys.taskQueue, args: [input] });
  await waitForStatus(sys, id, 'UNDER_REVIEW');
  return { id, firstRunId: handle.firstExecutionRunId };
}

/**
 * A run's history as plain JSON: `JSON.stringify` of what `fetchHistory()` returns (protobufjs
 * object form: enum names, 64-bit integers and timestamps' seconds as strings, bytes as base64),
 * which is the form test/histories holds. `loadHistory` (replay.test.ts) turns it back.
 */
export async function historyJSON(sys: TestSystem, id: string, runId?: string): Promise<{ events: any[] }> {
  return JSON.parse(JSON.stringify(await sys.env.client.workflow.getHandle(id, runId).fetchHistory()));
}

/** The runs of a workflow, oldest first, following ContinuedAsNew from the first run. */
export async function runChain(
  sys: TestSystem,
  id: string,
  firstRunId: string,
): Promise<{ runId: string; lastEvent: string; events: number }[]> {
  const chain: { runId: string; lastEvent: string; events: number }[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const { events } = await historyJSON(sys, id, runId);
    const last = events[events.length - 1];
    chain.push({ runId, lastEvent: last?.eventType, events: events.length });
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return chain;
}

/**
 * A request in a final state refuses every action with 409 and stays as it was: no new decision,
 * response, clarification or audit entry, and its workflow has ended with that state.
 */
export async function expectEveryActionRefused(
  sys: TestSystem,
  id: string,
  keys: { requester: string; reviewer: string; recipient?: string },
): Promise<void> {
  const before = await sys.db.prisma.notice.findUniqueOrThrow({
    where: { id },
    include: { decisions: true, responses: true, clarifications: true },
  });
  const auditBefore = await auditTypes(sys, id);
  const attempts: [string, string, string, unknown][] = [
    ['approve', keys.reviewer, 'decisions', { decision: 'APPROVE' }],
    ['reject', keys.reviewer, 'decisions', { decision: 'REJECT', reason: 'too late' }],
    ['ask for clarification', keys.reviewer, 'decisions', { decision: 'REQUEST_CLARIFICATION', reason: 'more?' }],
    ['clarify', keys.requester, 'clarifications', { message: 'here', changes: { responseDays: 20 } }],
    ['withdraw', keys.requester, 'withdrawal', { reason: 'no longer needed' }],
    ['cancel', keys.reviewer, 'cancellation', { reason: 'new facts' }],
  ];
  if (keys.recipient) attempts.push(['respond', keys.recipient, 'responses', { outcome: 'NO_ASSETS_FOUND' }]);
  for (const [what, key, route, body] of attempts) {
    const res = await sys.call('POST', `/v1/notices/${id}/${route}`, { key, body });
    expect({ what, status: res.status, type: res.headers.get('content-type') }).toEqual({
      what,
      status: 409,
      type: expect.stringContaining('application/problem+json'),
    });
  }
  const after = await sys.db.prisma.notice.findUniqueOrThrow({
    where: { id },
    include: { decisions: true, responses: true, clarifications: true },
  });
  expect(after.status).toBe(before.status);
  expect(after.decisions).toHaveLength(before.decisions.length);
  expect(after.responses).toHaveLength(before.responses.length);
  expect(after.clarifications).toHaveLength(before.clarifications.length);
  expect(await auditTypes(sys, id)).toEqual(auditBefore);
  expect((await sys.env.client.workflow.getHandle(id).describe()).status.name).toBe('COMPLETED');
  expect(await outcome(sys, id)).toBe(before.status);
}
