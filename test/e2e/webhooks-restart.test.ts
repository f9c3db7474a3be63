/**
 * The system as `npm start` runs it, with an NCB's receiver that is down when notices are
 * published and stays down while the system (its worker with it) is stopped and started again:
 * every delivery carries on after the restart and reaches the receiver when it is back, with the
 * webhook-id it had, none lost. (Retried deliveries each keep their own schedule, so they need not
 * arrive in the order of their notifications.) One "day" lasts 20 s, so the three-day retry window
 * is a minute.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../system/config';
import { startSystem, type RunningSystem } from '../../system/runtime';
import { startReceiver, type Receiver } from '../support/receiver';
import { callApi, freshRequest, npmStartEnv, waitFor } from '../support/system';

let dataDir: string;
let env: Record<string, string>;
let system: RunningSystem | undefined;
let receiver: Receiver | undefined;

const start = async () => (system = await startSystem(loadConfig(env), 'all', pino({ level: 'silent' }), () => undefined));

const call = (method: string, url: string, key: string, body?: unknown) => callApi(system?.apiUrl, method, url, key, body);

beforeAll(async () => {
  ({ dataDir, env } = await npmStartEnv('e2e-webhooks', 20));
});

afterAll(async () => {
  await receiver?.close();
  await system?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a receiver down across a restart of the system still gets every notification, with the same webhook-ids', async () => {
  receiver = await startReceiver();
  await receiver.close();
  await start();
  const admin = fs.readFileSync(path.join(dataDir, 'admin-key'), 'utf8').trim();
  await call('PUT', '/v1/pilot', admin, { participants: ['IT', 'FR'], quotaTotal: 10, recipientsLimitedToParticipants: false });
  const key = async (body: object) => (await call('POST', '/v1/api-keys', admin, body)).body.key as string;
  const [italy, france, reviewer] = [
    await key({ role: 'NCB', country: 'IT' }),
    await key({ role: 'NCB', country: 'FR' }),
    await key({ role: 'REVIEWER' }),
  ];
  const hook = await call('PUT', '/v1/webhooks/FR', admin, { url: receiver.url });
  expect(hook.status).toBe(200);

  const notices: string[] = [];
  for (let i = 0; i < 3; i++) {
    const created = await call('POST', '/v1/notices', italy, freshRequest({ recipients: ['FR'], responseDays: 100 }));
    expect((await call('POST', `/v1/notices/${created.body.id}/decisions`, reviewer, { decision: 'APPROVE' })).body.status).toBe(
      'PUBLISHED',
    );
    notices.push(created.body.id);
  }
  const failing = await waitFor(
    async () => (await call('GET', '/v1/webhooks/FR/deliveries', france)).body.items,
    (items: any[]) => items.length === 3 && items.every((d) => d.attempts.length >= 2),
    'attempts at the receiver that is down',
    30_000,
  );
  for (const d of failing) expect(d.attempts.map((a: any) => a.outcome)).toEqual(d.attempts.map(() => 'UNREACHABLE'));
  const ids = new Set(failing.map((d: any) => d.id));

  await system!.stop();
  system = undefined;
  await start();
  await receiver.reopen();

  await receiver.waitFor(3, 60_000);
  const payloads = receiver.verified(hook.body.secret) as any[];
  expect(new Set(receiver.received.map((m) => m.headers['webhook-id']))).toEqual(ids);
  expect(payloads.map((p) => p.data.noticeId).sort()).toEqual([...notices].sort());
  expect(payloads.every((p) => p.data.type === 'PUBLISHED')).toBe(true);
  const delivered = await waitFor(
    async () => (await call('GET', '/v1/webhooks/FR/deliveries', france)).body.items,
    (items: any[]) => items.every((d) => d.status === 'DELIVERED'),
    'the deliveries to be recorded',
    30_000,
  );
  for (const d of delivered) expect(d.attempts.at(-1)).toMatchObject({ outcome: 'DELIVERED', statusCode: 200 });
});
