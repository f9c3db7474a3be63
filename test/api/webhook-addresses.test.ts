/**
 * Receivers on non-public addresses, where the operator does not allow them
 * (SILVER_WEBHOOK_ALLOW_PRIVATE off): refused when the webhook is set, and refused again when a
 * delivery would connect to one (a webhook recorded before, or a name that now leads there).
 */
import { setWebhook } from '../../records/webhooks';
import { startTestSystem, type TestSystem } from '../support/system';
import { expectFieldErrors, failOnServerErrors, freshRequest, publish, waitFor } from '../support/helpers';
import { startReceiver, type Receiver } from '../support/receiver';

let sys: TestSystem;
let local: Receiver;
let it_: string, fr: string, reviewer: string;

beforeAll(async () => {
  sys = await startTestSystem({ allowPrivateWebhooks: false });
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, reviewer] = await sys.keys('IT', 'FR', 'REVIEWER');
  local = await startReceiver();
});
afterAll(async () => {
  await local?.close();
  await sys?.stop();
});
failOnServerErrors(() => sys);

test('setting a receiver on a loopback, private, link-local or unresolvable address is 400', async () => {
  for (const url of [
    local.url,
    `http://localhost:${local.port}/hook`,
    'http://[::1]/hook',
    'http://10.1.2.3/hook',
    'http://192.168.0.10/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::ffff:127.0.0.1]/hook',
    'http://0.0.0.0/hook',
    'https://no-such-host.invalid/hook',
  ]) {
    const res = await sys.call('PUT', '/v1/webhooks/FR', { key: sys.adminKey, body: { url } });
    expectFieldErrors(res, 'url');
  }
  expect((await sys.call('GET', '/v1/webhooks/FR', { key: sys.adminKey })).status).toBe(404);
  // A public address is taken as it is (nothing is sent until a notification comes).
  expect((await sys.call('PUT', '/v1/webhooks/ES', { key: sys.adminKey, body: { url: 'https://93.184.216.34/hook' } })).status).toBe(200);
});

test('a delivery that would connect to a non-public address is refused and recorded, and nothing reaches it', async () => {
  for (const url of [local.url, `http://localhost:${local.port}/hook`]) {
    await setWebhook(sys.db.prisma, { country: 'FR', url, secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`, at: new Date() });
    const v = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    const delivery = await waitFor(
      async () => {
        const res = await sys.call('GET', '/v1/webhooks/FR/deliveries', { key: fr });
        const feed = await sys.call('GET', '/v1/notifications?limit=100', { key: fr });
        const mine = feed.body.items.find((n: any) => n.noticeId === v.id);
        return res.body.items.find((d: any) => d.notificationId === mine?.id);
      },
      (d) => d?.attempts.length > 0,
      'a refused attempt',
    );
    expect(delivery.attempts[0]).toEqual(expect.objectContaining({ outcome: 'ADDRESS_REFUSED', statusCode: null }));
  }
  expect(local.received).toEqual([]);
});
