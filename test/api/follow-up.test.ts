/**
 * After publication, on the real time-skipping Temporal server and the database: recipients
 * confirm deleting a request that ended WITHDRAWN, CANCELLED or EXPIRED (an expiry is announced to
 * them, and the retention sweep reminds once those that have not confirmed 30 scaled days later);
 * the requester records outcomes, read per role, summed in the pilot report.
 */
import { parse } from 'csv-parse/sync';
import {
  auditTypes,
  expectFieldErrors,
  expectProblem,
  failOnServerErrors,
  freshRequest,
  notificationsOf,
  publish,
} from '../support/helpers';
import { purgeRequest } from '../../records/retention';
import { startTestSystem, type TestSystem } from '../support/system';

/** A scaled day of two seconds: the 30 days before a reminder pass in a minute of workflow time. */
const DAY_SECONDS = 2;
const DAY = DAY_SECONDS * 1000;

let sys: TestSystem;
let it_: string, fr: string, es: string, de: string, reviewer: string, ccf: string;

beforeAll(async () => {
  sys = await startTestSystem({ daySeconds: DAY_SECONDS });
  await sys.pilot(['IT', 'FR', 'ES', 'DE'], 400);
  [it_, fr, es, de, reviewer, ccf] = await sys.keys('IT', 'FR', 'ES', 'DE', 'REVIEWER', 'CCF');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const view = async (key: string, id: string) => (await sys.call('GET', `/v1/notices/${id}`, { key })).body;
const confirm = (key: string, id: string, idempotencyKey?: string) =>
  sys.call('POST', `/v1/notices/${id}/deletion-confirmation`, {
    key,
    ...(idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}),
  });
const confirmations = async (id: string) =>
  Object.fromEntries(
    ((await view(it_, id)).recipients as { country: string; deletionConfirmedAt: string | null }[]).map((r) => [
      r.country,
      r.deletionConfirmedAt,
    ]),
  );
const report = async () => (await sys.call('GET', '/v1/reports/pilot', { key: reviewer })).body;
const outcome = (key: string, id: string, body: unknown, idempotencyKey?: string) =>
  sys.call('POST', `/v1/notices/${id}/outcomes`, {
    key,
    body,
    ...(idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}),
  });

test('a withdrawn request: each recipient confirms its deletion once; nobody else can', async () => {
  const before = (await report()).deletion;
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  // Not ended: nothing to delete yet.
  expect((await view(fr, id)).actions.map((a: { name: string }) => a.name)).not.toContain('CONFIRM_DELETION');
  expect((await confirm(fr, id)).body.code).toBe('WRONG_STATE');

  const withdrawn = await sys.call('POST', `/v1/notices/${id}/withdrawal`, { key: it_, body: { reason: 'No longer needed' } });
  expect(withdrawn.body.status).toBe('WITHDRAWN');
  expect(await notificationsOf(sys, id, 'WITHDRAWN')).toEqual(['WITHDRAWN:ES', 'WITHDRAWN:FR']);
  expect(await confirmations(id)).toEqual({ ES: null, FR: null });
  expect((await view(fr, id)).actions).toContainEqual({
    name: 'CONFIRM_DELETION',
    method: 'POST',
    href: `/v1/notices/${id}/deletion-confirmation`,
  });
  expect((await report()).deletion).toEqual({ awaiting: before.awaiting + 2, confirmed: before.confirmed });
  const toConfirm = async (key: string) =>
    ((await sys.call('GET', '/v1/work', { key })).body.items as { kind: string; noticeId: string; dueAt: string }[]).filter(
      (i) => i.kind === 'DELETION_TO_CONFIRM' && i.noticeId === id,
    );
  const [due] = await toConfirm(fr);
  // Due when the reminder goes: 30 scaled days after the end.
  expect(Date.parse(due.dueAt) - Date.parse(withdrawn.body.closure.at)).toBe(30 * DAY);
  expect(await toConfirm(it_)).toEqual([]);

  // The requester is no recipient; a country it was not sent to does not know it.
  const byRequester = await confirm(it_, id);
  expectProblem(byRequester, 403);
  expect(byRequester.body.code).toBe('NOT_RECIPIENT');
  expectProblem(await confirm(de, id), 404);
  expectProblem(await confirm(reviewer, id), 403);

  const done = await confirm(fr, id, 'confirm-fr');
  expect(done.status).toBe(200);
  const own = done.body.recipients.find((r: { country: string }) => r.country === 'FR');
  expect(Date.parse(own.deletionConfirmedAt)).toBeGreaterThan(Date.now() - 60_000);
  expect(done.body.actions.map((a: { name: string }) => a.name)).not.toContain('CONFIRM_DELETION');
  // The same Idempotency-Key again: the first answer, written once.
  const repeat = await confirm(fr, id, 'confirm-fr');
  expect(repeat.status).toBe(200);
  expect(repeat.body.recipients[0].deletionConfirmedAt).toBe(own.deletionConfirmedAt);
  expect((await auditTypes(sys, id)).filter((t) => t === 'DELETION_CONFIRMED')).toHaveLength(1);
  // A new attempt is refused: a confirmation is given once.
  const twice = await confirm(fr, id);
  expectProblem(twice, 409);
  expect(twice.body.code).toBe('ALREADY_CONFIRMED');

  expect(await confirmations(id)).toEqual({ ES: null, FR: own.deletionConfirmedAt });
  expect(await toConfirm(fr)).toEqual([]);
  expect(await toConfirm(es)).toHaveLength(1);
  expect((await report()).deletion).toEqual({ awaiting: before.awaiting + 1, confirmed: before.confirmed + 1 });
  const csv = await sys.call('GET', '/v1/reports/pilot', { key: reviewer, headers: { accept: 'text/csv' } });
  const [row] = parse((csv.body as string).replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
  expect([row['deletion.awaiting'], row['deletion.confirmed']]).toEqual([String(before.awaiting + 1), String(before.confirmed + 1)]);
});

test('outcomes: recorded by the requester once published, listed per role, refused when wrong, summed in the report', async () => {
  const before = (await report()).outcomes;
  const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  const id = published.id;
  const publishedOn = published.publishedAt.slice(0, 10);
  const first = publishedOn;

  const frozen = await outcome(
    it_,
    id,
    { measure: 'FROZEN', country: 'FR', value: { amount: 1000.5, currency: 'EUR' }, date: first, note: 'Account frozen by the court' },
    'outcome-1',
  );
  expect(frozen.status).toBe(201);
  expect(frozen.body).toEqual({
    id: expect.any(String),
    measure: 'FROZEN',
    country: 'FR',
    value: { amount: 1000.5, currency: 'EUR' },
    date: first,
    note: 'Account frozen by the court',
    at: expect.any(String),
  });
  const again = await outcome(
    it_,
    id,
    { measure: 'FROZEN', country: 'FR', value: { amount: 1000.5, currency: 'EUR' }, date: first, note: 'Account frozen by the court' },
    'outcome-1',
  );
  expect(again.status).toBe(201);
  expect(again.body.id).toBe(frozen.body.id);
  expect(await sys.db.prisma.outcome.count({ where: { noticeId: id } })).toBe(1);
  expect((await outcome(it_, id, { measure: 'SEIZED', country: 'ES', value: { amount: 200, currency: 'EUR' }, date: first })).status).toBe(
    201,
  );
  expect((await outcome(it_, id, { measure: 'FROZEN', country: 'ES', value: { amount: 300, currency: 'USD' }, date: first })).status).toBe(
    201,
  );
  expect((await outcome(it_, id, { measure: 'MLA_SENT', country: 'FR', date: first })).status).toBe(201);

  // Refused inputs: a country it was not sent to, an unknown currency, a date to come, an unknown measure.
  const notRecipient = await outcome(it_, id, { measure: 'FROZEN', country: 'DE', date: first });
  expectFieldErrors(notRecipient, 'country');
  expect(notRecipient.body.errors[0].code).toBe('NOT_A_RECIPIENT');
  const currency = await outcome(it_, id, { measure: 'FROZEN', country: 'FR', value: { amount: 1, currency: 'XYZ' }, date: first });
  expectFieldErrors(currency, 'value.currency');
  expect(currency.body.errors[0].code).toBe('CURRENCY');
  const future = await outcome(it_, id, {
    measure: 'FROZEN',
    country: 'FR',
    date: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10),
  });
  expectFieldErrors(future, 'date');
  expect(future.body.errors[0].code).toBe('IN_FUTURE');
  expectFieldErrors(await outcome(it_, id, { measure: 'BURNED', country: 'FR', date: first }), 'measure');
  // Only the requester records them; another country does not know the request.
  expect((await outcome(fr, id, { measure: 'FROZEN', country: 'FR', date: first })).body.code).toBe('NOT_REQUESTER');
  expectProblem(await outcome(reviewer, id, { measure: 'FROZEN', country: 'FR', date: first }), 403);
  expectProblem(await outcome(de, id, { measure: 'FROZEN', country: 'FR', date: first }), 404);
  // Not before publication.
  const { id: draft } = await sys.call('POST', '/v1/notices', { key: it_, body: freshRequest({ recipients: ['FR'] }) }).then((r) => r.body);
  expectProblem(await outcome(it_, draft, { measure: 'FROZEN', country: 'FR', date: first }), 409);

  const list = async (key: string) =>
    (await sys.call('GET', `/v1/notices/${id}/outcomes`, { key })).body.items as { country: string; measure: string }[];
  expect((await list(it_)).map((o) => `${o.measure}:${o.country}`).sort()).toEqual(['FROZEN:ES', 'FROZEN:FR', 'MLA_SENT:FR', 'SEIZED:ES']);
  expect(await list(reviewer)).toHaveLength(4);
  expect(await list(ccf)).toHaveLength(4);
  expect((await list(fr)).map((o) => o.measure).sort()).toEqual(['FROZEN', 'MLA_SENT']);
  expect((await list(es)).every((o) => o.country === 'ES')).toBe(true);
  expectProblem(await sys.call('GET', `/v1/notices/${id}/outcomes`, { key: de }), 404);

  // A second request whose first measure came 4 days after publication.
  const other = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const fourDaysBefore = new Date(Date.now() - 4 * 86_400_000).toISOString();
  await sys.db.prisma.notice.update({ where: { id: other.id }, data: { publishedAt: new Date(fourDaysBefore) } });
  const today = new Date().toISOString().slice(0, 10);
  expect(
    (await outcome(it_, other.id, { measure: 'CONFISCATED', country: 'FR', value: { amount: 50, currency: 'EUR' }, date: today })).status,
  ).toBe(201);

  const after = (await report()).outcomes;
  const added = (m: string, field: 'count' | string) =>
    field === 'count'
      ? (after.byMeasure[m]?.count ?? 0) - (before.byMeasure[m]?.count ?? 0)
      : (after.byMeasure[m]?.value[field] ?? 0) - (before.byMeasure[m]?.value[field] ?? 0);
  expect([added('FROZEN', 'count'), added('FROZEN', 'EUR'), added('FROZEN', 'USD')]).toEqual([2, 1000.5, 300]);
  expect([added('SEIZED', 'count'), added('SEIZED', 'EUR')]).toEqual([1, 200]);
  expect([added('MLA_SENT', 'count'), added('CONFISCATED', 'EUR')]).toEqual([1, 50]);
  expect(after.requestsWithOutcome - before.requestsWithOutcome).toBe(2);
  if (before.requestsWithOutcome === 0) {
    // Days to the first measure: 0 and 4 (the UTC date of publication to the outcome's date).
    const publishedDay = Date.parse(`${new Date(fourDaysBefore).toISOString().slice(0, 10)}T00:00:00Z`);
    const otherDays = (Date.parse(`${today}T00:00:00Z`) - publishedDay) / 86_400_000;
    expect(after.medianDaysToFirstMeasure).toBe((0 + otherDays) / 2);
  }

  // Retention erases the notes with the rest (its sweep is run in the expiry test below).
  expect((await sys.call('POST', `/v1/notices/${id}/withdrawal`, { key: it_, body: { reason: 'Done' } })).body.status).toBe('WITHDRAWN');
  // Ended after publication: what followed is still recorded.
  expect((await outcome(it_, id, { measure: 'RETURNED', country: 'FR', date: first, note: 'Returned to the victim' })).status).toBe(201);
  expect(await purgeRequest(sys.db.prisma, id, new Date())).toBe(true);
  const erased = await sys.db.prisma.outcome.findUniqueOrThrow({ where: { id: frozen.body.id } });
  expect(erased.note).toBeNull();
  expect(erased.measure).toBe('FROZEN');
});

test('an UPHELD complaint cancels the request: recipients are told and confirm the deletion', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  expect((await sys.call('POST', `/v1/notices/${id}/blocking`, { key: ccf, body: { reason: 'A complaint' } })).status).toBe(200);
  const decided = await sys.call('POST', `/v1/notices/${id}/blocking/decision`, {
    key: ccf,
    body: { outcome: 'UPHELD', reason: 'Founded' },
  });
  expect(decided.status).toBe(200);
  await sys.env.client.workflow.getHandle(id).result();
  expect(await notificationsOf(sys, id, 'CANCELLED')).toEqual(['CANCELLED:FR']);
  expect((await view(fr, id)).actions.map((a: { name: string }) => a.name)).toContain('CONFIRM_DELETION');
  expect((await confirm(fr, id)).status).toBe(200);
  expect(await confirmations(id)).toEqual({ FR: expect.any(String) });
});

test('an expiry is announced to every recipient; one that has not confirmed the deletion 30 days later is reminded, once', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  // Awaiting the result lets the server skip to the expiry.
  expect(await sys.env.client.workflow.getHandle(id).result()).toBe('EXPIRED');
  expect(await notificationsOf(sys, id, 'EXPIRED')).toEqual(['EXPIRED:ES', 'EXPIRED:FR']);
  expect(await confirmations(id)).toEqual({ ES: null, FR: null });
  expect((await confirm(es, id)).status).toBe(200);

  const closedAt = (await sys.db.prisma.notice.findUniqueOrThrow({ where: { id } })).closedAt!.getTime();
  await sys.services.workflows.startRetention();
  await sys.env.sleep(Math.max(0, closedAt + 28 * DAY - (await sys.env.currentTimeMs())));
  const reminded = async () => sys.db.prisma.notification.findMany({ where: { noticeId: id, type: 'DELETION_REMINDER' } });
  expect(await reminded()).toEqual([]);
  await sys.env.sleep(4 * DAY);
  for (let i = 0; i < 50 && (await reminded()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  const [reminder, ...more] = await reminded();
  expect({ country: reminder.country, more: more.length }).toEqual({ country: 'FR', more: 0 });
  expect(reminder.at.getTime() - closedAt).toBeGreaterThanOrEqual(30 * DAY);
  // Many sweeps later, still one.
  await sys.env.sleep(10 * DAY);
  expect(await notificationsOf(sys, id, 'DELETION_REMINDER')).toEqual(['DELETION_REMINDER:FR']);
  // A late confirmation is still taken.
  expect((await confirm(fr, id)).status).toBe(200);
});
