/**
 * Which failures mean that a part the system depends on is not answering right now (the database
 * or Temporal), as opposed to a defect. A caller of such a failure is told to try again later
 * (503 with Retry-After): the part comes back on its own, and nothing half-done is kept, because
 * every write is a transaction and every action reaches the workflow whole or not at all.
 */
import { isGrpcServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';

export type UnavailablePart = 'database' | 'temporal';

/**
 * Prisma's codes for a server that cannot be reached, timed out, closed the connection, or whose
 * connection pool had nothing to give in time; and the driver adapter's kinds for the same.
 */
const PRISMA_UNREACHABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const ADAPTER_UNREACHABLE = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/**
 * PostgreSQL's SQLSTATE classes 08 (connection exception) and 57P (the server shutting down,
 * crashed or starting up), and 53300 (too many connections): what a query meets while the server
 * stops, restarts or is overwhelmed.
 */
const unreachableSqlState = (code: unknown) => typeof code === 'string' && (/^08|^57P0[1-4]$/.test(code) || code === '53300');
/** Node's socket errors, for a driver that hands them on as they are. */
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
/** gRPC: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED (the Temporal frontend refusing load). */
const GRPC_UNAVAILABLE = new Set([14, 4, 8]);

interface AdapterCause {
  kind?: unknown;
  code?: unknown;
  originalCode?: unknown;
}
interface ErrorShape {
  code?: unknown;
  name?: unknown;
  meta?: { driverAdapterError?: { cause?: AdapterCause } };
  cause?: unknown;
}

function databaseUnreachable(e: ErrorShape): boolean {
  if (typeof e.code === 'string' && (PRISMA_UNREACHABLE.has(e.code) || SOCKET_ERRORS.has(e.code) || unreachableSqlState(e.code)))
    return true;
  // Prisma keeps the driver adapter's error in `meta`; the adapter's own error carries it as `cause`.
  const adapter =
    e.meta?.driverAdapterError?.cause ?? (e.name === 'DriverAdapterError' ? (e.cause as AdapterCause | undefined) : undefined);
  if (!adapter || typeof adapter !== 'object') return false;
  return (
    (typeof adapter.kind === 'string' && ADAPTER_UNREACHABLE.has(adapter.kind)) ||
    unreachableSqlState(adapter.originalCode) ||
    unreachableSqlState(adapter.code)
  );
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
