/**
 * Unread notifications: each carries `readAt`; a country marks its own read with
 * `POST /v1/notifications/read`, and `?unread=true` lists those it has not. Another country's
 * ids are ignored, never marked and never named.
 */
import { expectFieldErrors, expectProblem, failOnServerErrors, freshRequest, publish } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, fr: string, frColleague: string, reviewer: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES'], 40);
  [it_, fr, reviewer] = await sys.keys('IT', 'FR', 'REVIEWER');
  frColleague = await sys.key('NCB', 'FR');
  await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

type Item = { id: string; type: string; readAt: string | null };
const feed = async (key: string, query = ''): Promise<Item[]> => {
  const res = await sys.call('GET', `/v1/notifications${query}`, { key });
  expect(res.status).toBe(200);
  return res.body.items;
};
const markRead = (key: string, ids: unknown) => sys.call('POST', '/v1/notifications/read', { key, body: { ids } });

test('every notification starts unread; marking some read leaves the others in ?unread=true', async () => {
  const all = await feed(fr);
  expect(all.map((n) => [n.type, n.readAt])).toEqual([
    ['PUBLISHED', null],
    ['PUBLISHED', null],
  ]);
  expect(await feed(fr, '?unread=true')).toEqual(all);

  const before = Date.now();
  const marked = await markRead(fr, [all[0].id]);
  expect(marked.status).toBe(200);
  expect(marked.body).toEqual({ items: [{ id: all[0].id, readAt: expect.any(String) }] });
  expect(Date.parse(marked.body.items[0].readAt)).toBeGreaterThanOrEqual(before - 1000);

  expect((await feed(fr, '?unread=true')).map((n) => n.id)).toEqual([all[1].id]);
  expect((await feed(fr, '?unread=false')).map((n) => [n.id, n.readAt])).toEqual([
    [all[0].id, marked.body.items[0].readAt],
    [all[1].id, null],
  ]);
  // The feed is the country's: a colleague of the same NCB sees it read too.
  expect((await feed(frColleague, '?unread=true')).map((n) => n.id)).toEqual([all[1].id]);
  // The cursor pages the unread ones like the rest.
  expect(await feed(fr, `?unread=true&after=${all[1].id}`)).toEqual([]);
});

test('marking again keeps the first readAt; repeated ids count once', async () => {
  const [first] = await feed(fr);
  const again = await markRead(fr, [first.id, first.id]);
  expect(again.status).toBe(200);
  expect(again.body).toEqual({ items: [{ id: first.id, readAt: first.readAt }] });
});

test("another country's ids and unknown ids are ignored: not marked, not named", async () => {
  const itsOwn = await feed(it_);
  expect(itsOwn.map((n) => [n.type, n.readAt])).toEqual([
    ['DECISION', null],
    ['DECISION', null],
  ]);
  const unreadFr = await feed(fr, '?unread=true');
  const res = await markRead(fr, [itsOwn[0].id, '999999999', ...unreadFr.map((n) => n.id)]);
  expect(res.status).toBe(200);
  expect(res.body.items.map((n: Item) => n.id)).toEqual(unreadFr.map((n) => n.id));
  expect((await feed(it_, '?unread=true')).map((n) => n.id)).toEqual(itsOwn.map((n) => n.id));
  expect(await feed(fr, '?unread=true')).toEqual([]);
  // Only ids that are no notification of the caller's: 200 with nothing marked.
  expect(await markRead(it_, ['999999999'])).toMatchObject({ status: 200, body: { items: [] } });
});

test('bad input is a 400 with its field; other roles are 403', async () => {
  expectFieldErrors(await markRead(fr, []), 'ids');
  expectFieldErrors(await markRead(fr, ['12a']), 'ids.0');
  expectFieldErrors(await markRead(fr, [12]), 'ids.0');
  expectFieldErrors(await markRead(fr, 'all'), 'ids');
  expectFieldErrors(
    await markRead(
      fr,
      Array.from({ length: 501 }, (_, i) => String(i + 1)),
    ),
    'ids',
  );
  expectFieldErrors(await markRead(fr, ['1234567890123456789']), 'ids.0');
  expectFieldErrors(await sys.call('POST', '/v1/notifications/read', { key: fr, body: { ids: ['1'], all: true } }), 'all');
  expectProblem(await sys.call('POST', '/v1/notifications/read', { key: fr }), 400);
  expectFieldErrors(await sys.call('GET', '/v1/notifications?unread=yes', { key: fr }), 'query.unread');
  for (const key of [reviewer, sys.adminKey]) {
    const refused = await markRead(key, ['1']);
    expectProblem(refused, 403);
    expect(refused.body.code).toBe('FORBIDDEN');
  }
  expectProblem(await sys.call('POST', '/v1/notifications/read', { body: { ids: ['1'] } }), 401);
});
