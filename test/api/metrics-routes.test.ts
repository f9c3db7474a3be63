/**
 * GET /metrics counts every /v1 call under the template of the route it addressed, with `/v1`,
 * whether the call was answered or refused, and wherever on its way it was refused: by the
 * perimeter (401, 429), by the route's schemas (400), role (403) or need to know (404).
 */
import crypto from 'node:crypto';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startTestSystem, type TestSystem } from '../support/system';
import { failOnServerErrors, freshRequest, submit } from '../support/helpers';

const RATE_LIMIT_PER_MINUTE = 20;
let sys: TestSystem;

beforeAll(async () => {
  sys = await startTestSystem({ rateLimitPerMinute: RATE_LIMIT_PER_MINUTE });
  await sys.pilot(['IT', 'FR', 'ES']);
});
afterAll(async () => {
  await sys?.stop();
});
failOnServerErrors(() => sys);

/** silver_http_requests_total by `route method status`. */
async function callsByRoute(): Promise<Map<string, number>> {
  const res = await fetch(`${sys.baseUrl}/metrics`);
  const family = parsePrometheusTextFormat(await res.text()).find((f) => f.name === 'silver_http_requests_total');
  return new Map(family!.metrics.map((m) => [`${m.labels!.route} ${m.labels!.method} ${m.labels!.status}`, Number(m.value)]));
}

test('answered and refused calls to one /v1 route are counted under that route, with /v1', async () => {
  const [it_, fr, ccf] = [await sys.key('NCB', 'IT'), await sys.key('NCB', 'FR'), await sys.key('CCF')];
  const limited = await sys.userKey(it_);
  const mine = await submit(sys, it_);
  const before = await callsByRoute();

  const statuses = async (calls: (() => Promise<{ status: number }>)[]) => {
    const got: number[] = [];
    for (const call of calls) got.push((await call()).status);
    return got;
  };
  const one = `/v1/notices/${mine.id}`;
  expect(
    await statuses([
      () => sys.call('GET', one, { key: it_ }),
      () => sys.call('GET', one),
      () => sys.call('GET', one, { key: 'not-a-key' }),
      () => sys.call('GET', `/v1/notices/${crypto.randomUUID()}`, { key: it_ }),
      () => sys.call('GET', one, { key: fr }),
      () => sys.call('GET', '/v1/notices/not-an-id', { key: it_ }),
    ]),
  ).toEqual([200, 401, 401, 404, 404, 400]);
  expect(
    await statuses([
      () => sys.call('POST', '/v1/notices', { key: ccf, body: freshRequest() }),
      () => sys.call('POST', '/v1/notices', { key: it_, body: { subject: {} } }),
      () => sys.call('POST', '/v1/notices', { body: freshRequest() }),
    ]),
  ).toEqual([403, 400, 401]);
  const burst: number[] = [];
  for (let i = 0; i <= RATE_LIMIT_PER_MINUTE; i++) burst.push((await sys.call('GET', one, { key: limited })).status);
  expect(burst).toEqual([...Array(RATE_LIMIT_PER_MINUTE).fill(200), 429]);

  const after = await callsByRoute();
  const added = (label: string) => (after.get(label) ?? 0) - (before.get(label) ?? 0);
  expect({
    'GET 200': added('/v1/notices/:id GET 200'),
    'GET 401': added('/v1/notices/:id GET 401'),
    'GET 404': added('/v1/notices/:id GET 404'),
    'GET 400': added('/v1/notices/:id GET 400'),
    'GET 429': added('/v1/notices/:id GET 429'),
    'POST 403': added('/v1/notices POST 403'),
    'POST 400': added('/v1/notices POST 400'),
    'POST 401': added('/v1/notices POST 401'),
  }).toEqual({
    'GET 200': 1 + RATE_LIMIT_PER_MINUTE,
    'GET 401': 2,
    'GET 404': 2,
    'GET 400': 1,
    'GET 429': 1,
    'POST 403': 1,
    'POST 400': 1,
    'POST 401': 1,
  });
  const moved = [...after.keys()].filter((label) => added(label) !== 0).map((label) => label.split(' ')[0]);
  expect(moved.filter((route) => route !== '/metrics' && !route.startsWith('/v1/'))).toEqual([]);
});
