/**
 * A PostgreSQL connection that breaks under a call, inside a transaction or outside one, in each
 * way an outage breaks it, is answered 503 with Retry-After and the project's problem, never 500:
 * the server's FATAL on shutdown, a connection that ends with no word, one that broke while the
 * transaction waited between statements (pg then refuses the next one: "not queryable"), a server
 * gone altogether. The breaks are made by a proxy in front of a PostgreSQL server of the test's own,
 * so that pg, the driver adapter and Prisma raise exactly what they raise in an outage.
 */
import { openPreparedDatabase } from '../../prisma/migrate';
import { problemBody } from '../../api/problem';
import { testDatabaseKind } from '../support/database';
import { freshRequest, waitFor, type Reply } from '../support/helpers';
import { startPgFaultProxy, type Fault, type PgFaultProxy } from '../support/pg-fault-proxy';
import { createPgServer, type PgServer } from '../support/pg-server';
import { freePort, startTestSystem, type TestSystem } from '../support/system';

function expectOutage(res: Reply): void {
  if (res.status !== 503) throw new Error(`expected 503, got ${res.status}: ${JSON.stringify(res.body)}`);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  const { type, title } = problemBody(503);
  expect(res.body).toMatchObject({ type, title, status: 503, detail: expect.stringContaining('database') });
}

/** The submission's transaction: its first statement, and the request's row written after it. */
const QUOTA_LOCK = /pg_advisory_xact_lock/;
const NOTICE_INSERT = /^INSERT INTO "public"\."Notice"/;
const BEGIN = /^BEGIN/;
/** A read of one request, outside any transaction. */
const NOTICE_READ = /FROM "public"\."Notice"/;

// PostgreSQL's server binaries are needed: it runs with the postgres project, as test/api/outages.test.ts.
(testDatabaseKind() === 'postgres' ? describe : describe.skip)('a database connection broken under a call', () => {
  let pg: PgServer;
  let proxy: PgFaultProxy;
  let sys: TestSystem;
  let ncb: string;
  let readable: string;

  beforeAll(async () => {
    pg = await createPgServer(await freePort());
    proxy = await startPgFaultProxy(pg.url);
    sys = await startTestSystem({ db: (await openPreparedDatabase({ url: proxy.url })).db });
    ncb = await sys.key('NCB', 'IT');
    await sys.pilot(['IT', 'FR', 'ES']);
    readable = (await submitAndSettle()).id;
  });
  afterAll(async () => {
    await proxy?.up().catch(() => undefined);
    await sys?.stop();
    await proxy?.close();
    await pg?.destroy();
  });

  const submit = () => sys.call('POST', '/v1/notices', { key: ncb, body: freshRequest() });
  /**
   * A submission that succeeds, waited for until its workflow has screened it: then no transaction
   * of a workflow step runs beside the next call's, and a fault meets the call it is meant for.
   */
  async function submitAndSettle(): Promise<{ id: string }> {
    const created = await submit();
    expect(created.status).toBe(201);
    await waitFor(
      () => sys.call('GET', `/v1/notices/${created.body.id}`, { key: ncb }),
      (r) => r.body.status === 'UNDER_REVIEW',
      'the request to be screened',
    );
    return created.body;
  }

  test.each<[string, Fault]>([
    [
      'the server ends it (FATAL 57P01) while the transaction waits between statements: the next is refused as not queryable',
      { statement: QUOTA_LOCK, inTransaction: true, when: 'after-answer', break: 'fatal' },
    ],
    [
      'it ends with no word while the transaction waits between statements',
      { statement: QUOTA_LOCK, inTransaction: true, when: 'after-answer', break: 'cut' },
    ],
    [
      'the server ends it (FATAL 57P01) under a statement',
      { statement: NOTICE_INSERT, inTransaction: true, when: 'instead-of-answer', break: 'fatal' },
    ],
    ['it ends with no word under a statement', { statement: NOTICE_INSERT, inTransaction: true, when: 'instead-of-answer', break: 'cut' }],
    ['it ends with no word under BEGIN', { statement: BEGIN, when: 'instead-of-answer', break: 'cut' }],
  ])('inside a transaction: %s', async (_what, fault) => {
    const broken = proxy.arm(fault);
    expectOutage(await submit());
    await broken;
    // The server is still there: the next call is given a new connection.
    await submitAndSettle();
  });

  test.each<[string, Fault]>([
    [
      'the server ends it (FATAL 57P01) under a read',
      { statement: NOTICE_READ, inTransaction: false, when: 'instead-of-answer', break: 'fatal' },
    ],
    ['it ends with no word under a read', { statement: NOTICE_READ, inTransaction: false, when: 'instead-of-answer', break: 'cut' }],
  ])('outside a transaction: %s', async (_what, fault) => {
    const broken = proxy.arm(fault);
    expectOutage(await sys.call('GET', `/v1/notices/${readable}`, { key: ncb }));
    await broken;
    expect((await sys.call('GET', `/v1/notices/${readable}`, { key: ncb })).status).toBe(200);
  });

  test('the server goes away while a transaction waits: that call and every call after it are 503 until it is back', async () => {
    const broken = proxy.arm({ statement: QUOTA_LOCK, inTransaction: true, when: 'after-answer', break: 'fatal', thenDown: true });
    expectOutage(await submit());
    await broken;
    expectOutage(await submit());
    expectOutage(await sys.call('GET', `/v1/notices/${readable}`, { key: ncb }));
    await proxy.up();
    await submitAndSettle();
  });

  test('a failure no driver names is 500 while the database answers, 503 while it does not', async () => {
    const { view } = sys.services.reading;
    try {
      sys.services.reading.view = async () => {
        throw new TypeError('a failure no driver names');
      };
      expect((await sys.call('GET', `/v1/notices/${readable}`, { key: ncb })).status).toBe(500);
      // The recheck's answer stands for a second: the next one asks again.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      sys.services.reading.view = async () => {
        await proxy.down();
        throw new TypeError('a failure no driver names');
      };
      expectOutage(await sys.call('GET', `/v1/notices/${readable}`, { key: ncb }));
    } finally {
      sys.services.reading.view = view;
      await proxy.up();
    }
    expect((await sys.call('GET', `/v1/notices/${readable}`, { key: ncb })).status).toBe(200);
  });
});

if (testDatabaseKind() === 'pglite') test('(connection failures run with the postgres project)', () => undefined);
