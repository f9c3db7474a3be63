/**
 * The review queue's orders: by urgency (URGENT_DIRECT, URGENT, NORMAL, each oldest first), by
 * submission (oldest first) and by the soonest deadline; pages follow each order, and a bad order
 * or another order's cursor is 400 with a code.
 */
import { expectProblem, failOnServerErrors, freshRequest, publish, submit, waitForStatus } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, reviewer: string;
/** Submitted in this order. */
const submitted: { id: string; urgency: string }[] = [];

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, reviewer] = await Promise.all([sys.key('NCB', 'IT'), sys.key('REVIEWER')]);
  for (const urgency of ['NORMAL', 'URGENT', 'URGENT_DIRECT', 'NORMAL', 'URGENT_DIRECT', 'URGENT']) {
    const { id } = await submit(sys, it_, freshRequest({ urgency, recipients: ['FR'] }));
    submitted.push({ id, urgency });
  }
  for (const { id } of submitted) await waitForStatus(sys, id, it_, 'UNDER_REVIEW');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const queue = async (query: string) => {
  const res = await sys.call('GET', `/v1/notices?status=UNDER_REVIEW&${query}`, { key: reviewer });
  expect(res.status).toBe(200);
  return res.body as { items: { id: string }[]; nextCursor: string | null };
};
const ids = (page: { items: { id: string }[] }) => page.items.map((n) => n.id);
const ofUrgency = (u: string) => submitted.filter((s) => s.urgency === u).map((s) => s.id);

test('sort=urgency: URGENT_DIRECT, then URGENT, then NORMAL, each oldest first, page after page', async () => {
  const expected = [...ofUrgency('URGENT_DIRECT'), ...ofUrgency('URGENT'), ...ofUrgency('NORMAL')];
  expect(ids(await queue('sort=urgency'))).toEqual(expected);
  const seen: string[] = [];
  let cursor: string | null = '';
  do {
    const page = await queue(`sort=urgency&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    seen.push(...ids(page));
    cursor = page.nextCursor;
  } while (cursor);
  expect(seen).toEqual(expected);
});

test('sort=submittedAt is oldest first; no sort, newest first', async () => {
  const oldestFirst = submitted.map((s) => s.id);
  expect(ids(await queue('sort=submittedAt'))).toEqual(oldestFirst);
  expect(ids(await queue(''))).toEqual([...oldestFirst].reverse());
});

test('sort=dueAt: the soonest deadline first, requests without one last', async () => {
  const normal = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const direct = await publish(sys, it_, reviewer, freshRequest({ urgency: 'URGENT_DIRECT', recipients: ['FR'] }));
  const res = await sys.call('GET', '/v1/notices?sort=dueAt&limit=2', { key: reviewer });
  expect(ids(res.body)).toEqual([direct.id, normal.id]);
  const rest = await sys.call('GET', `/v1/notices?sort=dueAt&limit=100&cursor=${encodeURIComponent(res.body.nextCursor)}`, {
    key: reviewer,
  });
  expect(ids(rest.body).sort()).toEqual(submitted.map((s) => s.id).sort());
});

test('a bad sort, or a cursor from another order, is 400 with a code', async () => {
  const bad = await sys.call('GET', '/v1/notices?sort=priority', { key: reviewer });
  expectProblem(bad, 400);
  expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'query.sort', code: expect.any(String) })]);
  const { nextCursor } = await queue('sort=urgency&limit=1');
  const mixed = await sys.call('GET', `/v1/notices?status=UNDER_REVIEW&sort=dueAt&cursor=${encodeURIComponent(nextCursor!)}`, {
    key: reviewer,
  });
  expectProblem(mixed, 400);
  expect(mixed.body.errors).toEqual([expect.objectContaining({ path: 'query.cursor', code: 'CURSOR' })]);
});
