/**
 * A Silver Notice to every other member country, answered by all 195 of them at the same moment:
 * each answer is recorded exactly once, with its located assets, and the request completes once.
 * The answers are sent to the request's workflow as updates through the Temporal client; one of
 * them goes through the API with an Idempotency-Key, so that what a caller retrying it after
 * completion sees is checked too.
 */
import crypto from 'node:crypto';
import { startTestSystem, type TestSystem } from '../support/system';
import { auditTypes, eventually, freshRequest, notificationsOf, outcome, publishScreened, statusOf, viaWorkflow } from '../support/helpers';

let sys: TestSystem;
let it_: string, reviewer: string;
const ncb = new Map<string, string>();

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE']);
  [it_, reviewer] = await Promise.all([sys.key('NCB', 'IT'), sys.key('REVIEWER')]);
  const countries = (await sys.db.prisma.country.findMany({ select: { code: true } })).map((c) => c.code).filter((c) => c !== 'IT');
  for (const [c, k] of await Promise.all(countries.map(async (c) => [c, await sys.key('NCB', c)] as const))) ncb.set(c, k);
});
afterAll(() => sys?.stop());

type Answer = NonNullable<Parameters<typeof viaWorkflow.respond>[3]>;

/** Every third country locates two assets, every third one cannot assist, the rest find nothing. */
function answerOf(country: string, i: number): Answer {
  if (i % 3 === 0) {
    return {
      outcome: 'ASSETS_LOCATED',
      assets: [
        { category: 'BANK_ACCOUNT', description: 'Account', location: { country }, estimatedValue: { amount: 1000, currency: 'EUR' } },
        { category: 'VEHICLE', description: 'Car', location: { country }, estimatedValue: { amount: 500, currency: 'USD' } },
      ],
    };
  }
  if (i % 3 === 1) return { outcome: 'UNABLE_TO_ASSIST', reason: 'No legal basis for a register search' };
  return { outcome: 'NO_ASSETS_FOUND' };
}

test('195 recipients answering at once are each recorded exactly once, and the notice completes once', async () => {
  const id = await publishScreened(sys, it_, reviewer, freshRequest({ kind: 'NOTICE', recipients: undefined }));
  const view = (await sys.call('GET', `/v1/notices/${id}`, { key: it_ })).body;
  expect(view.reference).toMatch(/^SN-\d{4}-\d{6}$/);
  const recipients: string[] = view.recipients.map((r: any) => r.country);
  expect(recipients).toHaveLength(195);
  expect([...ncb.keys()].sort()).toEqual(recipients);

  // 195 answers at once, and for twenty of them the same answer again (same response id) at the same
  // time, each sent right after its first. The last recipient answers through the API with an
  // Idempotency-Key (checked below).
  const last = recipients[recipients.length - 1];
  const responseIds = new Map(recipients.map((c) => [c, crypto.randomUUID()]));
  const sent = recipients.slice(0, -1).flatMap((c, i) => {
    const send = () => viaWorkflow.respond(sys, ncb.get(c)!, id, answerOf(c, i), responseIds.get(c)!);
    return i < 20 ? [send(), send()] : [send()];
  });
  const viaApi = sys.call('POST', `/v1/notices/${id}/responses`, {
    key: ncb.get(last)!,
    body: answerOf(last, recipients.length - 1),
    headers: { 'Idempotency-Key': `answer-${last}` },
  });
  const results = await Promise.all(sent);
  // Every update was taken in, repeats included (a repeat of a recorded answer writes nothing).
  expect(results).toEqual(Array(214).fill({ ok: true, status: 'PUBLISHED' }));
  expect((await viaApi).status).toBe(201);

  expect(
    await eventually(
      () => statusOf(sys, id),
      (s) => s !== 'PUBLISHED',
      'completion',
    ),
  ).toBe('COMPLETED');
  expect(await outcome(sys, id)).toBe('COMPLETED');
  // A retry of an answer (its reply lost, say) still gets the first result after completion; a new answer is 409.
  const retry = await sys.call('POST', `/v1/notices/${id}/responses`, {
    key: ncb.get(last)!,
    body: answerOf(last, recipients.length - 1),
    headers: { 'Idempotency-Key': `answer-${last}` },
  });
  expect(retry.status).toBe(201);
  expect(retry.body.status).toBe('COMPLETED');
  expect(retry.headers.get('x-response-id')).toBe((await viaApi).headers.get('x-response-id'));
  const another = await sys.call('POST', `/v1/notices/${id}/responses`, {
    key: ncb.get(last)!,
    body: { outcome: 'NO_ASSETS_FOUND' },
    headers: { 'Idempotency-Key': 'another' },
  });
  expect(another.status).toBe(409);

  const perCountry = await sys.db.prisma.response.groupBy({ by: ['country'], where: { noticeId: id }, _count: { _all: true } });
  expect(perCountry).toHaveLength(195);
  expect(perCountry.filter((r) => r._count._all !== 1)).toEqual([]);
  expect(await sys.db.prisma.response.count({ where: { noticeId: id, final: true, late: false } })).toBe(195);
  // Each answer sent through the workflow is recorded under the id it was sent with.
  const recorded = await sys.db.prisma.response.findMany({
    where: { noticeId: id, country: { not: last } },
    select: { id: true, country: true },
  });
  expect(Object.fromEntries(recorded.map((r) => [r.country, r.id]))).toEqual(
    Object.fromEntries([...responseIds].filter(([c]) => c !== last)),
  );

  const locating = recipients.filter((_c, i) => i % 3 === 0);
  const assets = await sys.db.prisma.locatedAsset.groupBy({ by: ['country'], where: { noticeId: id }, _count: { _all: true } });
  expect(assets.map((a) => a.country).sort()).toEqual(locating);
  expect(assets.filter((a) => a._count._all !== 2)).toEqual([]);
  expect(await sys.db.prisma.recipient.count({ where: { noticeId: id, status: 'RESPONDED', respondedAt: { not: null } } })).toBe(195);

  const final = await sys.call('GET', `/v1/notices/${id}`, { key: it_ });
  expect(final.body.status).toBe('COMPLETED');
  expect(final.body.findings).toEqual({
    assetsLocated: 2 * locating.length,
    byCategory: { BANK_ACCOUNT: locating.length, VEHICLE: locating.length },
    estimatedValue: { EUR: 1000 * locating.length, USD: 500 * locating.length },
  });

  expect(await notificationsOf(sys, id, 'RESPONSE_RECEIVED')).toEqual(Array(195).fill('RESPONSE_RECEIVED:IT'));
  const audit = await auditTypes(sys, id);
  expect(audit.filter((t) => t === 'RESPONSE')).toHaveLength(195);
  expect(audit.filter((t) => t === 'COMPLETED')).toHaveLength(1);
  expect(audit[audit.length - 1]).toBe('COMPLETED');

  // Answers that arrived while others were being written went together: fewer writes than answers,
  // none on the one-at-a-time path. The writes are local activities, each a marker in the history.
  const events = (await sys.env.client.workflow.getHandle(id).fetchHistory()).events!;
  const localSteps = events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    return [JSON.parse(Buffer.from(marker.details!.data!.payloads![0].data!).toString()).activity_type as string];
  });
  expect(events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [])).toEqual([]);
  expect(localSteps).not.toContain('recordResponse');
  const writes = localSteps.filter((t) => t === 'recordResponses');
  expect(writes.length).toBeGreaterThan(0);
  expect(writes.length).toBeLessThan(100);
});
