/**
 * Every error the database stack raises when PostgreSQL does not answer is an outage (503 with
 * Retry-After), told by its class and code: pg's (the server's SQLSTATE, Node's socket errors, the
 * connection failures pg words itself, which the system's Client gives a SQLSTATE), the driver
 * adapter's kinds, Prisma's codes and classes; and a failure none of them names is one while the
 * database does not answer a check. Errors here are made by the classes that make them, or by pg
 * itself against servers that refuse, never answer, or are full.
 */
import net, { type AddressInfo } from 'node:net';
import {
  PrismaClientInitializationError,
  PrismaClientKnownRequestError,
  PrismaClientRustPanicError,
  PrismaClientUnknownRequestError,
} from '@prisma/client/runtime/client';
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { problemBody, toProblem } from '../../api/problem';
import { ConnectionAwareClient, ConnectionException } from '../../prisma/pg-client';
import { databaseOutageCheck, DatabaseNotAnswering, unavailablePart } from '../../services/outages';

const clientVersion = '7.10.0';
const sqlState = (code: string, message = 'server said so') =>
  Object.assign(new pg.DatabaseError(message, 0, 'error'), { code, severity: 'FATAL' });
const adapter = (cause: object) => new DriverAdapterError(cause as ConstructorParameters<typeof DriverAdapterError>[0]);
const known = (code: string, driverAdapterError?: DriverAdapterError) =>
  new PrismaClientKnownRequestError(`prisma ${code}`, { code, clientVersion, meta: driverAdapterError ? { driverAdapterError } : {} });
const postgres = (code: string) =>
  adapter({ kind: 'postgres', code, severity: 'FATAL', message: 'm', originalCode: code, originalMessage: 'm' });

/** An outage of the database as the API answers it: 503, Retry-After, the project's problem. */
function expectDatabaseOutage(err: unknown): void {
  expect(unavailablePart(err)).toBe('database');
  const problem = toProblem(err);
  expect(problem).toMatchObject({ status: 503, retryAfter: expect.any(Number) });
  const { type, title } = problemBody(503);
  expect(problemBody(problem.status, problem.detail)).toMatchObject({
    type,
    title,
    status: 503,
    detail: expect.stringContaining('database'),
  });
}

/** A server that takes connections and never says a word, as one that hangs. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One protocol message: its type byte, its length, its body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const errorFields = (fields: Record<string, string>) =>
  message('E', Buffer.concat([...Object.entries(fields).map(([k, v]) => Buffer.from(`${k}${v}\0`)), Buffer.from([0])]));
const READY = message('Z', Buffer.from('I'));

/**
 * Just enough of a PostgreSQL server for pg to connect (or to be cut off during the handshake) and
 * to have its every query refused as a syntax error; then its connections are broken on demand.
 */
async function fakePostgres({ handshake }: { handshake: boolean }) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let started = false;
    socket.on('data', () => {
      if (!started) {
        started = true;
        if (!handshake) return void socket.destroy();
        return void socket.write(Buffer.concat([message('R', Buffer.from([0, 0, 0, 0])), READY]));
      }
      if (!socket.writableEnded)
        socket.write(Buffer.concat([errorFields({ S: 'ERROR', V: 'ERROR', C: '42601', M: 'syntax error' }), READY]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    /** PostgreSQL's FATAL on an administrator's shutdown, the end of the connection without a word, or a reset. */
    async breakConnections(how: 'fatal' | 'end' | 'reset') {
      for (const socket of sockets) {
        if (how === 'fatal')
          socket.end(errorFields({ S: 'FATAL', V: 'FATAL', C: '57P01', M: 'terminating connection due to administrator command' }));
        else if (how === 'end') socket.end();
        else socket.resetAndDestroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('by SQLSTATE: what the server answers, and what pg says of a connection', () => {
  test.each([
    ['08000 connection exception', '08000'],
    ['08001 a connection could not be made', '08001'],
    ['08003 no connection', '08003'],
    ['08006 the connection failed', '08006'],
    ['57P01 administrator shutdown', '57P01'],
    ['57P02 crash shutdown', '57P02'],
    ['57P03 the server is starting up', '57P03'],
    ['53300 too many connections', '53300'],
  ])('%s', (_what, code) => {
    expectDatabaseOutage(sqlState(code));
    // As Prisma passes it on: the adapter's error kept in meta (P2010 for raw queries, P2039 for others).
    expectDatabaseOutage(known('P2039', postgres(code)));
    expectDatabaseOutage(known('P2010', postgres(code)));
  });

  test.each([
    ['23505 unique violation', '23505'],
    ['40001 serialization failure', '40001'],
    ['42P01 no such table', '42P01'],
    ['57014 a statement cancelled (its timeout)', '57014'],
    ['28P01 a wrong password', '28P01'],
  ])('not an outage: %s', (_what, code) => {
    expect(unavailablePart(sqlState(code))).toBeUndefined();
    expect(unavailablePart(known('P2039', postgres(code)))).toBeUndefined();
    expect(toProblem(sqlState(code)).status).toBe(500);
  });

  test.each([
    ['a client whose connection errored is not queryable', 'Client has encountered a connection error and is not queryable'],
    ['the connection ended under a query', 'Connection terminated unexpectedly'],
    ['the connection did not open in time', 'Connection terminated due to connection timeout'],
  ])('pg words it, the system’s Client codes it: %s', (_what, wording) => {
    expectDatabaseOutage(new ConnectionException('08006', new Error(wording)));
    // The same words alone name nothing: wording is not what tells an outage.
    expect(unavailablePart(new Error(wording))).toBeUndefined();
  });
});

describe('pg itself, with the Client the system gives its pool', () => {
  test('a refused connection: the socket error as Node raises it', async () => {
    const client = new ConnectionAwareClient({ host: '127.0.0.1', port: await closedPort() });
    const err = await client.connect().catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expectDatabaseOutage(err);
  });

  test('pool timeouts: a connection not made in time, and no connection free in time', async () => {
    const server = await silentServer();
    const pool = new pg.Pool({ host: '127.0.0.1', port: server.port, max: 1, connectionTimeoutMillis: 300, Client: ConnectionAwareClient });
    try {
      const [opening, waiting] = await Promise.all([pool.connect().catch((e: Error) => e), pool.connect().catch((e: Error) => e)]);
      expect((opening as Error).message).toBe('Connection terminated due to connection timeout');
      expectDatabaseOutage(opening);
      // The pool's own timeout carries no code: the database not answering a check is what tells it.
      expect((waiting as Error).message).toBe('timeout exceeded when trying to connect');
      expect(unavailablePart(waiting)).toBeUndefined();
      const recheck = databaseOutageCheck(() => pool.query('SELECT 1'), { timeoutMs: 500 });
      expectDatabaseOutage(await recheck(waiting));
    } finally {
      await pool.end();
      await server.close();
    }
  });

  test('a handshake cut short: a connection exception (08001)', async () => {
    const server = await fakePostgres({ handshake: false });
    const err = await new ConnectionAwareClient({ host: '127.0.0.1', port: server.port }).connect().catch((e: unknown) => e);
    await server.close();
    expect((err as ConnectionException).cause).toEqual(new Error('Connection terminated unexpectedly'));
    expectDatabaseOutage(err);
  });

  test.each([
    ['the server ends the connection (FATAL 57P01) while the client is idle', 'fatal', undefined],
    ['the connection ends with no word under a query', 'end', 'Connection terminated unexpectedly'],
    ['the connection is reset under a query', 'reset', 'read ECONNRESET'],
  ] as const)(
    'after %s, every error the Client raises is a connection exception; before, errors are the server’s',
    async (_what, how, queryFailure) => {
      const server = await fakePostgres({ handshake: true });
      const client = new ConnectionAwareClient({ host: '127.0.0.1', port: server.port });
      // What pg emits when the connection breaks is what the pool's `query` answers with.
      const emitted: unknown[] = [];
      client.on('error', (err) => emitted.push(err));
      await client.connect();
      const before = await client.query('SELECT nonsense').catch((e: unknown) => e);
      expect(before).toBeInstanceOf(pg.DatabaseError);
      expect(unavailablePart(before)).toBeUndefined();

      const underQuery = queryFailure ? client.query('SELECT 1').catch((e: unknown) => e) : undefined;
      await server.breakConnections(how);
      if (underQuery) {
        const err = await underQuery;
        expect(err).toMatchObject({ message: queryFailure });
        expectDatabaseOutage(err);
      }
      const promised = await client.query('SELECT 1').catch((e: unknown) => e);
      const calledBack = await new Promise((resolve) => client.query('SELECT 1', [], (e: Error) => resolve(e)));
      expect(emitted.length).toBeGreaterThan(0);
      for (const err of emitted) expectDatabaseOutage(err);
      for (const err of [promised, calledBack]) {
        expect(err).toBeInstanceOf(ConnectionException);
        expect((err as ConnectionException).cause).toEqual(new Error('Client has encountered a connection error and is not queryable'));
        expectDatabaseOutage(err);
      }
      await server.close();
    },
  );
});

describe("the driver adapter's kinds and Prisma's codes and classes", () => {
  test.each([
    ['DatabaseNotReachable', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }],
    ['ConnectionClosed', { kind: 'ConnectionClosed' }],
    ['SocketTimeout', { kind: 'SocketTimeout' }],
    ['TooManyConnections', { kind: 'TooManyConnections', cause: 'too many' }],
  ])('adapter kind %s, alone and as Prisma keeps it', (_kind, cause) => {
    expectDatabaseOutage(adapter(cause));
    expectDatabaseOutage(known('P1001', adapter(cause)));
  });

  test.each([
    ['P1001', 'the server cannot be reached'],
    ['P1002', 'the server timed out'],
    ['P1008', 'operations timed out'],
    ['P1017', 'the server closed the connection'],
    ['P2024', 'no connection from the pool in time'],
    ['P2028', 'a transaction cut short (not found, expired, not started in time)'],
  ])('%s: %s', (code) => {
    expectDatabaseOutage(known(code));
  });

  test('an engine that could not start for want of a server', () => {
    expectDatabaseOutage(new PrismaClientInitializationError("Can't reach database server", clientVersion, 'P1001'));
  });

  test('unknown errors and panics wrapping a connection failure; without one they are the check’s to judge', () => {
    const lost = new ConnectionException('08006', new Error('Connection terminated unexpectedly'));
    const unknown = new PrismaClientUnknownRequestError('unknown', { clientVersion });
    const panic = new PrismaClientRustPanicError('PANIC', clientVersion);
    for (const err of [unknown, panic]) {
      expect(unavailablePart(err)).toBeUndefined();
      expectDatabaseOutage(Object.assign(err, { cause: lost }));
    }
    expectDatabaseOutage(new DatabaseNotAnswering(new PrismaClientUnknownRequestError('unknown', { clientVersion })));
  });

  test.each([
    ['a unique violation', known('P2002')],
    ['an adapter kind of a defect', known('P2002', adapter({ kind: 'UniqueConstraintViolation', constraint: { fields: ['id'] } }))],
    ['a record not found', known('P2025')],
  ])('not an outage: %s', (_what, err) => {
    expect(unavailablePart(err)).toBeUndefined();
  });
});

describe('a failure nothing names, checked against the database', () => {
  const defect = () => new TypeError('x is undefined');

  test('the database answers: the failure stays what it is (500)', async () => {
    const recheck = databaseOutageCheck(async () => [{ '?column?': 1 }]);
    const err = defect();
    expect(await recheck(err)).toBe(err);
    expect(toProblem(await recheck(err)).status).toBe(500);
  });

  test('the database refuses: an outage, the failure kept as its cause', async () => {
    const err = defect();
    const seen = (await databaseOutageCheck(() => Promise.reject(new Error('refused')))(err)) as DatabaseNotAnswering;
    expect(seen).toBeInstanceOf(DatabaseNotAnswering);
    expect(seen.cause).toBe(err);
    expectDatabaseOutage(seen);
  });

  test('the database hangs: an outage after the check’s time, and no second check while the first still waits', async () => {
    let asked = 0;
    const recheck = databaseOutageCheck(() => (asked++, new Promise(() => undefined)), { timeoutMs: 200, reuseMs: 0 });
    const started = Date.now();
    const answers = await Promise.all([recheck(defect()), recheck(defect()), recheck(defect())]);
    expect(Date.now() - started).toBeLessThan(1000);
    for (const err of answers) expectDatabaseOutage(err);
    const again = Date.now();
    expectDatabaseOutage(await recheck(defect()));
    expect(Date.now() - again).toBeLessThan(50);
    expect(asked).toBe(1);
  });

  test('one answer stands for the failures that follow it within reuseMs', async () => {
    let asked = 0;
    const recheck = databaseOutageCheck(async () => asked++, { reuseMs: 60_000 });
    await recheck(defect());
    await recheck(defect());
    expect(asked).toBe(1);
  });

  test('what is already named is not checked', async () => {
    let asked = 0;
    const recheck = databaseOutageCheck(async () => asked++);
    const err = known('P1001');
    expect(await recheck(err)).toBe(err);
    expect(asked).toBe(0);
  });
});
