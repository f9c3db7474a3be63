/**
 * Webhooks: set by ADMIN, every notification POSTed to its country's receiver signed (verified
 * here with the Standard Webhooks library), in order, retried with the same webhook-id, each
 * attempt recorded and listed, retried by hand; a receiver that stalls holds up nothing else, not
 * even another country's deliveries. A "day" lasts 6 s, so the three-day retry window is 18 s.
 */
import { startTestSystem, type TestSystem } from '../support/system';
import { expectFieldErrors, expectProblem, failOnServerErrors, freshRequest, publish } from '../support/helpers';
import { startReceiver, type Receiver } from '../support/receiver';
import { retryDelays } from '../../domain/webhooks';

let sys: TestSystem;
let it_: string, fr: string, es: string, reviewer: string;
const receivers: Receiver[] = [];

beforeAll(async () => {
  sys = await startTestSystem({ daySeconds: 6 });
  await sys.pilot(['IT', 'FR', 'ES', 'DE']);
  [it_, fr, es, reviewer] = await sys.keys('IT', 'FR', 'ES', 'REVIEWER');
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await sys?.stop();
});
failOnServerErrors(() => sys);

async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

/** Points `country`'s webhook at `r`; its secret. */
async function hook(country: string, r: Receiver): Promise<string> {
  const res = await sys.call('PUT', `/v1/webhooks/${country}`, { key: sys.adminKey, body: { url: r.url } });
  expect(res.status).toBe(200);
  return res.body.secret;
}

async function deliveries(country: string, key = sys.adminKey): Promise<any[]> {
  const res = await sys.call('GET', `/v1/webhooks/${country}/deliveries?limit=100`, { key });
  expect(res.status).toBe(200);
  return res.body.items;
}

/**
 * The messages `r` got about request `noticeId`, once there are `n`. (Waiting for a delivery's end
 * lets the test server skip time, and other requests' reminders may reach the same receiver.)
 */
async function about(r: Receiver, noticeId: string, n = 1) {
  const mine = () => r.received.filter((m) => JSON.parse(m.body).data.noticeId === noticeId);
  await expectEventually(
    async () => mine().length,
    (got) => got >= n,
  );
  return mine();
}

/** The delivery's status once it is no longer being tried. */
async function deliveryEnded(country: string, id: string): Promise<string> {
  const ended = await expectEventually(
    async () => (await deliveries(country)).find((d) => d.id === id),
    (d) => d && d.status !== 'PENDING',
    30_000,
  );
  return ended.status;
}

describe('setting a webhook', () => {
  test('ADMIN sets one and gets a whsec_ secret once; GET shows it without; DELETE removes it', async () => {
    const r = await receiver();
    const set = await sys.call('PUT', '/v1/webhooks/DE', { key: sys.adminKey, body: { url: r.url } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ country: 'DE', url: r.url, secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) });
    const again = await sys.call('PUT', '/v1/webhooks/DE', { key: sys.adminKey, body: { url: r.url } });
    expect(again.body.secret).not.toBe(set.body.secret);
    const shown = await sys.call('GET', '/v1/webhooks/DE', { key: sys.adminKey });
    expect(shown.body).toEqual({ country: 'DE', url: r.url, createdAt: expect.any(String), updatedAt: expect.any(String) });
    expect(JSON.stringify(shown.body)).not.toContain('whsec_');
    expect((await sys.call('DELETE', '/v1/webhooks/DE', { key: sys.adminKey })).status).toBe(204);
    expectProblem(await sys.call('DELETE', '/v1/webhooks/DE', { key: sys.adminKey }), 404);
    expectProblem(await sys.call('GET', '/v1/webhooks/DE', { key: sys.adminKey }), 404);
  });

  test('only ADMIN sets, reads or removes one; an NCB may not even for its own country', async () => {
    for (const [method, body] of [
      ['PUT', { url: 'https://ncb.example.org/hook' }],
      ['GET', undefined],
      ['DELETE', undefined],
    ] as const) {
      expectProblem(await sys.call(method, '/v1/webhooks/FR', { key: fr, body }), 403);
      expectProblem(await sys.call(method, '/v1/webhooks/FR', { key: reviewer, body }), 403);
    }
    expectProblem(await sys.call('PUT', '/v1/webhooks/FR', { body: { url: 'https://ncb.example.org/hook' } }), 401);
  });

  test('a URL that is not an http(s) URL, carries credentials or a fragment, or a country that is not a member: 400', async () => {
    for (const url of [
      'not a url',
      'ftp://ncb.example.org/x',
      'file:///etc/passwd',
      'https://user:pw@ncb.example.org/',
      'https://ncb.example.org/#x',
      '',
      'x'.repeat(3000),
    ]) {
      expectFieldErrors(await sys.call('PUT', '/v1/webhooks/FR', { key: sys.adminKey, body: { url } }), 'url');
    }
    expectFieldErrors(
      await sys.call('PUT', '/v1/webhooks/FR', { key: sys.adminKey, body: { url: 'https://a.example', extra: 1 } }),
      'extra',
    );
    expectFieldErrors(await sys.call('PUT', '/v1/webhooks/fr', { key: sys.adminKey, body: { url: 'https://a.example' } }), 'path.country');
    expectFieldErrors(await sys.call('PUT', '/v1/webhooks/XX', { key: sys.adminKey, body: { url: 'https://a.example' } }), 'path.country');
    expectProblem(
      await sys.call('PUT', '/v1/webhooks/FR', { key: sys.adminKey, raw: 'url=x', headers: { 'content-type': 'text/plain' } }),
      415,
    );
  });
});

describe('delivering', () => {
  test("each recipient's receiver gets the notification as its feed shows it, signed, and nothing personal", async () => {
    const [toFr, toEs] = [await receiver(), await receiver()];
    const [frSecret, esSecret] = [await hook('FR', toFr), await hook('ES', toEs)];
    const v = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
    await Promise.all([about(toFr, v.id), about(toEs, v.id)]);
    const [message] = toFr.verified(frSecret) as any[];
    expect(toEs.verified(esSecret)[0].data.noticeId).toBe(v.id);
    expect(() => toFr.verified(esSecret)).toThrow();
    const feed = await sys.call('GET', '/v1/notifications', { key: fr });
    const { readAt, ...item } = feed.body.items.find((n: any) => n.noticeId === v.id && n.type === 'PUBLISHED');
    // The delivery is the item as it was notified: whether the country has read it since is the feed's alone.
    expect(readAt).toBeNull();
    expect(message).toEqual({ type: 'notification.published', timestamp: item.at, data: item });
    expect(toFr.received[0].headers['content-type']).toBe('application/json');
    expect(toFr.received[0].body).not.toMatch(/ROSSI|MARIO|X0542811101|Palermo/);
    const [delivery] = (await deliveries('FR')).filter((d) => d.notificationId === item.id);
    expect(toFr.received[0].headers['webhook-id']).toBe(delivery.id);
    await expectEventually(
      async () => (await deliveries('FR')).find((d) => d.id === delivery.id),
      (d) => d.status === 'DELIVERED',
    );
  });

  test('a receiver that fails three times gets the notification once more, with the same id and body', async () => {
    const flaky = await receiver((n) => (n < 3 ? 500 : 200));
    const secret = await hook('FR', flaky);
    const v = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    const [first] = await about(flaky, v.id);
    expect(await deliveryEnded('FR', first.headers['webhook-id'])).toBe('DELIVERED');
    const got = await about(flaky, v.id);
    expect(got).toHaveLength(4);
    expect(new Set(got.map((m) => m.headers['webhook-id'])).size).toBe(1);
    expect(new Set(got.map((m) => m.body)).size).toBe(1);
    expect(flaky.verified(secret).every((p: any) => p.data.noticeId === v.id)).toBe(true);
    const delivery = (await deliveries('FR')).find((d) => d.id === first.headers['webhook-id']);
    expect(delivery).toMatchObject({ status: 'DELIVERED', type: 'PUBLISHED', deliveredAt: expect.any(String) });
    expect(delivery.attempts.map((a: any) => [a.outcome, a.statusCode])).toEqual([
      ['REJECTED', 500],
      ['REJECTED', 500],
      ['REJECTED', 500],
      ['DELIVERED', 200],
    ]);
  });

  test('a receiver that never takes it is given up after three days, each try on schedule; a retry by hand sends it again', async () => {
    const down = await receiver(() => 503);
    await hook('ES', down);
    const v = await publish(sys, it_, reviewer, freshRequest({ recipients: ['ES'] }));
    const [first] = await about(down, v.id);
    const id = first.headers['webhook-id'];
    expect(await deliveryEnded('ES', id)).toBe('FAILED');
    const failed = (await deliveries('ES')).find((d) => d.id === id);
    expect(failed.status).toBe('FAILED');
    const tries = failed.attempts.map((a: any) => Date.parse(a.at));
    const waits = retryDelays(sys.daySeconds);
    expect(tries).toHaveLength(waits.length + 1);
    tries.slice(1).forEach((t: number, i: number) => expect(t - tries[i]).toBeGreaterThanOrEqual(waits[i]));
    expect((await about(down, v.id)).every((m) => m.headers['webhook-id'] === id)).toBe(true);

    down.answer = () => 204;
    expectProblem(await sys.call('POST', `/v1/webhooks/ES/deliveries/${id}/retry`, { key: es }), 403);
    expectProblem(await sys.call('POST', `/v1/webhooks/FR/deliveries/${id}/retry`, { key: sys.adminKey }), 404);
    const retried = await sys.call('POST', `/v1/webhooks/ES/deliveries/${id.toUpperCase()}/retry`, { key: sys.adminKey });
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual({ id, status: 'PENDING' });
    expect((await about(down, v.id, failed.attempts.length + 1)).at(-1)!.headers['webhook-id']).toBe(id);
    const after = await expectEventually(
      async () => (await deliveries('ES')).find((d) => d.id === id),
      (d) => d.status === 'DELIVERED',
    );
    expect(after.attempts.at(-1)).toMatchObject({ outcome: 'DELIVERED', statusCode: 204 });
  });

  test('a receiver that stalls delays neither the API nor the request: it completes while the POST is held', async () => {
    const stalled = await receiver(() => 'hang');
    await hook('FR', stalled);
    const v = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    await about(stalled, v.id);
    expect((await sys.call('POST', `/v1/notices/${v.id}/responses`, { key: fr, body: { outcome: 'NO_ASSETS_FOUND' } })).status).toBe(201);
    const done = await expectEventually(
      async () => (await sys.call('GET', `/v1/notices/${v.id}`, { key: it_ })).body,
      (b) => b.status === 'COMPLETED',
    );
    expect(done.status).toBe('COMPLETED');
    expect(stalled.held()).toBeGreaterThan(0);
    stalled.release();
  });

  test('an attempt unanswered after 10 s is recorded as a timeout', async () => {
    const stalled = await receiver((n) => (n === 0 ? 'hang' : 200));
    await hook('FR', stalled);
    const v = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    const [first] = await about(stalled, v.id);
    const id = first.headers['webhook-id'];
    const d = await expectEventually(
      async () => (await deliveries('FR')).find((x) => x.id === id),
      (x) => x.attempts.length >= 1,
      30_000,
    );
    expect(d.attempts[0]).toMatchObject({ outcome: 'TIMEOUT', statusCode: null });
    expect(d.attempts[0].durationMs).toBeGreaterThanOrEqual(9_900);
  });
});

describe("a country's sender", () => {
  test('sends in the order of the notifications, one at a time: none overtakes a message the receiver holds', async () => {
    let held = false;
    const r = await receiver(() => (held ? 200 : ((held = true), 'hang')));
    await hook('DE', r);
    const first = await publish(sys, it_, reviewer, freshRequest({ recipients: ['DE'] }));
    await about(r, first.id);
    const later = [];
    for (let i = 0; i < 3; i++) later.push(await publish(sys, it_, reviewer, freshRequest({ recipients: ['DE'] })));
    await new Promise((done) => setTimeout(done, 1000));
    expect(r.received).toHaveLength(1);
    r.release();
    await r.waitFor(4);
    const seqs = r.received.map((m) => Number(JSON.parse(m.body).data.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(r.received.map((m) => JSON.parse(m.body).data.noticeId)).toEqual([first.id, ...later.map((v) => v.id)]);
    await sys.call('DELETE', '/v1/webhooks/DE', { key: sys.adminKey });
  });

  test("a country whose receiver hangs delays no other country: the other's notifications all arrive meanwhile", async () => {
    const [stalled, fast] = [await receiver(() => 'hang'), await receiver()];
    await hook('DE', stalled);
    await hook('ES', fast);
    const started = Date.now();
    const published = [];
    for (let i = 0; i < 3; i++) published.push(await publish(sys, it_, reviewer, freshRequest({ recipients: ['DE', 'ES'] })));
    for (const v of published) await about(fast, v.id);
    // DE's sender is still on its first message (each attempt waits 10 s): ES got all three meanwhile.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stalled.received).toHaveLength(1);
    expect(stalled.held()).toBe(1);
    await sys.call('DELETE', '/v1/webhooks/DE', { key: sys.adminKey });
    stalled.release();
  });

  test('a retry by hand of a delivery still being tried sends it at once, before its schedule would', async () => {
    const failures = 9;
    const down = await receiver((n) => (n < failures ? 503 : 200));
    await hook('DE', down);
    const v = await publish(sys, it_, reviewer, freshRequest({ recipients: ['DE'] }));
    const [first] = await about(down, v.id);
    const id = first.headers['webhook-id'];
    await expectEventually(
      async () => (await deliveries('DE')).find((x) => x.id === id),
      (x) => x.attempts.length === failures,
    );
    expect((await sys.call('POST', `/v1/webhooks/DE/deliveries/${id}/retry`, { key: sys.adminKey })).status).toBe(202);
    expect(await deliveryEnded('DE', id)).toBe('DELIVERED');
    const { attempts } = (await deliveries('DE')).find((x) => x.id === id);
    expect(attempts.map((a: any) => a.outcome)).toEqual([...Array(failures).fill('REJECTED'), 'DELIVERED']);
    const scheduled = retryDelays(sys.daySeconds)[failures - 1];
    expect(Date.parse(attempts[failures].at) - Date.parse(attempts[failures - 1].at)).toBeLessThan(scheduled - 1000);
    await sys.call('DELETE', '/v1/webhooks/DE', { key: sys.adminKey });
  });
});

describe('reading deliveries', () => {
  test("an NCB reads its own country's deliveries only; pages follow the cursor; a forged cursor is 400", async () => {
    const r = await receiver();
    await hook('ES', r);
    for (let i = 0; i < 3; i++) await publish(sys, it_, reviewer, freshRequest({ recipients: ['ES'] }));
    await expectEventually(
      () => deliveries('ES', es),
      (items) => items.filter((d) => d.status === 'DELIVERED').length >= 3,
    );
    expectProblem(await sys.call('GET', '/v1/webhooks/FR/deliveries', { key: es }), 403);
    expectProblem(await sys.call('GET', '/v1/webhooks/ES/deliveries', { key: reviewer }), 403);
    const first = await sys.call('GET', '/v1/webhooks/ES/deliveries?limit=2', { key: es });
    expect(first.body.items).toHaveLength(2);
    const next = await sys.call('GET', `/v1/webhooks/ES/deliveries?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
      key: es,
    });
    expect(next.status).toBe(200);
    const ids = [...first.body.items, ...next.body.items].map((d: any) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expectFieldErrors(await sys.call('GET', '/v1/webhooks/ES/deliveries?cursor=abc.def', { key: es }), 'query.cursor');
    expectFieldErrors(await sys.call('GET', '/v1/webhooks/ES/deliveries?limit=0', { key: es }), 'query.limit');
    expectFieldErrors(await sys.call('POST', '/v1/webhooks/ES/deliveries/nope/retry', { key: sys.adminKey }), 'path.id');
  });

  test('a notification written while no webhook was set is not delivered; a removed webhook cancels what is pending', async () => {
    await sys.call('DELETE', '/v1/webhooks/FR', { key: sys.adminKey });
    const before = (await deliveries('FR')).length;
    await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    await new Promise((r) => setTimeout(r, 500));
    expect((await deliveries('FR')).length).toBe(before);

    const down = await receiver(() => 500);
    await hook('FR', down);
    const v = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    const [first] = await about(down, v.id);
    expect((await sys.call('DELETE', '/v1/webhooks/FR', { key: sys.adminKey })).status).toBe(204);
    expect(await deliveryEnded('FR', first.headers['webhook-id'])).toBe('CANCELLED');
    expect((await deliveries('FR')).find((d) => d.id === first.headers['webhook-id']).status).toBe('CANCELLED');
    expectProblem(await sys.call('POST', `/v1/webhooks/FR/deliveries/${first.headers['webhook-id']}/retry`, { key: sys.adminKey }), 409);
  });
});

async function expectEventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(v)?.slice(0, 1000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
