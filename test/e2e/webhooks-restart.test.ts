/**
 * The system as `npm start` runs it, with an NCB's receiver that is down when a notice is
 * published and stays down while the system is stopped and started again: the delivery carries on
 * after the restart and reaches the receiver when it is back, with the webhook-id it had. One
 * "day" lasts 20 s, so the three-day retry window is a minute.
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

test('a receiver down across a restart of the system still gets the notification, with the same webhook-id', async () => {
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

  const created = await call('POST', '/v1/notices', italy, freshRequest({ recipients: ['FR'], responseDays: 100 }));
  expect((await call('POST', `/v1/notices/${created.body.id}/decisions`, reviewer, { decision: 'APPROVE' })).body.status).toBe('PUBLISHED');
  const failing = await waitFor(
    async () => (await call('GET', '/v1/webhooks/FR/deliveries', france)).body.items,
    (items: any[]) => items.length === 1 && items[0].attempts.length >= 2,
    'attempts at the receiver that is down',
    30_000,
  );
  expect(failing[0].attempts.map((a: any) => a.outcome)).toEqual(failing[0].attempts.map(() => 'UNREACHABLE'));

  await system!.stop();
  system = undefined;
  await start();
  await receiver.reopen();

  const [message] = await receiver.waitFor(1, 60_000);
  expect(message.headers['webhook-id']).toBe(failing[0].id);
  const [payload] = receiver.verified(hook.body.secret) as any[];
  expect(payload.data).toMatchObject({ type: 'PUBLISHED', noticeId: created.body.id });
  const delivered = await waitFor(
    async () => (await call('GET', '/v1/webhooks/FR/deliveries', france)).body.items[0],
    (d: any) => d.status === 'DELIVERED',
    'the delivery to be recorded',
    30_000,
  );
  expect(delivered.attempts.at(-1)).toMatchObject({ outcome: 'DELIVERED', statusCode: 200 });
  expect(receiver.received.every((m) => m.headers['webhook-id'] === failing[0].id)).toBe(true);
});
