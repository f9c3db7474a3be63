/**
 * While the database or Temporal is down the API answers 503 problem+json with Retry-After (never
 * 500), loses nothing, and resumes on its own once the part is back. Each part is one the test runs
 * itself, so stopping it disturbs nobody: a PostgreSQL server of its own (the shared one serves
 * other test runs), and a Temporal dev server kept on disk across its restart.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPreparedDatabase } from '../../prisma/migrate';
import { startDevServer, type DevServer } from '../../temporal/dev-server';
import { testDatabaseKind } from '../support/database';
import { expectProblem, freshRequest, publish, waitFor, type Reply } from '../support/helpers';
import { createPgServer, type PgServer } from '../support/pg-server';
import { freePort, startTestSystem, type TestSystem } from '../support/system';

/** A 503 problem that says when to try again. */
function expectOutage(res: Reply): void {
  expectProblem(res, 503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
}

const ready = (sys: TestSystem) => sys.call('GET', '/readyz');

// The database outage needs PostgreSQL's server binaries: it runs with the postgres project.
(testDatabaseKind() === 'postgres' ? describe : describe.skip)('the database stopped', () => {
  let pg: PgServer;
  let sys: TestSystem;
  beforeAll(async () => {
    pg = await createPgServer(await freePort());
    sys = await startTestSystem({ db: (await openPreparedDatabase({ url: pg.url })).db });
  });
  afterAll(async () => {
    if (!pg.running()) await pg.start();
    await sys?.stop();
    await pg?.destroy();
  });

  test('every call is 503 with Retry-After while it is down; afterwards a repeated submission creates one request', async () => {
    const [ncb, reviewer] = [await sys.key('NCB', 'IT'), await sys.key('REVIEWER')];
    await sys.pilot(['IT', 'FR', 'ES']);
    const published = await publish(sys, ncb, reviewer);
    const body = freshRequest();
    const idempotency = { 'Idempotency-Key': crypto.randomUUID() };

    await pg.stop();
    expectOutage(await sys.call('GET', `/v1/notices/${published.id}`, { key: ncb }));
    expectOutage(await sys.call('POST', '/v1/notices', { key: ncb, body, headers: idempotency }));
    expectOutage(await sys.call('POST', `/v1/notices/${published.id}/cancellation`, { key: reviewer, body: { reason: 'New facts' } }));
    expectOutage(await sys.call('GET', '/v1/notices', { key: 'not-a-key' }));
    const down = await ready(sys);
    expect(down.status).toBe(503);
    expect(down.body.checks).toEqual({ database: 'not ready', temporal: 'ok' });

    await pg.start();
    await waitFor(
      () => ready(sys),
      (r) => r.status === 200,
      'the API to be ready again',
    );
    const first = await sys.call('POST', '/v1/notices', { key: ncb, body, headers: idempotency });
    const again = await sys.call('POST', '/v1/notices', { key: ncb, body, headers: idempotency });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.id).toBe(first.body.id);
    await waitFor(
      () => sys.call('GET', `/v1/notices/${first.body.id}`, { key: ncb }),
      (r) => r.body.status === 'UNDER_REVIEW',
      'the request to be screened',
    );
    const mine = await sys.call('GET', '/v1/notices?as=REQUESTER&limit=100', { key: ncb });
    expect(
      mine.body.items.filter((n: { subject: { familyName: string } }) => n.subject.familyName === body.subject.familyName),
    ).toHaveLength(1);
    expect((await sys.call('GET', `/v1/notices/${published.id}`, { key: ncb })).body.status).toBe('PUBLISHED');
  });
});

(testDatabaseKind() === 'pglite' ? describe : describe.skip)('the Temporal server stopped and started again', () => {
  let dir: string;
  let temporal: DevServer;
  let sys: TestSystem;
  const startTemporal = async (port: number) =>
    startDevServer({ dataDir: path.join(dir, 'temporal'), port, uiPort: await freePort(), namespace: 'default', log: () => undefined });
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'silver-outage-'));
    temporal = await startTemporal(await freePort());
    sys = await startTestSystem({ temporalAddress: temporal.address });
  });
  afterAll(async () => {
    await sys?.stop();
    await temporal?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('actions are 503 with Retry-After while it is down, reading still works, and afterwards every action lands once', async () => {
    const [ncb, fr, es, reviewer] = [
      await sys.key('NCB', 'IT'),
      await sys.key('NCB', 'FR'),
      await sys.key('NCB', 'ES'),
      await sys.key('REVIEWER'),
    ];
    await sys.pilot(['IT', 'FR', 'ES']);
    const published = await publish(sys, ncb, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
    const body = freshRequest();
    const submission = { 'Idempotency-Key': crypto.randomUUID() };
    const answer = { outcome: 'NO_ASSETS_FOUND', final: true };
    const answerKey = { 'Idempotency-Key': crypto.randomUUID() };
    const port = Number(temporal.address.split(':')[1]);

    await temporal.stop();
    expectOutage(await sys.call('POST', `/v1/notices/${published.id}/responses`, { key: fr, body: answer, headers: answerKey }));
    expectOutage(await sys.call('POST', '/v1/notices', { key: ncb, body, headers: submission }));
    expect((await sys.call('GET', `/v1/notices/${published.id}`, { key: ncb })).status).toBe(200);
    const down = await ready(sys);
    expect(down.status).toBe(503);
    expect(down.body.checks).toEqual({ database: 'ok', temporal: 'not ready' });

    temporal = await startTemporal(port);
    await waitFor(
      () => ready(sys),
      (r) => r.status === 200,
      'the API to be ready again',
      60_000,
    );
    for (const _ of [1, 2]) {
      expect((await sys.call('POST', `/v1/notices/${published.id}/responses`, { key: fr, body: answer, headers: answerKey })).status).toBe(
        201,
      );
    }
    expect((await sys.call('POST', `/v1/notices/${published.id}/responses`, { key: es, body: answer })).status).toBe(201);
    const answers = await sys.call('GET', `/v1/notices/${published.id}/responses`, { key: ncb });
    expect(answers.body.items.map((a: { country: string }) => a.country).sort()).toEqual(['ES', 'FR']);
    expect((await sys.call('GET', `/v1/notices/${published.id}`, { key: ncb })).body.status).toBe('COMPLETED');

    const submitted = await sys.call('POST', '/v1/notices', { key: ncb, body, headers: submission });
    expect(submitted.status).toBe(201);
    await waitFor(
      () => sys.call('GET', `/v1/notices/${submitted.body.id}`, { key: ncb }),
      (r) => r.body.status === 'UNDER_REVIEW',
      'the request recorded during the outage to be screened',
      60_000,
    );
  });
});

if (testDatabaseKind() === 'postgres') test('(the Temporal outage runs with the pglite project)', () => undefined);
