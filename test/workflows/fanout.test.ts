/**
 * A Silver Notice to every other member country, answered by all 195 of them at the same moment:
 * each answer is recorded exactly once, with its located assets, and the request completes once.
 */
import { startTestSystem, type TestSystem } from '../support/system';
import { auditTypes, eventually, notificationsOf, outcome, publish, request, respond, statusOf } from './helpers';

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

/** Every third country locates two assets, every third one cannot assist, the rest find nothing. */
function answerOf(country: string, i: number): Record<string, unknown> {
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
  const { id, view } = await publish(sys, it_, reviewer, request({ kind: 'NOTICE', recipients: undefined }));
  expect(view.reference).toMatch(/^SN-\d{4}-\d{6}$/);
  const recipients: string[] = view.recipients.map((r: any) => r.country);
  expect(recipients).toHaveLength(195);
  expect([...ncb.keys()].sort()).toEqual(recipients);

  // 195 answers at once, and for twenty of them the same answer again (same Idempotency-Key) at the same time.
  const calls = recipients.map((c, i) => respond(sys, ncb.get(c)!, id, answerOf(c, i), { 'Idempotency-Key': `answer-${c}` }));
  const repeats = recipients
    .slice(0, 20)
    .map((c, i) => respond(sys, ncb.get(c)!, id, answerOf(c, i), { 'Idempotency-Key': `answer-${c}` }));
  const results = await Promise.all([...calls, ...repeats]);
  expect(results.map((r) => r.status)).toEqual(Array(215).fill(201));
  // A repeat that was sent on to the workflow (its first was still in flight) carries the first one's response id.
  for (let i = 0; i < 20; i++) {
    const [first, repeat] = [results[i].headers.get('x-response-id'), results[195 + i].headers.get('x-response-id')];
    if (first && repeat) expect(repeat).toBe(first);
  }

  expect(
    await eventually(
      () => statusOf(sys, id),
      (s) => s !== 'PUBLISHED',
      'completion',
    ),
  ).toBe('COMPLETED');
  expect(await outcome(sys, id)).toBe('COMPLETED');
  // A retry of the answer that completed it (its reply lost, say) still gets the first result; a new answer is 409.
  const last = recipients[recipients.length - 1];
  const retry = await respond(sys, ncb.get(last)!, id, answerOf(last, recipients.length - 1), { 'Idempotency-Key': `answer-${last}` });
  expect(retry.status).toBe(201);
  expect(retry.body.status).toBe('COMPLETED');
  expect((await respond(sys, ncb.get(last)!, id, { outcome: 'NO_ASSETS_FOUND' }, { 'Idempotency-Key': 'another' })).status).toBe(409);

  const perCountry = await sys.db.prisma.response.groupBy({ by: ['country'], where: { noticeId: id }, _count: { _all: true } });
  expect(perCountry).toHaveLength(195);
  expect(perCountry.filter((r) => r._count._all !== 1)).toEqual([]);
  expect(await sys.db.prisma.response.count({ where: { noticeId: id, final: true, late: false } })).toBe(195);

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
});
