/**
 * Continue-as-new: a request's workflow starts a fresh run past `historyLimit` events (lowered here
 * to a few dozen) and carries its whole state across. A run boundary must lose nothing: pending
 * answers, the four-eyes count, the clarification window, the reminder and due-date timers, and
 * updates that were in flight while the run ended. Actions are sent to the workflow as updates
 * through the Temporal client (`viaWorkflow`).
 */
import crypto from 'node:crypto';
import { startTestSystem, type TestSystem } from '../support/system';
import {
  auditTypes,
  eventually,
  flaggedRequest,
  freshRequest,
  notificationsOf,
  outcome,
  runChain,
  statusOf,
  submitWithHistoryLimit,
  usage,
  viaWorkflow,
  type Sent,
} from '../support/helpers';

let sys: TestSystem;
let it_: string, fr: string, es: string, de: string, gb: string, reviewer: string, reviewer2: string, ccf: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE', 'GB'], 500);
  [it_, fr, es, de, gb, reviewer, reviewer2, ccf] = await sys.keys('IT', 'FR', 'ES', 'DE', 'GB', 'REVIEWER', 'REVIEWER', 'CCF');
});
afterAll(() => sys?.stop());

const DAY = 86_400_000;
const CONTINUED = 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW';
const wf = (id: string) => sys.env.client.workflow.getHandle(id);
/** The answer to an update the workflow took in while the request stays PUBLISHED. */
const TAKEN = { ok: true, status: 'PUBLISHED' };
const said = (s: Sent) => (s.ok ? s.status : s.refused);

test('a published request continues as new under concurrent answers and keeps its answers, timers and outcome', async () => {
  const { id, firstRunId } = await submitWithHistoryLimit(sys, {
    key: it_,
    country: 'IT',
    body: freshRequest({ recipients: ['FR', 'ES', 'DE', 'GB'], responseDays: 10 }),
    historyLimit: 20,
  });
  expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toEqual({ ok: true, status: 'PUBLISHED' });
  const publishedAt = Date.parse((await sys.call('GET', `/v1/notices/${id}`, { key: it_ })).body.publishedAt);

  // Three rounds of answers sent all at once; the history passes the limit while some are in flight.
  // ES answers finally in the first round; the others send interim answers only.
  const sent: string[] = [];
  const answer = (key: string, final: boolean) => {
    const responseId = crypto.randomUUID();
    sent.push(responseId);
    return viaWorkflow.respond(sys, key, id, { outcome: 'NO_ASSETS_FOUND', final }, responseId);
  };
  for (let round = 0; round < 3; round++) {
    const batch = await Promise.all([
      answer(fr, false),
      answer(de, false),
      answer(gb, false),
      round === 0 ? answer(es, true) : answer(fr, false),
    ]);
    expect(batch).toEqual([TAKEN, TAKEN, TAKEN, TAKEN]);
  }
  // Every update was answered by the run that took it in, and each answer is in the record once.
  const rows = await sys.db.prisma.response.findMany({ where: { noticeId: id } });
  expect(rows.map((r) => r.id).sort()).toEqual([...sent].sort());
  expect(new Set(sent).size).toBe(12);

  // The workflow did continue as new, more than once: the first run ends with ContinuedAsNew.
  const chain = await runChain(sys, id, firstRunId);
  expect(chain.length).toBeGreaterThanOrEqual(3);
  expect(chain.slice(0, -1).map((r) => r.lastEvent)).toEqual(Array(chain.length - 1).fill(CONTINUED));
  const described = await wf(id).describe();
  expect(described.runId).not.toBe(firstRunId);
  expect(described.runId).toBe(chain[chain.length - 1].runId);
  expect(described.status.name).toBe('RUNNING');

  // The current run still knows who owes a final answer.
  expect(await wf(id).query('progress')).toMatchObject({ status: 'PUBLISHED', pendingFinal: ['DE', 'FR', 'GB'] });

  // The timers set in the first run still fire, on time, in a later run: reminder at day 8...
  await sys.env.sleep(8 * DAY + 60_000);
  expect(
    await eventually(
      () => notificationsOf(sys, id, 'REMINDER'),
      (n) => n.length > 0,
      'reminders',
    ),
  ).toEqual(['REMINDER:DE', 'REMINDER:FR', 'REMINDER:GB']);
  const reminder = await sys.db.prisma.notification.findFirstOrThrow({ where: { noticeId: id, type: 'REMINDER' } });
  expect(reminder.at.getTime() - (publishedAt + 8 * DAY)).toBeGreaterThanOrEqual(0);
  expect(reminder.at.getTime() - (publishedAt + 8 * DAY)).toBeLessThan(60_000);

  // ...and OVERDUE at day 10.
  await sys.env.sleep(2 * DAY);
  expect(
    await eventually(
      () => notificationsOf(sys, id, 'OVERDUE'),
      (n) => n.length > 0,
      'overdue',
    ),
  ).toEqual(['OVERDUE:DE', 'OVERDUE:FR', 'OVERDUE:GB']);

  // Late final answers, in more runs, complete it.
  for (const key of [fr, de, gb]) expect(await viaWorkflow.respond(sys, key, id, { outcome: 'NO_ASSETS_FOUND' })).toEqual(TAKEN);
  expect(await outcome(sys, id)).toBe('COMPLETED');
  expect(await statusOf(sys, id)).toBe('COMPLETED');

  // Nothing was done twice across runs.
  const audit = await auditTypes(sys, id);
  expect(audit.filter((t) => t === 'PUBLISHED')).toHaveLength(1);
  expect(audit.filter((t) => t === 'REMINDERS_SENT')).toHaveLength(1);
  expect(audit.filter((t) => t === 'OVERDUE')).toHaveLength(1);
  expect(audit.filter((t) => t === 'RESPONSE')).toHaveLength(15);
  expect(audit[audit.length - 1]).toBe('COMPLETED');
  expect(await sys.db.prisma.response.count({ where: { noticeId: id, late: true } })).toBe(3);
});

test('the four-eyes count and the clarification window survive a new run', async () => {
  const before = await usage(sys, it_, 'IT');
  const { id, firstRunId } = await submitWithHistoryLimit(sys, {
    key: it_,
    country: 'IT',
    body: flaggedRequest({ recipients: ['FR'] }),
    historyLimit: 8,
  });

  // The first approval takes the history past the limit: the next run must remember it.
  expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toEqual({ ok: true, status: 'UNDER_REVIEW' });
  await eventually(
    () => runChain(sys, id, firstRunId),
    (c) => c.length >= 2,
    'a second run',
  );
  expect(await wf(id).query('progress')).toMatchObject({ status: 'UNDER_REVIEW', approvalsRequired: 2, approvals: [expect.any(String)] });
  expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toMatchObject({
    ok: false,
    refused: 'CONFLICT',
    message: expect.stringMatching(/different reviewer/),
  });

  // A clarification request, then another new run while the window is open.
  expect(await viaWorkflow.decide(sys, reviewer2, id, 'REQUEST_CLARIFICATION', 'Explain the political link')).toEqual({
    ok: true,
    status: 'CLARIFICATION_REQUESTED',
  });
  const askedAt = (
    await sys.db.prisma.decision.findFirstOrThrow({ where: { noticeId: id, decision: 'REQUEST_CLARIFICATION' } })
  ).at.getTime();
  const chain = await eventually(
    () => runChain(sys, id, firstRunId),
    (c) => c.length >= 3,
    'a run started after the clarification request',
  );
  expect(chain.slice(0, -1).every((r) => r.lastEvent === CONTINUED)).toBe(true);
  expect(await wf(id).query('progress')).toMatchObject({ status: 'CLARIFICATION_REQUESTED' });

  await sys.env.sleep('29 days');
  expect(await statusOf(sys, id)).toBe('CLARIFICATION_REQUESTED');
  expect(await wf(id).result()).toBe('LAPSED');
  const row = await sys.db.prisma.notice.findUniqueOrThrow({ where: { id } });
  expect(row.closedAt!.getTime() - (askedAt + 30 * DAY)).toBeGreaterThanOrEqual(0);
  expect(row.closedAt!.getTime() - (askedAt + 30 * DAY)).toBeLessThan(60_000);
  expect(await usage(sys, it_, 'IT')).toBe(before);
});

test('a later run closes the request properly: a withdrawal racing an answer, recipients told, quota kept', async () => {
  const { id, firstRunId } = await submitWithHistoryLimit(sys, {
    key: it_,
    country: 'IT',
    body: freshRequest({ recipients: ['FR', 'ES', 'DE'] }),
    historyLimit: 30,
  });
  expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toEqual({ ok: true, status: 'PUBLISHED' });
  const used = await usage(sys, it_, 'IT');
  expect(await viaWorkflow.respond(sys, fr, id, { outcome: 'NO_ASSETS_FOUND', final: false })).toEqual(TAKEN);
  expect(await viaWorkflow.respond(sys, es, id, { outcome: 'NO_ASSETS_FOUND', final: false })).toEqual(TAKEN);
  await eventually(
    () => runChain(sys, id, firstRunId),
    (c) => c.length >= 2,
    'a second run',
  );

  // The withdrawal and an answer arrive together: the answer is either taken before the closing or refused.
  const [answer, withdrawal] = await Promise.all([
    viaWorkflow.respond(sys, de, id, { outcome: 'NO_ASSETS_FOUND' }),
    viaWorkflow.withdraw(sys, it_, id, 'Settled'),
  ]);
  expect(withdrawal).toEqual({ ok: true, status: 'WITHDRAWN' });
  expect(['PUBLISHED', 'CONFLICT']).toContain(said(answer));
  expect(await sys.db.prisma.response.count({ where: { noticeId: id } })).toBe(answer.ok ? 3 : 2);
  expect(await outcome(sys, id)).toBe('WITHDRAWN');
  expect(await notificationsOf(sys, id, 'WITHDRAWN')).toEqual(['WITHDRAWN:DE', 'WITHDRAWN:ES', 'WITHDRAWN:FR']);
  expect(await usage(sys, it_, 'IT')).toBe(used);
  const event = await sys.db.prisma.auditEvent.findFirstOrThrow({ where: { noticeId: id, type: 'WITHDRAWN' } });
  expect(event.data).toMatchObject({ quotaReleased: false, recipientsNotified: 3 });
  const chain = await runChain(sys, id, firstRunId);
  expect(chain.slice(0, -1).every((r) => r.lastEvent === CONTINUED)).toBe(true);
  expect(chain[chain.length - 1].lastEvent).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
});

test("a recipient's own deadline and a blocking survive a new run", async () => {
  const { id, firstRunId } = await submitWithHistoryLimit(sys, {
    key: it_,
    country: 'IT',
    body: freshRequest({ recipients: ['FR', 'ES', 'DE'], responseDays: 10 }),
    historyLimit: 30,
  });
  expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toEqual({ ok: true, status: 'PUBLISHED' });
  const due = (await sys.db.prisma.recipient.findFirstOrThrow({ where: { noticeId: id, country: 'FR' } })).dueAt.getTime();
  expect(await viaWorkflow.delay(sys, fr, id, due + 20 * DAY)).toEqual({ ok: true, status: 'PUBLISHED' });
  expect(await viaWorkflow.block(sys, ccf, id)).toEqual({ ok: true, status: 'PUBLISHED' });
  // Refused updates leave no events, so the history grows by lifting and blocking again until the run rolls over.
  for (let i = 0; i < 4; i++) {
    expect(await viaWorkflow.decideBlocking(sys, ccf, id, 'DISMISSED')).toEqual({ ok: true, status: 'PUBLISHED' });
    expect(await viaWorkflow.block(sys, ccf, id)).toEqual({ ok: true, status: 'PUBLISHED' });
  }
  await eventually(
    () => runChain(sys, id, firstRunId),
    (c) => c.length >= 2,
    'a second run',
  );
  expect(await wf(id).query('progress')).toMatchObject({ blocked: true, ownDeadlines: ['FR'] });

  // Still blocked in the new run: no clock runs.
  await sys.env.sleep(15 * DAY);
  expect(await notificationsOf(sys, id, 'REMINDER')).toEqual([]);
  expect(await viaWorkflow.decideBlocking(sys, ccf, id, 'DISMISSED')).toEqual({ ok: true, status: 'PUBLISHED' });
  const moved = await sys.db.prisma.recipient.findMany({ where: { noticeId: id }, orderBy: { country: 'asc' } });
  // FR's own deadline moved on like the others'.
  const deDue = moved.find((r) => r.country === 'DE')!.dueAt.getTime();
  expect(moved.find((r) => r.country === 'FR')!.dueAt.getTime() - deDue).toBe(20 * DAY);
  await sys.env.sleep(deDue - (await sys.env.currentTimeMs()) + 60_000);
  expect(
    await eventually(
      () => notificationsOf(sys, id, 'OVERDUE'),
      (n) => n.length >= 2,
      'OVERDUE for DE and ES',
    ),
  ).toEqual(['OVERDUE:DE', 'OVERDUE:ES']);
});
