/**
 * Which failures mean that a part the system depends on is not answering right now (the database
 * or Temporal), as opposed to a defect. A caller of such a failure is told to try again later
 * (503 with Retry-After): the part comes back on its own, and nothing half-done is kept, because
 * every write is a transaction and every action reaches the workflow whole or not at all.
 *
 * Failures are told by their class and code, never by their wording: PostgreSQL's SQLSTATE (the
 * server's, or the connection exceptions prisma/pg-client.ts gives pg's own connection failures),
 * Node's socket error codes, the driver adapter's error kinds and Prisma's error codes, on the
 * error or any error it wraps. A failure none of them names, met while the database does not
 * answer a check made at once, is the database's outage too (`databaseOutageCheck`).
 */
import { isDriverAdapterError } from '@prisma/driver-adapter-utils';
import { PrismaClientInitializationError } from '@prisma/client/runtime/client';
import { isGrpcServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';

export type UnavailablePart = 'database' | 'temporal';

/**
 * Prisma's codes for a server that cannot be reached, timed out, closed the connection, or whose
 * connection pool had nothing to give in time, or a transaction cut short (P2028).
 */
const PRISMA_UNREACHABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const ADAPTER_UNREACHABLE = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/**
 * PostgreSQL's SQLSTATE class 08 (connection exception); 57P01-57P03 and 57P05 (the server shutting
 * down, crashed, starting up; an idle session ended); 53300 (too many connections): what a query
 * meets while the server stops, restarts or is overwhelmed.
 */
const unreachableSqlState = (code: unknown) => typeof code === 'string' && (/^08...$|^57P0[1235]$/.test(code) || code === '53300');
/** Node's socket errors, for a driver that hands them on as they are. */
const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** gRPC: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED (the Temporal frontend refusing load). */
const GRPC_UNAVAILABLE = new Set([14, 4, 8]);

/** A failure met while the database did not answer a check of its own (see `databaseOutageCheck`). */
export class DatabaseNotAnswering extends Error {
  constructor(readonly failure: unknown) {
    super('The database did not answer', { cause: failure });
    this.name = 'DatabaseNotAnswering';
  }
}

interface AdapterCause {
  kind?: unknown;
  code?: unknown;
  originalCode?: unknown;
}
interface ErrorShape {
  code?: unknown;
  meta?: { driverAdapterError?: unknown };
  cause?: unknown;
}

function adapterUnreachable(cause: AdapterCause | undefined): boolean {
  if (!cause || typeof cause !== 'object') return false;
  return (
    (typeof cause.kind === 'string' && ADAPTER_UNREACHABLE.has(cause.kind)) ||
    unreachableSqlState(cause.originalCode) ||
    unreachableSqlState(cause.code)
  );
}

function databaseUnreachable(e: ErrorShape): boolean {
  if (e instanceof DatabaseNotAnswering) return true;
  if (e instanceof PrismaClientInitializationError) return PRISMA_UNREACHABLE.has(e.errorCode ?? '');
  if (typeof e.code === 'string' && (PRISMA_UNREACHABLE.has(e.code) || SOCKET_ERRORS.has(e.code) || unreachableSqlState(e.code)))
    return true;
  // The driver adapter's error carries its kind as `cause`; Prisma keeps that error in `meta`.
  if (isDriverAdapterError(e)) return adapterUnreachable(e.cause);
  return adapterUnreachable((e.meta?.driverAdapterError as { cause?: AdapterCause } | undefined)?.cause);
}

/** The part that is not answering, if `err` (or an error it wraps) says one is; otherwise undefined. */
export function unavailablePart(err: unknown): UnavailablePart | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as ErrorShape).cause, depth++) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return 'temporal';
    if (isGrpcServiceError(e)) return GRPC_UNAVAILABLE.has(e.code) ? 'temporal' : undefined;
    if (databaseUnreachable(e as ErrorShape)) return 'database';
  }
  return undefined;
}

export interface OutageCheckOptions {
  /** How long the database has to answer the check: one that hangs does not answer. */
  timeoutMs?: number;
  /** How long an answer stands for the failures that follow: an outage fails many calls at once. */
  reuseMs?: number;
}

/**
 * For a failure `unavailablePart` does not name: the failure itself when the database answers
 * `ask` (a cheap query) within `timeoutMs`, a `DatabaseNotAnswering` wrapping it when not. One check
 * runs at a time; while one is still unanswered past `timeoutMs`, the answer is no without asking
 * again, so a database that hangs is not sent a check for every failing call.
 */
export function databaseOutageCheck(ask: () => Promise<unknown>, { timeoutMs = 2000, reuseMs = 1000 }: OutageCheckOptions = {}) {
  let running: { since: number; answered: Promise<boolean> } | undefined;
  let last: { at: number; answered: boolean } | undefined;

  async function databaseAnswers(): Promise<boolean> {
    const now = Date.now();
    if (last && now - last.at < reuseMs) return last.answered;
    if (running && now - running.since >= timeoutMs) return false;
    if (!running) {
      const check = {
        since: now,
        answered: Promise.resolve()
          .then(ask)
          .then(
            () => true,
            () => false,
          )
          .finally(() => {
            if (running === check) running = undefined;
          }),
      };
      running = check;
    }
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      running.answered,
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, running!.since + timeoutMs - now)))),
    ]);
    clearTimeout(timer);
    last = { at: Date.now(), answered };
    return answered;
  }

  return async (err: unknown): Promise<unknown> => {
    if (unavailablePart(err)) return err;
    return (await databaseAnswers()) ? err : new DatabaseNotAnswering(err);
  };
}
