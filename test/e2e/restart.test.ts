/**
 * The system as `npm start` runs it (embedded Temporal dev server and PGlite on a data dir, real
 * ports), stopped in the middle of a request's life and started again on the same data dir: the
 * request, its timers and its history carry on. One "day" lasts 0.2 s so deadlines pass quickly.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../system/config';
import { startSystem, type RunningSystem } from '../../system/runtime';
import { callApi, freshRequest, npmStartEnv, waitFor } from '../support/system';

const DAY_SECONDS = 0.2;

let dataDir: string;
let env: Record<string, string>;
let system: RunningSystem | undefined;

async function start(): Promise<RunningSystem> {
  system = await startSystem(loadConfig(env), 'all', pino({ level: 'silent' }), () => undefined);
  return system;
}

const call = (method: string, url: string, key: string, body?: unknown) => callApi(system?.apiUrl, method, url, key, body);

beforeAll(async () => {
  ({ dataDir, env } = await npmStartEnv('e2e', DAY_SECONDS));
});

afterAll(async () => {
  await system?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a diffusion survives a restart between publication and its deadline', async () => {
  await start();
  const admin = fs.readFileSync(path.join(dataDir, 'admin-key'), 'utf8').trim();
  // The admin key and the payload keys made on first start are readable by their owner only.
  for (const secret of ['admin-key', 'payload-keys']) expect(fs.statSync(path.join(dataDir, secret)).mode & 0o777).toBe(0o600);
  expect(
    (await call('PUT', '/v1/pilot', admin, { participants: ['IT', 'FR', 'ES'], quotaTotal: 30, recipientsLimitedToParticipants: false }))
      .status,
  ).toBe(200);
  const key = async (body: object) => (await call('POST', '/v1/api-keys', admin, body)).body.key as string;
  const italy = await key({ role: 'NCB', country: 'IT' });
  const france = await key({ role: 'NCB', country: 'FR' });
  const spain = await key({ role: 'NCB', country: 'ES' });
  const reviewer = await key({ role: 'REVIEWER' });

  // 100 "days" to answer = 20 s; reminder at 80 % = 16 s: time enough for the restart, even on a
  // busy machine (an OVERDUE due by the time the worker is back covers the reminder).
  const created = await call('POST', '/v1/notices', italy, freshRequest({ responseDays: 100 }));
  expect(created.status).toBe(201);
  const id = created.body.id;
  const published = await call('POST', `/v1/notices/${id}/decisions`, reviewer, { decision: 'APPROVE' });
  expect(published.body.status).toBe('PUBLISHED');
  expect((await call('POST', `/v1/notices/${id}/responses`, france, { outcome: 'NO_ASSETS_FOUND' })).status).toBe(201);

  await system!.stop();
  system = undefined;
  await start();

  // Keys, pilot settings and the request are as they were; the admin key is not printed again.
  expect((await call('GET', '/v1/pilot', admin)).body.participants).toEqual(['ES', 'FR', 'IT']);
  const after = await call('GET', `/v1/notices/${id}`, italy);
  expect(after.body).toMatchObject({ status: 'PUBLISHED', reference: published.body.reference });

  // The deadline timers set before the restart still fire: Spain is reminded, then overdue.
  const overdue = await waitFor(
    async () => {
      const feed = await call('GET', '/v1/notifications', spain);
      return feed.body.items.filter((n: { noticeId: string }) => n.noticeId === id).map((n: { type: string }) => n.type) as string[];
    },
    (types) => types.includes('OVERDUE'),
    'the OVERDUE notification',
    60_000,
  );
  expect(overdue).toEqual(['PUBLISHED', 'REMINDER', 'OVERDUE']);
  expect((await call('GET', `/v1/notices/${id}`, spain)).body.recipients).toEqual([
    expect.objectContaining({ country: 'ES', status: 'OVERDUE' }),
  ]);

  // A late answer is accepted, marked late, and completes the request.
  expect(
    (await call('POST', `/v1/notices/${id}/responses`, spain, { outcome: 'UNABLE_TO_ASSIST', reason: 'Register offline' })).status,
  ).toBe(201);
  const completed = await waitFor(
    async () => (await call('GET', `/v1/notices/${id}`, italy)).body,
    (v) => v.status === 'COMPLETED',
    'COMPLETED',
    60_000,
  );
  expect(completed.recipients.map((r: { status: string }) => r.status)).toEqual(['RESPONDED', 'RESPONDED']);
  const responses = await call('GET', `/v1/notices/${id}/responses`, italy);
  expect(responses.body.items.map((r: { country: string; late: boolean }) => [r.country, r.late])).toEqual([
    ['FR', false],
    ['ES', true],
  ]);
  const events = await call('GET', `/v1/notices/${id}/events`, italy);
  expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(
    expect.arrayContaining(['SUBMITTED', 'SCREENED', 'DECISION', 'PUBLISHED', 'RESPONSE', 'REMINDERS_SENT', 'OVERDUE', 'COMPLETED']),
  );
});
