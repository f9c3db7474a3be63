/**
 * Webhook deliveries: a country's sender drains its outbox, one attempt after another in the
 * order of the notifications, each recorded with what follows it (delivered, tried again later
 * per the schedule, or given up).
 */
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { accepted, ATTEMPT_TIMEOUT_MS, nextAttemptAfterFailure, notificationItem, webhookBody } from '../domain/webhooks';
import type { PrismaClient } from '../records/db';
import {
  countriesDue,
  dueDeliveries,
  findDeliveryById,
  holdSenders,
  nextAttemptsAt,
  recordAttempts,
  releaseSenders,
  type Attempt,
  type DueDelivery,
} from '../records/webhooks';
import { postWebhook } from '../outbound/webhook-post';
import { DRAIN_RUN_MS } from '../workflows/webhook-sender';
import type { ActivityDeps } from './index';

/** What a delivery workflow of before the senders is told: nothing is left for it to do. */
export type AttemptResult = 'DELIVERED' | 'CANCELLED' | 'RETRY';

/** What a drain leaves to its sender: whether its webhook is gone, and when it is next owed an attempt. */
export interface DrainResult {
  removed?: true;
  /** 0: at once (the drain handed back still at work); null: nothing is owed. */
  nextInMs: number | null;
  /** When it last made an attempt (ms since the epoch), for the next drain to know how long it has been idle. */
  lastWorkAt?: number;
}

/** Deliveries taken at a time. */
const BATCH = 50;
/** The sender's lease, renewed when half of it has run. A sender lost with its worker holds its country up to this long. */
export const SENDER_LEASE_MS = 60_000;
/**
 * How long a sender stays at work after its last attempt, watching for more (across drains). A
 * sender at work needs no signal, so a publication costs Temporal nothing per country; waking 195
 * idle senders (a workflow task and an activity each) was a burst that held up the requests' own
 * workflow tasks on the same server for seconds. So a sender stays at work as long as its country
 * gets notifications at all (a heartbeat a minute, a drain every DRAIN_RUN_MS), and only a day
 * without any lets it rest.
 */
const IDLE_MS = 24 * 3600_000;
/** How often the waiting drains of a process look for work, together, in one query. */
const WATCH_MS = 200;
/** How often a waiting drain wakes by itself, to heartbeat and renew its lease. */
const WAKE_CHECK_MS = 5_000;

/**
 * Calls made while an earlier one is in flight (or in the same turn of the event loop) are run
 * together, by one `run` over all their inputs: 195 senders woken by one publication make one
 * query for their deliveries, and the attempts that end meanwhile one statement, not hundreds.
 */
function together<I, O>(run: (inputs: I[]) => Promise<(input: I) => O>): (input: I) => Promise<O> {
  let queue: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let busy = false;
  async function flush(): Promise<void> {
    busy = true;
    while (queue.length) {
      const taken = queue;
      queue = [];
      try {
        const answer = await run(taken.map((t) => t.input));
        for (const t of taken) t.resolve(answer(t.input));
      } catch (err) {
        for (const t of taken) t.reject(err);
      }
    }
    busy = false;
  }
  return (input) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      if (!busy) {
        busy = true;
        setImmediate(() => void flush());
      }
    });
}

/**
 * One query every WATCH_MS for every drain of this process that waits for work, rather than one
 * per waiting country: 195 senders would otherwise ask a thousand times a second.
 */
type Woken = 'DUE' | 'REMOVED' | 'TIMEOUT';

function dueWatcher(prisma: PrismaClient) {
  const waiting = new Map<string, Set<(why?: Woken) => void>>();
  let timer: NodeJS.Timeout | undefined;

  async function look(): Promise<void> {
    timer = undefined;
    try {
      for (const { country, removed } of await countriesDue(prisma, [...waiting.keys()], new Date())) {
        for (const wake of waiting.get(country) ?? []) wake(removed ? 'REMOVED' : 'DUE');
      }
    } catch {
      // The database did not answer: every drain waiting looks for itself (a drain woken by its
      // timeout does not, trusting this watcher).
      for (const wakes of waiting.values()) for (const wake of wakes) wake('DUE');
    }
    if (waiting.size && !timer) timer = setTimeout(() => void look(), WATCH_MS);
  }

  /** Resolves when the country is owed an attempt or its webhook is gone, or after `ms`, or when `signal` aborts ('TIMEOUT'). */
  return (country: string, ms: number, signal: AbortSignal): Promise<Woken> =>
    new Promise((resolve) => {
      const wake = (why: Woken = 'TIMEOUT') => {
        clearTimeout(timeout);
        signal.removeEventListener('abort', onAbort);
        const set = waiting.get(country);
        set?.delete(wake);
        if (set && !set.size) waiting.delete(country);
        resolve(why);
      };
      const onAbort = () => wake();
      const timeout = setTimeout(onAbort, ms);
      signal.addEventListener('abort', onAbort);
      if (!waiting.has(country)) waiting.set(country, new Set());
      waiting.get(country)!.add(wake);
      timer ??= setTimeout(() => void look(), WATCH_MS);
    });
}

export function webhookActivities({ prisma, log, allowPrivateWebhooks = false }: ActivityDeps) {
  const waitForWork = dueWatcher(prisma);

  const takeDue = together(async (countries: string[]) => {
    const due = await dueDeliveries(prisma, [...new Set(countries)], new Date(), BATCH);
    return (country: string) => due.filter((d) => d.country === country);
  });
  const hold = together(async (leases: { country: string; owner: string }[]) => {
    const now = Date.now();
    return holdSenders(prisma, leases, new Date(now), new Date(now + SENDER_LEASE_MS));
  });
  const record = together(async (attempts: Attempt[]) => {
    await recordAttempts(prisma, attempts);
    return () => undefined;
  });

  async function attempt(d: DueDelivery, daySeconds: number): Promise<void> {
    const at = new Date();
    const result = await postWebhook({
      url: d.url,
      secret: d.secret,
      messageId: d.id,
      body: webhookBody(notificationItem(d.notification)),
      now: at,
      timeoutMs: ATTEMPT_TIMEOUT_MS,
      allowPrivate: allowPrivateWebhooks,
      accepted,
    });
    const next = nextAttemptAfterFailure({ attemptsMade: d.attemptCount + 1, once: d.retryOnce, daySeconds, at: Date.now() });
    await record({
      id: crypto.randomUUID(),
      deliveryId: d.id,
      at,
      ...result,
      seen: d.nextAttemptAt,
      next: next === null ? null : new Date(next),
    });
    const line = { deliveryId: d.id, country: d.country, outcome: result.outcome, statusCode: result.statusCode };
    if (result.outcome === 'DELIVERED') log.info(line, 'webhook delivered');
    else if (next === null) log.warn(line, 'webhook attempt failed: delivery given up');
    else log.warn(line, 'webhook attempt failed');
  }

  /** When the country is next owed an attempt (0: now), if it is. */
  const nextInMs = together(async (countries: string[]) => {
    const next = await nextAttemptsAt(prisma, [...new Set(countries)]);
    const now = Date.now();
    return (country: string) => {
      const at = next.get(country);
      return at === undefined ? null : Math.max(0, at.getTime() - now);
    };
  });
  const release = together(async (leases: { country: string; owner: string }[]) => {
    await releaseSenders(prisma, leases);
    return () => undefined;
  });

  return {
    /**
     * Sends what the country is owed, oldest notification first, one attempt at a time, while it
     * holds the country's lease (so a retried attempt of this activity never sends beside a
     * stale one); then watches for more until it has been idle a while.
     */
    async drainDeliveries(input: { country: string; daySeconds: number; lastWorkAt?: number }): Promise<DrainResult> {
      const ctx = Context.current();
      const { country, daySeconds } = input;
      const owner = crypto.randomUUID();
      const started = Date.now();
      let lastWork = input.lastWorkAt ?? started;
      let heldUntil = 0;
      // Whether to look for deliveries: at first, after attempts, and when the watcher says so.
      let look = true;
      try {
        for (;;) {
          ctx.heartbeat();
          if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
          if (Date.now() > heldUntil - SENDER_LEASE_MS / 2) {
            const now = Date.now();
            const held = await hold({ country, owner });
            if (held === 'REMOVED') return { removed: true, nextInMs: null };
            if (held === 'BUSY') {
              // An earlier attempt of this activity, lost or slow, still holds it: its lease runs out.
              await sleep(1000, undefined, { signal: ctx.cancellationSignal }).catch(() => undefined);
              continue;
            }
            heldUntil = now + SENDER_LEASE_MS;
          }
          const deliveries = look ? await takeDue(country) : [];
          for (const d of deliveries) {
            await attempt(d, daySeconds);
            ctx.heartbeat();
            // A stalled receiver makes each attempt last 10 s: the lease is renewed between them.
            if (ctx.cancellationSignal.aborted || Date.now() > heldUntil - SENDER_LEASE_MS / 2 || Date.now() - started >= DRAIN_RUN_MS)
              break;
          }
          const now = Date.now();
          if (deliveries.length) lastWork = now;
          const idle = now - lastWork >= IDLE_MS;
          if (now - started >= DRAIN_RUN_MS && !idle) {
            // Still at work: the next drain, started at once, takes the lease again.
            await release({ country, owner });
            return { nextInMs: 0, lastWorkAt: lastWork };
          }
          if (deliveries.length) continue;
          if (!idle) {
            const woken = await waitForWork(country, WAKE_CHECK_MS, ctx.cancellationSignal);
            look = woken === 'DUE';
            // The lease is taken again at once, which finds the webhook gone.
            if (woken === 'REMOVED') heldUntil = 0;
            continue;
          }
          // Idle: the lease goes first, then one more look, so that what the dispatcher saw while
          // the lease was held is found here, and what comes after it wakes the sender again.
          await release({ country, owner });
          heldUntil = 0;
          look = true;
          const after = await nextInMs(country);
          if (after !== 0) return { nextInMs: after, lastWorkAt: lastWork };
        }
      } catch (err) {
        await release({ country, owner }).catch(() => undefined);
        throw err;
      }
    },

    /**
     * A delivery workflow of before the senders: the delivery has passed to its country's sender
     * (the migration that brought them made it owed an attempt), so the run just ends.
     */
    async attemptDelivery(input: { deliveryId: string; resend?: boolean }): Promise<AttemptResult> {
      const found = await findDeliveryById(prisma, input.deliveryId);
      return found?.status === 'DELIVERED' ? 'DELIVERED' : 'CANCELLED';
    },

    /** Never scheduled any more (attemptDelivery never asks to retry); the sender decides when to give up. */
    async giveUpDelivery(_input: { deliveryId: string }): Promise<void> {},
  };
}
