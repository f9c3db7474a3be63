/**
 * Steps and assertions shared by every test (not a test file itself). HTTP steps (`submit`,
 * `publish`, `waitForStatus`) drive the API as a client would; workflow steps (`viaWorkflow`) send
 * updates straight through the Temporal client, for tests about the workflow where HTTP adds
 * nothing; record helpers read what the activities wrote.
 */
import crypto from 'node:crypto';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { Status } from '../../domain/model';
import { responseWindowDays } from '../../domain/time';
import { NoticeRequest } from '../../api/schemas/requests';
import { recordSubmission } from '../../records/notices';
import { hashKey } from '../../records/keys';
import {
  acknowledgeUpdate,
  blockUpdate,
  cancelUpdate,
  claimUpdate,
  clarifyUpdate,
  decideBlockingUpdate,
  decideRenewalUpdate,
  decideUpdate,
  delayUpdate,
  releaseUpdate,
  requestRenewalUpdate,
  respondUpdate,
  withdrawUpdate,
  type ActionResult,
  type ResponseInput,
} from '../../workflows/messages';
import type { NoticeWorkflowInput } from '../../workflows/notice';
import { freshRequest, sampleRequest, TEST_DATA_CONVERTER, waitFor, type TestSystem } from './system';

export { freshRequest, sampleRequest, waitFor };

export type Reply = Awaited<ReturnType<TestSystem['call']>>;

// --- HTTP

/** An RFC 9457 problem with this status: the media type and the type/title/status members. */
export function expectProblem(res: Reply, status: number): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)?.slice(0, 2000)}`);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual(expect.objectContaining({ type: expect.any(String), title: expect.any(String), status }));
  expect(res.body.type.length).toBeGreaterThan(0);
}

/** A 400 whose `errors` name each given path (and are all { path, message } strings). */
export function expectFieldErrors(res: Reply, ...paths: string[]): void {
  expectProblem(res, 400);
  expect(Array.isArray(res.body.errors)).toBe(true);
  for (const e of res.body.errors) {
    expect(typeof e.path).toBe('string');
    expect(typeof e.message).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
  }
  const got = res.body.errors.map((e: { path: string }) => e.path);
  for (const p of paths) expect(got).toContain(p);
}

/** Submits through the API; the request as the answer shows it (screening follows). */
export async function submit(sys: TestSystem, key: string, body: Record<string, unknown> = freshRequest()): Promise<any> {
  const res = await sys.call('POST', '/v1/notices', { key, body });
  if (res.status !== 201) throw new Error(`submission failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Submits and approves once through the API (the request must raise no flags): the published view. */
export async function publish(
  sys: TestSystem,
  requester: string,
  reviewer: string,
  body: Record<string, unknown> = freshRequest(),
): Promise<any> {
  const created = await submit(sys, requester, body);
  const approved = await sys.call('POST', `/v1/notices/${created.id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } });
  if (approved.status !== 200 || approved.body.status !== 'PUBLISHED') {
    throw new Error(`approval did not publish: ${approved.status} ${JSON.stringify(approved.body)}`);
  }
  return approved.body;
}

/** Polls the API until the request shows `status` to `key`; its view then. */
export async function waitForStatus(sys: TestSystem, id: string, key: string, status: string): Promise<any> {
  const res = await waitFor(
    () => sys.call('GET', `/v1/notices/${id}`, { key }),
    (r) => r.status === 200 && r.body.status === status,
    `request ${id} to be ${status}`,
  );
  return res.body;
}

/** A located asset as an answer lists it; override fields per test. */
export const located = (overrides: Record<string, unknown> = {}) => ({
  category: 'REAL_ESTATE',
  description: 'Villa',
  location: { country: 'FR', address: 'Nice' },
  estimatedValue: { amount: 900000, currency: 'EUR' },
  holder: 'A relative',
  measures: 'NONE',
  source: { register: 'Land register', reliability: 'A', accuracy: 1 },
  ...overrides,
});

/** An ASSETS_LOCATED answer with one asset in `country`. */
export const assetsLocatedIn = (country: string, category = 'REAL_ESTATE', amount = 100000, currency = 'EUR') => ({
  outcome: 'ASSETS_LOCATED' as const,
  assets: [
    { category, description: `${category} in ${country}`, location: { country }, estimatedValue: { amount, currency }, measures: 'NONE' },
  ],
});

/** A request whose facts mention a political character: screening flags ARTICLE_3_RISK. */
export function flaggedRequest(overrides: Record<string, unknown> = {}): Record<string, any> {
  const base = freshRequest(overrides);
  return { ...base, offence: { ...base.offence, description: 'Funds diverted to finance the political opposition abroad' } };
}

/**
 * Records every 5xx the API answers through `sys.call` and fails the test that caused it: a server
 * error in answer to any client input is a defect, whatever else the test checks. Call at the top
 * level of a test file.
 */
export function failOnServerErrors(getSys: () => TestSystem | undefined): void {
  const seen: string[] = [];
  let wrapped: TestSystem | undefined;
  beforeEach(() => {
    const sys = getSys();
    if (!sys || sys === wrapped) return;
    wrapped = sys;
    const call = sys.call.bind(sys);
    sys.call = async (method, path, opts) => {
      const res = await call(method, path, opts);
      if (res.status >= 500) seen.push(`${method} ${path.slice(0, 200)} -> ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`);
      return res;
    };
  });
  afterEach(() => {
    expect(seen.splice(0)).toEqual([]);
  });
}

// --- the workflow, without HTTP

/** What an update answered: the state after it, or the workflow's refusal. */
export type Sent = { ok: true; status: Status } | { ok: false; refused: string; message: string; problems?: unknown };

async function send<Arg>(sys: TestSystem, id: string, update: UpdateDefinition<ActionResult, [Arg]>, arg: Arg): Promise<Sent> {
  try {
    const { status } = await sys.env.client.workflow.getHandle(id).executeUpdate(update, { args: [arg] });
    return { ok: true, status };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const problems = err.cause.details?.[0];
      return { ok: false, refused: err.cause.type ?? 'UNKNOWN', message: err.cause.message, ...(problems ? { problems } : {}) };
    }
    throw err;
  }
}

/**
 * Actions sent straight to a request's workflow as the holder of `key`, the way the services send
 * them once they have checked who may act.
 */
export const viaWorkflow = {
  async decide(sys: TestSystem, key: string, id: string, decision: string, reason?: string, grounds: string[] = []): Promise<Sent> {
    return send(sys, id, decideUpdate, { decision: decision as never, reason, grounds: grounds as never, actor: await sys.principal(key) });
  },
  async clarify(sys: TestSystem, key: string, id: string, message: string, changes: Record<string, unknown> = {}): Promise<Sent> {
    return send(sys, id, clarifyUpdate, { message, changes, actor: await sys.principal(key) });
  },
  async withdraw(sys: TestSystem, key: string, id: string, reason = 'No longer needed'): Promise<Sent> {
    return send(sys, id, withdrawUpdate, { reason, actor: await sys.principal(key) });
  },
  async cancel(sys: TestSystem, key: string, id: string, reason = 'New facts', grounds: string[] = []): Promise<Sent> {
    return send(sys, id, cancelUpdate, { reason, grounds: grounds as never, actor: await sys.principal(key) });
  },
  /** An answer from the holder of `key`, as its country; `responseId` lets a test repeat one. */
  async respond(
    sys: TestSystem,
    key: string,
    id: string,
    body: Partial<Pick<ResponseInput, 'outcome' | 'final' | 'reason' | 'assets'>> = {},
    responseId: string = crypto.randomUUID(),
  ): Promise<Sent> {
    const actor = await sys.principal(key);
    return send(sys, id, respondUpdate, {
      responseId,
      country: actor.country!,
      outcome: body.outcome ?? 'NO_ASSETS_FOUND',
      final: body.final ?? true,
      reason: body.reason,
      handlingCode: 'H0',
      assets: (body.assets ?? []) as never,
      actor,
    });
  },
  async acknowledge(sys: TestSystem, key: string, id: string, expectedBy?: number): Promise<Sent> {
    const actor = await sys.principal(key);
    return send(sys, id, acknowledgeUpdate, { country: actor.country!, expectedBy, actor });
  },
  async delay(sys: TestSystem, key: string, id: string, expectedBy: number, reason = 'Judicial authorisation needed'): Promise<Sent> {
    const actor = await sys.principal(key);
    return send(sys, id, delayUpdate, { country: actor.country!, reason, expectedBy, actor });
  },
  async block(sys: TestSystem, key: string, id: string, reason = 'A complaint is being examined'): Promise<Sent> {
    return send(sys, id, blockUpdate, { reason, actor: await sys.principal(key) });
  },
  async decideBlocking(sys: TestSystem, key: string, id: string, outcome: 'UPHELD' | 'DISMISSED', reason = 'Examined'): Promise<Sent> {
    return send(sys, id, decideBlockingUpdate, { outcome, reason, actor: await sys.principal(key) });
  },
  async requestRenewal(sys: TestSystem, key: string, id: string, reason = 'The investigation goes on'): Promise<Sent> {
    return send(sys, id, requestRenewalUpdate, { reason, actor: await sys.principal(key) });
  },
  async decideRenewal(sys: TestSystem, key: string, id: string, decision: 'APPROVE' | 'REJECT', reason = 'Reassessed'): Promise<Sent> {
    return send(sys, id, decideRenewalUpdate, { decision, reason, actor: await sys.principal(key) });
  },
  async claim(sys: TestSystem, key: string, id: string, takeOver?: { reason: string }): Promise<Sent> {
    return send(sys, id, claimUpdate, { takeOver: takeOver !== undefined, reason: takeOver?.reason, actor: await sys.principal(key) });
  },
  async release(sys: TestSystem, key: string, id: string): Promise<Sent> {
    return send(sys, id, releaseUpdate, { actor: await sys.principal(key) });
  },
};

/** Submits through the services (no HTTP) and waits until screening has put it UNDER_REVIEW; its id. */
export async function submitScreened(sys: TestSystem, key: string, body: Record<string, unknown> = freshRequest()): Promise<string> {
  const view = await sys.services.submission.submit(await sys.principal(key), NoticeRequest.parse(body));
  await waitForRecordStatus(sys, view.id, 'UNDER_REVIEW');
  return view.id;
}

/** Submits and approves once through the workflow (the request must raise no flags); its id once PUBLISHED. */
export async function publishScreened(
  sys: TestSystem,
  requester: string,
  reviewer: string,
  body: Record<string, unknown> = freshRequest(),
): Promise<string> {
  const id = await submitScreened(sys, requester, body);
  const sent = await viaWorkflow.decide(sys, reviewer, id, 'APPROVE');
  if (!sent.ok || sent.status !== 'PUBLISHED') throw new Error(`approval did not publish: ${JSON.stringify(sent)}`);
  return id;
}

// --- the record

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
    client = new Client({ connection: sys.env.connection, namespace: sys.env.namespace, dataConverter: TEST_DATA_CONVERTER });
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

/** Polls the case record until the request is in `status`. */
export function waitForRecordStatus(sys: TestSystem, id: string, status: string): Promise<string> {
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

/** The quota a country uses, as GET /v1/pilot tells it. */
export async function usage(sys: TestSystem, key: string, country: string): Promise<number> {
  const res = await sys.call('GET', '/v1/pilot', { key });
  if (res.status !== 200) throw new Error(`GET /v1/pilot: ${res.status}`);
  return res.body.usage[country];
}

export async function keyIdOf(sys: TestSystem, key: string): Promise<string> {
  return (await sys.db.prisma.apiKey.findUniqueOrThrow({ where: { hash: hashKey(key) } })).id;
}

/**
 * Records a request the way submission does and starts its workflow with a chosen `historyLimit`,
 * so a test can make it continue as new after a few dozen events. The API then acts on it as on
 * any other request (the workflow id is the request id).
 */
export async function submitWithHistoryLimit(
  sys: TestSystem,
  opts: { key: string; country: string; body: Record<string, any>; historyLimit: number },
): Promise<{ id: string; firstRunId: string }> {
  const id = crypto.randomUUID();
  const content = NoticeRequest.parse(opts.body);
  const actor = { ...(await sys.principal(opts.key)), country: opts.country };
  await sys.db.prisma.$transaction((tx) => recordSubmission(tx, { id, content, subjectKey: null, actor, now: new Date(), digests: [] }));
  const input: NoticeWorkflowInput = {
    noticeId: id,
    requestingCountry: opts.country,
    responseDays: responseWindowDays(content.urgency, content.responseDays),
    daySeconds: sys.daySeconds,
    historyLimit: opts.historyLimit,
  };
  const handle = await sys.env.client.workflow.start('silverNoticeWorkflow', { workflowId: id, taskQueue: sys.taskQueue, args: [input] });
  await waitForRecordStatus(sys, id, 'UNDER_REVIEW');
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
 * A request in a final state refuses every action with 409 (through the API) and stays as it was:
 * no new decision, response, clarification or audit entry, and its workflow has ended with that state.
 */
export async function expectEveryActionRefused(
  sys: TestSystem,
  id: string,
  keys: { requester: string; reviewer: string; recipient?: string },
): Promise<void> {
  const snapshot = () =>
    sys.db.prisma.notice.findUniqueOrThrow({ where: { id }, include: { decisions: true, responses: true, clarifications: true } });
  const before = await snapshot();
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
  const after = await snapshot();
  expect(after.status).toBe(before.status);
  expect(after.decisions).toHaveLength(before.decisions.length);
  expect(after.responses).toHaveLength(before.responses.length);
  expect(after.clarifications).toHaveLength(before.clarifications.length);
  expect(await auditTypes(sys, id)).toEqual(auditBefore);
  expect((await sys.env.client.workflow.getHandle(id).describe()).status.name).toBe('COMPLETED');
  expect(await outcome(sys, id)).toBe(before.status);
}
