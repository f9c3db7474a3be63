/**
 * The published half of a request's life on the real time-skipping Temporal server: the reminder
 * at 80% of the response period, OVERDUE at the due date, interim and late answers, completion,
 * expiry after five years, and cancellation by a reviewer. Time is moved with `env.sleep`, or by
 * awaiting the workflow's result (which lets the server skip to the next timer). Answers and
 * cancellations are sent to the request's workflow as updates through the Temporal client
 * (`viaWorkflow`); HTTP is used only to read what a caller sees (views, feeds, refusals by role).
 */
import { startTestSystem, type TestSystem } from '../support/system';
import {
  assetsLocatedIn,
  auditTypes,
  eventually,
  expectEveryActionRefused,
  freshRequest,
  notificationsOf,
  outcome,
  publishScreened,
  statusOf,
  usage,
  viaWorkflow,
} from '../support/helpers';

let sys: TestSystem;
let it_: string, fr: string, es: string, de: string, reviewer: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE'], 400);
  [it_, fr, es, de, reviewer] = await sys.keys('IT', 'FR', 'ES', 'DE', 'REVIEWER');
});
afterAll(() => sys?.stop());

const DAY = 86_400_000;
const wf = (id: string) => sys.env.client.workflow.getHandle(id);
const view = async (id: string, key: string) => (await sys.call('GET', `/v1/notices/${id}`, { key })).body;
/** The answer to an update the workflow took in: the request stays PUBLISHED (completion follows in the workflow's loop). */
const TAKEN = { ok: true, status: 'PUBLISHED' };
const recipientStatuses = async (id: string) =>
  Object.fromEntries((await sys.db.prisma.recipient.findMany({ where: { noticeId: id } })).map((r) => [r.country, r.status]));

test('reminder at 80% to those without a final answer, OVERDUE at the due date, late answers accepted, then COMPLETED', async () => {
  const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES', 'DE'], responseDays: 10 }));
  const publishedAt = Date.parse((await view(id, it_)).publishedAt);

  // FR answers finally at once; ES sends an interim answer only; DE is silent.
  expect(await viaWorkflow.respond(sys, fr, id, assetsLocatedIn('FR', 'REAL_ESTATE', 750000))).toEqual(TAKEN);
  expect((await view(id, fr)).recipients).toEqual([expect.objectContaining({ country: 'FR', status: 'RESPONDED' })]);
  expect(await viaWorkflow.respond(sys, es, id, { outcome: 'NO_ASSETS_FOUND', final: false })).toEqual(TAKEN);
  expect((await view(id, es)).recipients).toEqual([
    expect.objectContaining({ country: 'ES', status: 'RESPONDED', final: false, respondedAt: expect.any(String) }),
  ]);
  expect(await wf(id).query('progress')).toMatchObject({ status: 'PUBLISHED', pendingFinal: ['DE', 'ES'] });

  // Day 7.9: nothing yet.
  await sys.env.sleep(7.9 * DAY);
  expect(await notificationsOf(sys, id, 'REMINDER')).toEqual([]);

  // Day 8 (80% of 10 days): a reminder to DE and ES, not to FR.
  await sys.env.sleep(0.2 * DAY);
  expect(
    await eventually(
      () => notificationsOf(sys, id, 'REMINDER'),
      (n) => n.length > 0,
      'reminders',
    ),
  ).toEqual(['REMINDER:DE', 'REMINDER:ES']);
  const reminded = await sys.db.prisma.notification.findFirstOrThrow({ where: { noticeId: id, type: 'REMINDER' } });
  expect(reminded.at.getTime() - (publishedAt + 8 * DAY)).toBeGreaterThanOrEqual(0);
  expect(reminded.at.getTime() - (publishedAt + 8 * DAY)).toBeLessThan(0.2 * DAY);
  expect(await recipientStatuses(id)).toEqual({ FR: 'RESPONDED', ES: 'RESPONDED', DE: 'PENDING' });
  const feed = await sys.call('GET', '/v1/notifications', { key: de });
  expect(feed.body.items.filter((n: any) => n.noticeId === id).map((n: any) => n.type)).toEqual(['PUBLISHED', 'REMINDER']);

  // Day 10: the due date passes; DE and ES become OVERDUE and are told so.
  await sys.env.sleep(2 * DAY);
  expect(
    await eventually(
      () => notificationsOf(sys, id, 'OVERDUE'),
      (n) => n.length > 0,
      'overdue notifications',
    ),
  ).toEqual(['OVERDUE:DE', 'OVERDUE:ES']);
  expect(
    await eventually(
      () => recipientStatuses(id),
      (r) => r.DE === 'OVERDUE',
    ),
  ).toEqual({ FR: 'RESPONDED', ES: 'OVERDUE', DE: 'OVERDUE' });
  const asRequester = await view(id, it_);
  expect(asRequester.status).toBe('PUBLISHED');
  expect(asRequester.recipients.map((r: any) => `${r.country}:${r.status}`)).toEqual(['DE:OVERDUE', 'ES:OVERDUE', 'FR:RESPONDED']);

  // A late answer is still taken, marked late, and the recipient counts as having answered.
  expect(await viaWorkflow.respond(sys, de, id, { outcome: 'UNABLE_TO_ASSIST', reason: 'Registers unavailable' })).toEqual(TAKEN);
  expect((await view(id, de)).recipients).toEqual([expect.objectContaining({ country: 'DE', status: 'RESPONDED' })]);
  expect(await statusOf(sys, id)).toBe('PUBLISHED');

  // The last final answer completes it.
  expect(await viaWorkflow.respond(sys, es, id, assetsLocatedIn('ES', 'VESSEL', 1200000))).toEqual(TAKEN);
  expect(await outcome(sys, id)).toBe('COMPLETED');

  const responses = await sys.call('GET', `/v1/notices/${id}/responses`, { key: it_ });
  expect(responses.body.items.map((r: any) => `${r.country}:${r.final}:${r.late}`)).toEqual([
    'FR:true:false',
    'ES:false:false',
    'DE:true:true',
    'ES:true:true',
  ]);
  const done = await view(id, it_);
  expect(done.status).toBe('COMPLETED');
  expect(done.findings).toEqual({ assetsLocated: 2, byCategory: { REAL_ESTATE: 1, VESSEL: 1 }, estimatedValue: { EUR: 1950000 } });
  expect(await notificationsOf(sys, id, 'RESPONSE_RECEIVED')).toEqual(Array(4).fill('RESPONSE_RECEIVED:IT'));
  expect(await auditTypes(sys, id)).toEqual([
    'SUBMITTED',
    'SCREENED',
    'DECISION',
    'PUBLISHED',
    'RESPONSE',
    'RESPONSE',
    'REMINDERS_SENT',
    'OVERDUE',
    'RESPONSE',
    'RESPONSE',
    'COMPLETED',
  ]);
  await expectEveryActionRefused(sys, id, { requester: it_, reviewer, recipient: fr });
});

test('interim answers do not complete a request; the final ones do', async () => {
  const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'DE'] }));
  for (const key of [fr, de, fr])
    expect(await viaWorkflow.respond(sys, key, id, { outcome: 'NO_ASSETS_FOUND', final: false })).toEqual(TAKEN);
  // The workflow has taken every interim answer in (each update returns once it has), and still waits on both.
  expect(await wf(id).query('progress')).toMatchObject({ status: 'PUBLISHED', pendingFinal: ['DE', 'FR'] });
  // Both are answering: RESPONDED, but not finally.
  expect(await recipientStatuses(id)).toEqual({ FR: 'RESPONDED', DE: 'RESPONDED' });
  expect((await sys.db.prisma.recipient.findMany({ where: { noticeId: id } })).map((r) => r.final)).toEqual([false, false]);

  expect(await viaWorkflow.respond(sys, fr, id, { outcome: 'NO_ASSETS_FOUND' })).toEqual(TAKEN);
  expect(await wf(id).query('progress')).toMatchObject({ status: 'PUBLISHED', pendingFinal: ['DE'] });
  expect(await statusOf(sys, id)).toBe('PUBLISHED');

  expect(await viaWorkflow.respond(sys, de, id, { outcome: 'NO_ASSETS_FOUND' })).toEqual(TAKEN);
  expect(await waitForFinal(id)).toBe('COMPLETED');
  expect(await sys.db.prisma.response.count({ where: { noticeId: id } })).toBe(5);
  expect(await notificationsOf(sys, id, 'REMINDER')).toEqual([]);
});

test('no answer ever: reminder, overdue, then EXPIRED five years after publication; the quota stays used', async () => {
  const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  const published = await view(id, it_);
  const used = await usage(sys, it_, 'IT');
  expect(await viaWorkflow.respond(sys, fr, id, { outcome: 'NO_ASSETS_FOUND', final: false })).toEqual(TAKEN);

  // Awaiting the result lets the server skip through every timer up to the expiry.
  expect(await wf(id).result()).toBe('EXPIRED');
  const row = await sys.db.prisma.notice.findUniqueOrThrow({ where: { id } });
  expect(row.status).toBe('EXPIRED');
  expect(row.expiresAt!.toISOString()).toBe(published.expiresAt);
  expect(row.closedAt!.getTime() - row.expiresAt!.getTime()).toBeGreaterThanOrEqual(0);
  expect(row.closedAt!.getTime() - row.expiresAt!.getTime()).toBeLessThan(60_000);
  // Expiry does not give the quota back.
  expect(await usage(sys, it_, 'IT')).toBe(used);
  const expired = await sys.db.prisma.auditEvent.findFirstOrThrow({ where: { noticeId: id, type: 'EXPIRED' } });
  expect(expired.data).toMatchObject({ quotaReleased: false });
  expect(await auditTypes(sys, id)).toEqual([
    'SUBMITTED',
    'SCREENED',
    'DECISION',
    'PUBLISHED',
    'RESPONSE',
    'REMINDERS_SENT',
    'OVERDUE',
    'REASSESSMENT_DUE',
    'EXPIRED',
  ]);
  expect(await notificationsOf(sys, id)).toEqual([
    'DECISION:IT',
    // Recipients must delete an expired request: they are told.
    'EXPIRED:ES',
    'EXPIRED:FR',
    'OVERDUE:ES',
    'OVERDUE:FR',
    'PUBLISHED:ES',
    'PUBLISHED:FR',
    'REASSESSMENT_DUE:IT',
    'REMINDER:ES',
    'REMINDER:FR',
    'RESPONSE_RECEIVED:IT',
  ]);
  // A recipient still sees it, in its final state.
  expect((await sys.call('GET', `/v1/notices/${id}`, { key: es })).body.status).toBe('EXPIRED');
  await expectEveryActionRefused(sys, id, { requester: it_, reviewer, recipient: es });
});

test('a reviewer cancels a published request: CANCELLED to every recipient', async () => {
  const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES', 'DE'] }));
  const used = await usage(sys, it_, 'IT');
  expect(await viaWorkflow.respond(sys, fr, id, assetsLocatedIn('FR'))).toEqual(TAKEN);
  // Not the requester's to do: the services refuse it before it reaches the workflow, as a caller sees it.
  expect((await sys.call('POST', `/v1/notices/${id}/cancellation`, { key: it_, body: { reason: 'x' } })).status).toBe(403);

  expect(await viaWorkflow.cancel(sys, reviewer, id, 'The CCF found the data unlawful', ['ARTICLE_2'])).toEqual({
    ok: true,
    status: 'CANCELLED',
  });
  expect(await outcome(sys, id)).toBe('CANCELLED');
  expect(await notificationsOf(sys, id, 'CANCELLED')).toEqual(['CANCELLED:DE', 'CANCELLED:ES', 'CANCELLED:FR']);
  const event = await sys.db.prisma.auditEvent.findFirstOrThrow({ where: { noticeId: id, type: 'CANCELLED' } });
  expect(event).toMatchObject({ actorRole: 'REVIEWER', data: expect.objectContaining({ grounds: ['ARTICLE_2'], recipientsNotified: 3 }) });
  // The reason is free text: kept with the request, never in the audit trail.
  expect(JSON.stringify(event.data)).not.toContain('CCF');
  const closed = await sys.call('GET', `/v1/notices/${id}`, { key: reviewer });
  expect(closed.body.closure).toEqual({ at: expect.any(String), reason: 'The CCF found the data unlawful', grounds: ['ARTICLE_2'] });
  expect(await usage(sys, it_, 'IT')).toBe(used);
  // Its timers are gone with it: no reminder ever follows.
  await sys.env.sleep('40 days');
  expect(await notificationsOf(sys, id, 'REMINDER')).toEqual([]);
  await expectEveryActionRefused(sys, id, { requester: it_, reviewer, recipient: de });
});

test('a NOTICE goes to the 195 other member countries with an SN reference (or to the participants when the pilot says so)', async () => {
  const id = await publishScreened(sys, it_, reviewer, freshRequest({ kind: 'NOTICE', recipients: undefined }));
  const v = await view(id, it_);
  expect(v.reference).toMatch(/^SN-\d{4}-\d{6}$/);
  expect(v.recipients).toHaveLength(195);
  expect(v.recipients.map((r: any) => r.country)).not.toContain('IT');
  const countries = await sys.db.prisma.country.findMany({ select: { code: true } });
  expect(countries).toHaveLength(196);
  expect(v.recipients.map((r: any) => r.country)).toEqual(
    countries
      .map((c) => c.code)
      .filter((c) => c !== 'IT')
      .sort(),
  );
  expect(await sys.db.prisma.notification.count({ where: { noticeId: id, type: 'PUBLISHED' } })).toBe(195);
  expect(await wf(id).query('progress')).toMatchObject({ pendingFinal: expect.arrayContaining(['FR', 'US', 'ZW']) });
  expect(((await wf(id).query('progress')) as any).pendingFinal).toHaveLength(195);

  await sys.pilot(['IT', 'FR', 'ES', 'DE'], 400, true);
  try {
    const limited = await publishScreened(sys, it_, reviewer, freshRequest({ kind: 'NOTICE', recipients: undefined }));
    expect((await view(limited, it_)).recipients.map((r: any) => r.country)).toEqual(['DE', 'ES', 'FR']);
    expect(await notificationsOf(sys, limited, 'PUBLISHED')).toEqual(['PUBLISHED:DE', 'PUBLISHED:ES', 'PUBLISHED:FR']);
  } finally {
    await sys.pilot(['IT', 'FR', 'ES', 'DE'], 400, false);
  }
});

/** The request's final state once its workflow has closed it (the last answer's call returns first). */
async function waitForFinal(id: string): Promise<string> {
  return eventually(
    () => statusOf(sys, id),
    (s) => s !== 'PUBLISHED',
    `request ${id} to leave PUBLISHED`,
  );
}
