/**
 * `npm run backup` while `npm start` works requests, then `npm run restore` into a new folder and
 * `npm start` on it: the requests are there, their workflows go on (a deadline timer set before
 * the backup fires after the restore), and no request is left with a record its workflow does not
 * agree with. One "day" lasts 0.2 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { callApi, freePort, freshRequest, npmRunBackup, waitFor } from '../support/system';

const ROOT = path.resolve(__dirname, '../..');
const DAY_SECONDS = 0.2;

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
  api: string;
}

const running: Running[] = [];
const folders: string[] = [];

/** `npm start` in a process group of its own, on free ports, ready when /readyz is 200. */
async function npmStart(dataDir: string): Promise<Running> {
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      SILVER_TEMPORAL_PORT: String(await freePort()),
      SILVER_TEMPORAL_UI_PORT: String(await freePort()),
      SILVER_DATA_DIR: dataDir,
      SILVER_DAY_SECONDS: String(DAY_SECONDS),
      TEMPORAL_TASK_QUEUE: 'silver-backup',
      // waitFor polls every 50 ms, 1,200 calls a minute from one key: past the default limit.
      SILVER_RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const started = { child, exited, api: `http://127.0.0.1:${port}` };
  running.push(started);
  await waitFor(
    () =>
      fetch(`${started.api}/readyz`).then(
        (r) => r.status,
        () => 0,
      ),
    (s) => s === 200,
    'npm start to be ready',
    120_000,
  );
  return started;
}

/** Ctrl-C as a terminal sends it: to the whole group; the system stops cleanly. */
async function stop(s: Running): Promise<void> {
  process.kill(-s.child.pid!, 'SIGINT');
  expect(await s.exited).toBe(0);
  running.splice(running.indexOf(s), 1);
}

const tempFolder = (tag: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `silver-${tag}-`));
  folders.push(dir);
  return dir;
};

afterAll(() => {
  for (const s of running) {
    try {
      process.kill(-s.child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

/** What the original system acknowledged of one request of the load, and when. */
interface Acknowledged {
  id: string;
  created: number;
  published?: number;
  answered?: number;
}

test('a backup taken under load restores into a new folder where the requests and their workflows go on', async () => {
  const original = tempFolder('backup-original');
  let system = await npmStart(original);
  const admin = fs.readFileSync(path.join(original, 'admin-key'), 'utf8').trim();
  const call = (method: string, url: string, key: string, body?: unknown) => callApi(system.api, method, url, key, body);
  const untilCompleted = (notice: string) =>
    waitFor(
      async () => (await call('GET', `/v1/notices/${notice}`, italy)).body,
      (v) => v.status === 'COMPLETED',
      `${notice} to complete`,
      60_000,
    );
  expect(
    (await call('PUT', '/v1/pilot', admin, { participants: ['IT', 'FR', 'ES'], quotaTotal: 1000, recipientsLimitedToParticipants: false }))
      .status,
  ).toBe(200);
  const key = async (body: object) => (await call('POST', '/v1/api-keys', admin, body)).body.key as string;
  const [italy, france, spain, reviewer] = [
    await key({ role: 'NCB', country: 'IT' }),
    await key({ role: 'NCB', country: 'FR' }),
    await key({ role: 'NCB', country: 'ES' }),
    await key({ role: 'REVIEWER' }),
  ];

  // The request to follow: published, France has answered, Spain's deadline (250 "days" = 50 s)
  // falls well after the backup.
  const followed = await call('POST', '/v1/notices', italy, freshRequest({ responseDays: 250 }));
  expect(followed.status).toBe(201);
  const id = followed.body.id as string;
  const published = await call('POST', `/v1/notices/${id}/decisions`, reviewer, { decision: 'APPROVE' });
  expect(published.body.status).toBe('PUBLISHED');
  expect((await call('POST', `/v1/notices/${id}/responses`, france, { outcome: 'NO_ASSETS_FOUND' })).status).toBe(201);

  // Load: requests submitted, approved and answered by France, two at a time, until told to stop.
  const acknowledged: Acknowledged[] = [];
  const unexpected: string[] = [];
  let loading = true;
  const expectStatus = (what: string, res: { status: number; body: unknown }, status: number) => {
    if (res.status !== status) unexpected.push(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    return res.status === status;
  };
  const lane = async () => {
    while (loading) {
      const created = await call('POST', '/v1/notices', italy, freshRequest({ responseDays: 365 }));
      if (!expectStatus('submission', created, 201)) return;
      const ack: Acknowledged = { id: created.body.id, created: Date.now() };
      acknowledged.push(ack);
      if (!expectStatus('approval', await call('POST', `/v1/notices/${ack.id}/decisions`, reviewer, { decision: 'APPROVE' }), 200)) return;
      ack.published = Date.now();
      if (!expectStatus('answer', await call('POST', `/v1/notices/${ack.id}/responses`, france, { outcome: 'NO_ASSETS_FOUND' }), 201))
        return;
      ack.answered = Date.now();
    }
  };
  const lanes = Promise.all([lane(), lane()]);
  /** How many requests of the load got to `stage` after `since`; a lane that met a surprise stops the test. */
  const loaded = async (since = 0) => {
    if (unexpected.length) throw new Error(`the load met: ${unexpected.join('; ')}`);
    return acknowledged.filter((a) => (a.answered ?? 0) > since).length;
  };
  await waitFor(loaded, (n) => n >= 3, 'the load to get going', 60_000);

  const file = path.join(tempFolder('backup-files'), 'silver.backup');
  const backupStarted = Date.now();
  const backup = await npmRunBackup('backup', file, original);
  const backupEnded = Date.now();
  expect(backup).toEqual({
    code: 0,
    out: expect.stringMatching(/^Backup of .* written to .*silver\.backup \([\d.]+ MB; database statements held for \d+ ms\)/),
  });
  // The load went on through the backup and after it.
  const duringBackup = acknowledged.filter((a) => a.created > backupStarted).length;
  await waitFor(
    () => loaded(backupEnded),
    (n) => n >= 2,
    'the load to go on after the backup',
    60_000,
  );
  loading = false;
  await lanes;
  expect(unexpected).toEqual([]);
  await stop(system);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);

  // A restore never writes over a data dir in use.
  const refused = await npmRunBackup('restore', file, original);
  expect(refused.code).toBe(1);
  expect(refused.out).toMatch(/Restore failed: .* is not empty: a backup is restored into an empty or new data dir only/);
  expect(fs.readFileSync(path.join(original, 'admin-key'), 'utf8').trim()).toBe(admin);

  const restoredDir = path.join(tempFolder('backup-restored'), 'data');
  const restored = await npmRunBackup('restore', file, restoredDir);
  expect(restored).toEqual({ code: 0, out: expect.stringMatching(/rebuilt from the backup taken at/) });
  expect(fs.statSync(restoredDir).mode & 0o777).toBe(0o700);
  for (const secret of ['admin-key', 'payload-keys']) {
    expect(fs.readFileSync(path.join(restoredDir, secret), 'utf8')).toBe(fs.readFileSync(path.join(original, secret), 'utf8'));
    expect(fs.statSync(path.join(restoredDir, secret)).mode & 0o777).toBe(0o600);
  }

  system = await npmStart(restoredDir);
  // The same keys, settings and request, as the API shows them.
  expect((await call('GET', '/v1/pilot', admin)).body.participants).toEqual(['ES', 'FR', 'IT']);
  expect((await call('GET', `/v1/notices/${id}`, italy)).body).toMatchObject({ status: 'PUBLISHED', reference: published.body.reference });

  // Spain's deadline timer, set before the backup, fires in the restored system; a late answer ends the request.
  const spainsFeed = async () =>
    ((await call('GET', '/v1/notifications', spain)).body.items as Array<{ noticeId: string; type: string }>)
      .filter((n) => n.noticeId === id)
      .map((n) => n.type);
  await waitFor(spainsFeed, (types) => types.includes('OVERDUE'), 'the OVERDUE notification after the restore', 120_000);
  const late = await call('POST', `/v1/notices/${id}/responses`, spain, { outcome: 'NO_ASSETS_FOUND' });
  expect(late.status).toBe(201);
  const completed = await untilCompleted(id);
  expect(completed.recipients.map((r: { country: string; status: string }) => `${r.country} ${r.status}`).sort()).toEqual([
    'ES RESPONDED',
    'FR RESPONDED',
  ]);

  // Everything acknowledged before the backup began is in the copy, as it was acknowledged.
  for (const ack of acknowledged.filter((a) => a.created < backupStarted)) {
    const view = (await call('GET', `/v1/notices/${ack.id}`, italy)).body;
    expect({ id: ack.id, status: view.status }).toEqual({
      id: ack.id,
      status: ack.published! < backupStarted ? 'PUBLISHED' : expect.any(String),
    });
    if (ack.answered! < backupStarted)
      expect(view.recipients).toContainEqual(expect.objectContaining({ country: 'FR', status: 'RESPONDED' }));
  }

  // Every request of the copy has a workflow that agrees with its record: each is taken to its end.
  const ids: string[] = [];
  for (let cursor: string | null = null, first = true; first || cursor; first = false) {
    const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await call(
      'GET',
      `/v1/notices?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      reviewer,
    );
    ids.push(...page.body.items.map((n) => n.id));
    cursor = page.body.nextCursor;
  }
  expect(ids.length).toBeGreaterThan(acknowledged.filter((a) => a.created < backupStarted).length);
  for (const other of ids.filter((n) => n !== id)) {
    const view = (await call('GET', `/v1/notices/${other}`, italy)).body;
    if (view.status === 'UNDER_REVIEW' || view.status === 'SUBMITTED') {
      await waitFor(
        async () => (await call('POST', `/v1/notices/${other}/decisions`, reviewer, { decision: 'APPROVE' })).status,
        (s) => s === 200,
        `the approval of ${other} (${view.status} in the copy)`,
        30_000,
      );
    }
    const answers =
      view.recipients?.find((r: { country: string }) => r.country === 'FR')?.status === 'RESPONDED' ? [spain] : [france, spain];
    for (const answering of answers) {
      const answered = await call('POST', `/v1/notices/${other}/responses`, answering, { outcome: 'NO_ASSETS_FOUND' });
      expect({ other, status: answered.status }).toEqual({ other, status: 201 });
    }
    await untilCompleted(other);
  }
  console.log(
    `backup: ${backup.out.trim()}; ${acknowledged.length} requests of load, ${duringBackup} submitted while it ran; ` +
      `${ids.length} requests in the copy, each taken to COMPLETED`,
  );
  await stop(system);
}, 600_000);
