/**
 * The perimeter's use cases: counting calls for the rate limiter (in the database, so every API
 * process shares the counts) and recording refused calls without slowing the refusal down.
 */
import {
  callsCounted,
  countCall,
  countKeyCall,
  forgetCalls,
  forgetWindowsBefore,
  listSecurityEvents,
  recordSecurityEvents,
  uncountCall,
  type SecurityEventRow,
} from '../records/perimeter';
import type { ServiceDeps } from './context';
import { invalid } from './refusals';
import { cursorCodec } from './cursors';

export const SECURITY_EVENT_KINDS = ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND_HIDDEN', 'RATE_LIMITED', 'PASSKEY_FAILED'] as const;
export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

export interface RefusedCall {
  kind: SecurityEventKind;
  keyId?: string;
  userId?: string;
  method: string;
  path: string;
  ip: string;
}

export interface CallCounterOptions {
  /** The clients counted are API keys (by id): each count also notes the key's use (`lastUsedAt`), in the same statement. */
  keyUse?: boolean;
}

/**
 * Call counts per client in fixed windows of `windowMs`: the shape of an express-rate-limit store
 * (increment, decrement, resetKey, get), so the API's limiter can use it as it is.
 */
export function callCounter(deps: ServiceDeps, windowMs: number, prefix: string, o: CallCounterOptions = {}) {
  const { prisma } = deps;
  const windowOf = (now = Date.now()) => new Date(now - (now % windowMs));
  let lastSweep = 0;
  const sweep = (now: number) => {
    if (now - lastSweep < windowMs) return;
    lastSweep = now;
    forgetWindowsBefore(prisma, windowOf(now - windowMs)).catch((err) => deps.log.warn({ err }, 'could not drop old rate-limit windows'));
  };
  return {
    prefix,
    localKeys: false,
    async increment(key: string) {
      const now = Date.now();
      const start = windowOf(now);
      sweep(now);
      const totalHits = o.keyUse
        ? await countKeyCall(prisma, prefix + key, start, key, new Date(now))
        : await countCall(prisma, prefix + key, start);
      return { totalHits, resetTime: new Date(start.getTime() + windowMs) };
    },
    async decrement(key: string) {
      await uncountCall(prisma, prefix + key, windowOf());
    },
    async resetKey(key: string) {
      await forgetCalls(prisma, prefix + key);
    },
    async get(key: string) {
      const start = windowOf();
      return { totalHits: await callsCounted(prisma, prefix + key, start), resetTime: new Date(start.getTime() + windowMs) };
    },
  };
}

/** How many refused calls wait in memory at most; beyond, they are counted and dropped (a flood cannot exhaust memory). */
export const SECURITY_BUFFER_LIMIT = 10_000;
const BATCH = 500;
const FLUSH_EVERY_MS = 1000;

/**
 * Refused calls, recorded without a database write on the refusal's path: `record` only queues
 * the event; a timer (or a full batch) writes the queue in one statement.
 */
export function securityEvents(deps: ServiceDeps) {
  const { prisma, log } = deps;
  let queue: SecurityEventRow[] = [];
  let dropped = 0;
  let flushing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const cursors = cursorCodec(prisma, 'security-events');

  async function writeQueued(): Promise<void> {
    while (queue.length) {
      const batch = queue.slice(0, BATCH);
      queue = queue.slice(BATCH);
      await recordSecurityEvents(prisma, batch).catch((err) =>
        log.error({ err, events: batch.length }, 'could not record security events'),
      );
    }
    if (dropped) {
      log.warn({ dropped }, 'security events dropped: more refused calls than the buffer holds');
      dropped = 0;
    }
  }

  /** Writes what is queued (waiting for a write under way). */
  async function flush(): Promise<void> {
    while (flushing) await flushing;
    if (!queue.length && !dropped) return;
    flushing = writeQueued().finally(() => (flushing = undefined));
    await flushing;
  }

  /** The event a cursor points after (its number, under this list's own signature). */
  async function positionOf(cursor: string): Promise<bigint> {
    const { key } = await cursors.decode(cursor);
    if (!/^\d{1,18}$/.test(key))
      throw invalid('The query is invalid', [{ path: 'query.cursor', code: 'CURSOR', message: 'is not a cursor this API gave out' }]);
    return BigInt(key);
  }

  function schedule(now: boolean) {
    if (now) setImmediate(() => void flush());
    else if (!timer) {
      timer = setTimeout(() => {
        timer = undefined;
        void flush();
      }, FLUSH_EVERY_MS);
      timer.unref();
    }
  }

  return {
    record(call: RefusedCall): void {
      if (queue.length >= SECURITY_BUFFER_LIMIT) {
        dropped++;
        return;
      }
      queue.push({ at: new Date(), ...call, keyId: call.keyId ?? null, userId: call.userId ?? null });
      schedule(queue.length % BATCH === 0);
    },

    flush,

    /** Newest first; what this process still holds in memory is written first. */
    async list(q: { limit: number; cursor?: string; kind?: SecurityEventKind }) {
      await flush();
      const beforeSeq = q.cursor ? await positionOf(q.cursor) : undefined;
      const rows = await listSecurityEvents(prisma, { limit: q.limit, beforeSeq, kind: q.kind });
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((e) => ({
          at: e.at.toISOString(),
          kind: e.kind,
          ...(e.keyId ? { keyId: e.keyId } : {}),
          ...(e.userId ? { userId: e.userId } : {}),
          method: e.method,
          path: e.path,
          ip: e.ip,
        })),
        nextCursor:
          rows.length > q.limit ? await cursors.encode({ at: page[page.length - 1].at, key: String(page[page.length - 1].seq) }) : null,
      };
    },

    /** At shutdown: stop the timer and write what is left. */
    async stop(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await flush();
    },
  };
}
export type SecurityEvents = ReturnType<typeof securityEvents>;
