/**
 * A TCP proxy in front of a PostgreSQL server that breaks connections the way an outage does, at
 * the moment a test chooses, so that `pg` raises exactly what it raises then: the server's FATAL
 * answer, a connection that ends under a query, one that broke while idle in a transaction (the
 * next statement then finds the client "not queryable"), connections refused. It reads the
 * protocol's message frames (a type byte and a length) to know which statement is on the wire and
 * whether the connection is inside a transaction; it never changes what it forwards.
 */
import net, { type AddressInfo } from 'node:net';

/** What a broken connection looks like to the client. */
export type Break =
  /** PostgreSQL's own answer on an administrator's shutdown (pg_ctl stop -m fast), then the end of the connection. */
  | 'fatal'
  /** The connection ends with no word (a server killed, a network cut). */
  | 'cut';

export interface Fault {
  /** The statement (its SQL) that sets the fault off. */
  statement: RegExp;
  /** Only inside a transaction block, only outside one, or either. */
  inTransaction?: boolean;
  /** Instead of answering it (the break comes while it runs), or after its answer (while the client is idle). */
  when: 'instead-of-answer' | 'after-answer';
  break: Break;
  /** The server goes away with the connection: new connections are refused until `up()`. */
  thenDown?: boolean;
}

export interface PgFaultProxy {
  /** The server's URL with the proxy's port. */
  url: string;
  /** The next statement matching `fault` breaks its connection; resolves once it has. */
  arm(fault: Fault): Promise<void>;
  /** Refuses new connections and ends the open ones, as a stopped server does. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** The statements seen, with whether they ran inside a transaction (for writing faults). */
  seen: { sql: string; inTransaction: boolean }[];
  close(): Promise<void>;
}

const FATAL_ADMIN_SHUTDOWN = errorResponse([
  ['S', 'FATAL'],
  ['V', 'FATAL'],
  ['C', '57P01'],
  ['M', 'terminating connection due to administrator command'],
]);

function errorResponse(fields: [string, string][]): Buffer {
  const body = Buffer.concat([...fields.map(([code, value]) => Buffer.from(`${code}${value}\0`)), Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** Splits a stream into protocol messages; the first message from a client has no type byte. */
function frames(untypedFirst: boolean, onMessage: (message: Buffer) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let untyped = untypedFirst;
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const header = untyped ? 4 : 5;
      if (pending.length < header) return;
      const length = pending.readInt32BE(untyped ? 0 : 1) + (untyped ? 0 : 1);
      if (pending.length < length) return;
      onMessage(pending.subarray(0, length));
      pending = pending.subarray(length);
      untyped = false;
    }
  };
}

/**
 * The SQL a message runs, once per run: a simple query ('Q'), an unnamed statement when it is
 * parsed ('P'), a named one when it is bound ('B'), since the system prepares a statement once per
 * connection and then only binds it (prisma/prepared-statements.ts). `prepared` is the
 * connection's named statements, learnt from their Parse. Undefined for other messages.
 */
function statementOf(message: Buffer, prepared: Map<string, string>): string | undefined {
  const type = String.fromCharCode(message[0]);
  const cstring = (at: number) => {
    const end = message.indexOf(0, at);
    return { text: message.toString('utf8', at, end), next: end + 1 };
  };
  if (type === 'Q') return cstring(5).text;
  if (type === 'P') {
    const name = cstring(5);
    const sql = cstring(name.next).text;
    if (name.text === '') return sql;
    prepared.set(name.text, sql);
    return undefined;
  }
  if (type === 'B') {
    const statement = cstring(cstring(5).next).text;
    return statement === '' ? undefined : prepared.get(statement);
  }
  return undefined;
}

export async function startPgFaultProxy(serverUrl: string): Promise<PgFaultProxy> {
  const target = new URL(serverUrl);
  const sockets = new Set<net.Socket>();
  const armed: { fault: Fault; fired: () => void }[] = [];
  const seen: PgFaultProxy['seen'] = [];
  let server: net.Server | undefined;
  let port = 0;

  const endAll = () => {
    for (const socket of sockets) socket.destroy();
  };

  const onConnection = (client: net.Socket) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    let inTransaction = false;
    const prepared = new Map<string, string>();
    let breakAfterAnswer: { fault: Fault; fired: () => void } | undefined;
    const breakNow = ({ fault, fired }: { fault: Fault; fired: () => void }) => {
      if (fault.break === 'fatal') client.end(FATAL_ADMIN_SHUTDOWN);
      else client.destroy();
      upstream.destroy();
      if (fault.thenDown) void down();
      fired();
    };
    const fromClient = frames(true, (message) => {
      if (client.destroyed || upstream.destroyed) return;
      const sql = statementOf(message, prepared);
      if (sql !== undefined) {
        seen.push({ sql, inTransaction });
        const index = armed.findIndex(
          ({ fault }) => fault.statement.test(sql) && (fault.inTransaction === undefined || fault.inTransaction === inTransaction),
        );
        if (index >= 0) {
          const [hit] = armed.splice(index, 1);
          if (hit.fault.when === 'instead-of-answer') return breakNow(hit);
          breakAfterAnswer = hit;
        }
      }
      upstream.write(message);
    });
    const fromServer = frames(false, (message) => {
      if (client.destroyed) return;
      client.write(message);
      // ReadyForQuery: the statement is answered; its status byte says whether a transaction is open.
      if (message[0] === 'Z'.charCodeAt(0)) {
        inTransaction = message[5] !== 'I'.charCodeAt(0);
        if (
          breakAfterAnswer &&
          (breakAfterAnswer.fault.inTransaction === undefined || breakAfterAnswer.fault.inTransaction === inTransaction)
        ) {
          const hit = breakAfterAnswer;
          breakAfterAnswer = undefined;
          breakNow(hit);
        }
      }
    });
    client.on('data', fromClient);
    upstream.on('data', fromServer);
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        other.end();
      });
    }
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer(onConnection);
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      const closing = server;
      server = undefined;
      endAll();
      if (closing) closing.close(() => resolve());
      else resolve();
    });

  await listen();
  const url = new URL(serverUrl);
  url.port = String(port);
  url.hostname = '127.0.0.1';
  return {
    url: url.toString(),
    seen,
    arm: (fault) => new Promise<void>((fired) => armed.push({ fault, fired })),
    down,
    up: listen,
    close: down,
  };
}
