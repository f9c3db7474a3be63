/**
 * GET /metrics: Prometheus text (read here with a Prometheus text parser) that needs no key, holds
 * nothing personal, and moves when requests move: HTTP answers by route template, requests by
 * status and kind, overdue recipients, webhook deliveries, and the Temporal worker's own metrics.
 */
import parsePrometheusTextFormat, { type Family } from 'parse-prometheus-text-format';
import { startTestSystem, type TestSystem } from '../support/system';
import { eventually, failOnServerErrors, freshRequest, publish, submit } from '../support/helpers';
import { startReceiver, type Receiver } from '../support/receiver';

let sys: TestSystem;
let it_: string, fr: string, reviewer: string;
let receiver: Receiver;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, reviewer] = await sys.keys('IT', 'FR', 'REVIEWER');
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await sys?.stop();
});
failOnServerErrors(() => sys);

async function scrape(): Promise<{ text: string; families: Map<string, Family> }> {
  const res = await fetch(`${sys.baseUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, families: new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f])) };
}

/** The value of the sample of `name` whose labels include `labels` (0 when there is none). */
function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  if (!family) throw new Error(`no metric ${name}`);
  const sample = family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? sample?.count ?? 0);
}

const read = async (name: string, labels?: Record<string, string>) => value((await scrape()).families, name, labels);

test('needs no key and parses as Prometheus text with the families the operators scrape', async () => {
  await sys.call('GET', '/healthz');
  const { families } = await scrape();
  expect(families.get('silver_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
  expect(Object.keys(families.get('silver_http_request_duration_seconds')!.metrics[0].buckets!)).toContain('+Inf');
  expect(families.get('silver_http_requests_total')?.type).toBe('COUNTER');
  expect(families.get('silver_requests')?.type).toBe('GAUGE');
  expect(families.get('silver_recipients_overdue')?.type).toBe('GAUGE');
  expect(families.get('silver_webhook_deliveries')?.type).toBe('GAUGE');
  expect(families.get('silver_webhook_attempts_total')?.type).toBe('COUNTER');
  expect(families.get('process_resident_memory_bytes')?.type).toBe('GAUGE');
  // Every status and kind is there from the start, at 0 when nothing is in it.
  expect(families.get('silver_requests')!.metrics.length).toBe(20);
});

test("the Temporal worker's own metrics are in it", async () => {
  await submit(sys, it_);
  const families = await eventually(
    async () => (await scrape()).families,
    (f) => [...f.keys()].some((name) => name.startsWith('temporal_') && name.includes('workflow')),
    "the worker's metrics",
  );
  expect(families.get('temporal_worker_task_slots_available')?.metrics.length).toBeGreaterThan(0);
});

test('HTTP answers are counted by route template and status, never by the path as called', async () => {
  const v = await submit(sys, it_);
  const labels = { method: 'GET', route: '/v1/notices/:id', status: '200' };
  const before = await read('silver_http_requests_total', labels);
  for (let i = 0; i < 3; i++) expect((await sys.call('GET', `/v1/notices/${v.id}`, { key: it_ })).status).toBe(200);
  await sys.call('GET', `/v1/notices/${v.id}`);
  await sys.call('GET', `/made/up/${v.id}`);
  const { text, families } = await scrape();
  expect(value(families, 'silver_http_requests_total', labels)).toBe(before + 3);
  expect(value(families, 'silver_http_requests_total', { route: '/v1/notices/:id', status: '401' })).toBeGreaterThanOrEqual(1);
  expect(value(families, 'silver_http_requests_total', { route: 'other', status: '404' })).toBeGreaterThanOrEqual(1);
  expect(text).not.toContain(v.id);
});

test('requests by status and kind, overdue recipients and webhook deliveries move when requests move; nothing personal shows', async () => {
  await sys.call('PUT', '/v1/webhooks/FR', { key: sys.adminKey, body: { url: receiver.url } });
  const published = { status: 'PUBLISHED', kind: 'DIFFUSION' };
  const [before, overdue, delivered, attempts] = await Promise.all([
    read('silver_requests', published),
    read('silver_recipients_overdue'),
    read('silver_webhook_deliveries', { status: 'DELIVERED' }),
    read('silver_webhook_attempts_total', { outcome: 'DELIVERED' }),
  ]);
  const body = freshRequest({ recipients: ['FR'], urgency: 'URGENT_DIRECT' });
  const v = await publish(sys, it_, reviewer, body);
  await eventually(
    () => read('silver_requests', published),
    (n) => n === before + 1,
    'the published request to be counted',
  );
  await eventually(
    () => read('silver_webhook_deliveries', { status: 'DELIVERED' }),
    (n) => n >= delivered + 1,
    'the delivery',
  );
  expect(await read('silver_webhook_attempts_total', { outcome: 'DELIVERED' })).toBeGreaterThanOrEqual(attempts + 1);

  // The test server skips time only while no activity runs, and a webhook's sender stays at work
  // while its webhook is set: it is removed, and its sender rests, before time moves.
  expect((await sys.call('DELETE', '/v1/webhooks/FR', { key: sys.adminKey })).status).toBe(204);
  await eventually(
    async () => (await sys.env.client.workflow.getHandle('webhook-sender-FR').describe()).raw.pendingActivities?.length ?? 0,
    (n) => n === 0,
    "the sender's drain to end",
  );
  // Eight hours to answer: past them, France is overdue.
  await sys.env.sleep(9 * 3600_000);
  await eventually(
    () => read('silver_recipients_overdue'),
    (n) => n === overdue + 1,
    'the overdue recipient',
  );
  expect((await sys.call('POST', `/v1/notices/${v.id}/responses`, { key: fr, body: { outcome: 'NO_ASSETS_FOUND' } })).status).toBe(201);
  await eventually(
    () => read('silver_recipients_overdue'),
    (n) => n === overdue,
    'the late answer to end the overdue',
  );

  const { text } = await scrape();
  for (const personal of [body.subject.familyName, body.assetsSought[0].identifiers.iban, v.id, v.reference])
    expect(text).not.toContain(personal);
});
