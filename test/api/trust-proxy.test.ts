/**
 * SILVER_TRUST_PROXY over real HTTP: X-Forwarded-For names the client only when the peer sending
 * it is a trusted proxy. Untrusted, anyone could pick a fresh address for every call and never be
 * rate limited, and security events would name whom the caller chose.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { loadConfig } from '../../system/config';
import { startTestSystem, type TestSystem } from '../support/system';
import { failOnServerErrors } from '../support/helpers';

const LIMIT = 5;
let sys: TestSystem;
let behindProxy: { url: string; close(): Promise<void> };
/** The request log of the API process behind the proxy, one JSON line per entry. */
const logLines: string[] = [];

beforeAll(async () => {
  sys = await startTestSystem({ rateLimitPerMinute: LIMIT });
  // A second API process on the same services, configured as one behind a proxy on this machine.
  const { trustProxy } = loadConfig({ SILVER_TRUST_PROXY: 'loopback, 10.0.0.0/8' });
  const app = buildApp({
    services: sys.services,
    log: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
    rateLimitPerMinute: LIMIT,
    trustProxy,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  behindProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
});
afterAll(async () => {
  await behindProxy?.close();
  await sys?.stop();
});
failOnServerErrors(() => sys);

/** Counts restart with each minute: a test counting up to the limit starts well inside one. */
async function freshWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((r) => setTimeout(r, left + 100));
}

/** A call without a valid key (401, or 429 beyond the limit), claiming to come from `forwardedFor`. */
async function unknownCaller(base: string, forwardedFor: string, path = '/v1/pilot'): Promise<number> {
  const res = await fetch(`${base}${path}`, {
    headers: { authorization: 'Bearer snk_not-a-key', 'x-forwarded-for': forwardedFor },
  });
  await res.arrayBuffer();
  return res.status;
}

/** The security events recorded for `path`, oldest first, once the queue has written them. */
async function eventsAt(path: string): Promise<Array<{ kind: string; ip: string }>> {
  await sys.services.perimeter.security.flush();
  const list = await sys.call('GET', '/v1/security-events?limit=100', { key: sys.adminKey });
  expect(list.status).toBe(200);
  return (list.body.items as Array<{ kind: string; ip: string; path: string }>).filter((e) => e.path === path).reverse();
}

test('untrusted (the default): X-Forwarded-For is ignored; the rate limit and the security events keep the socket address', async () => {
  await freshWindow();
  const statuses: number[] = [];
  // A new forwarded address on every call: were it believed, no call would ever reach the limit.
  for (let i = 0; i <= LIMIT; i++) statuses.push(await unknownCaller(sys.baseUrl, `203.0.113.${i + 1}`, '/v1/pilot?untrusted'));
  expect(statuses).toEqual([...Array(LIMIT).fill(401), 429]);

  const events = await eventsAt('/v1/pilot');
  expect(events.length).toBeGreaterThanOrEqual(LIMIT + 1);
  for (const e of events) expect(e.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  expect(events.map((e) => e.kind)).toContain('RATE_LIMITED');
});

test('behind a trusted proxy: the forwarded client is counted and recorded, each with a budget of its own', async () => {
  await freshWindow();
  const statuses: number[] = [];
  for (let i = 0; i <= LIMIT; i++) statuses.push(await unknownCaller(behindProxy.url, '198.51.100.7', '/v1/countries'));
  expect(statuses).toEqual([...Array(LIMIT).fill(401), 429]);
  // Another client behind the same proxy is not limited by the first one's calls.
  expect(await unknownCaller(behindProxy.url, '198.51.100.8', '/v1/countries')).toBe(401);
  // A chain through a second trusted proxy (10.0.0.0/8): the client is the first untrusted hop from the right.
  expect(await unknownCaller(behindProxy.url, '192.0.2.44, 10.1.2.3', '/v1/countries')).toBe(401);

  const ips = (await eventsAt('/v1/countries')).map((e) => e.ip);
  expect(ips).toEqual([...Array(LIMIT + 1).fill('198.51.100.7'), '198.51.100.8', '192.0.2.44']);
  // The request log names the same client.
  const logged = logLines.map((l) => JSON.parse(l)).filter((l) => l.req?.url === '/v1/countries');
  expect(logged.map((l) => l.req.remoteAddress)).toEqual(ips);
});

test('a bad SILVER_TRUST_PROXY stops the start with a sentence naming it, not a 500 at the first call', () => {
  expect(() => loadConfig({ SILVER_TRUST_PROXY: 'loopback, proxy.internal' })).toThrow(
    /SILVER_TRUST_PROXY: "proxy.internal" is not an address, a subnet/,
  );
  expect(() => loadConfig({ SILVER_TRUST_PROXY: '10.0.0.0/40' })).toThrow(/SILVER_TRUST_PROXY/);
  expect(loadConfig({ SILVER_TRUST_PROXY: '2' }).trustProxy).toBe(2);
  expect(loadConfig({ SILVER_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  expect(loadConfig({}).trustProxy).toBe(false);
});
