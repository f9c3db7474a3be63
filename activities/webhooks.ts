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
  holdSender,
  nextAttemptAt,
  recordAttempt,
  releaseSender,
} from '../records/webhooks';
import { postWebhook } from '../outbound/webhook-post';
import { DRAIN_RUN_MS } from '../workflows/webhook-sender';
import type { ActivityDeps } from './index';

/** What a delivery workflow of before the senders is told: nothing is left for it to do. */
export type AttemptResult = 'DELIVERED' | 'CANCELLED' | 'RETRY';

/** What a drain leaves to its sender: whether its webhook is gone, and when it is next owed an attempt. */
export interface DrainResult {
  removed?: true;
  /** 0: at once (the drain handed back with work left); null: nothing is owed. */
  nextInMs: number | null;
}

/** Deliveries taken at a time. */
const BATCH = 50;
/** The sender's lease, renewed when half of it has run. A sender lost with its worker holds its country up to this long. */
export const SENDER_LEASE_MS = 60_000;
/**
 * How long a drain stays after its last attempt, watching for more: publications come in bursts,
 * and a sender still at work needs no signal, so a burst costs Temporal nothing per notification.
 */
const IDLE_MS = 20_000;
/** How often the waiting drains of a process look for work, together, in one query. */
const WATCH_MS = 200;

/**
 * One query every WATCH_MS for every drain of this process that waits for work, rather than one
 * per waiting country: 195 senders would otherwise ask a thousand times a second.
 */
function dueWatcher(prisma: PrismaClient) {
  const waiting = new Map<string, Set<() => void>>();
  let timer: NodeJS.Timeout | undefined;

  async function look(): Promise<void> {
    timer = undefined;
    try {
      for (const country of await countriesDue(prisma, [...waiting.keys()], new Date())) {
        for (const wake of waiting.get(country) ?? []) wake();
      }
    } catch {
      // The drains wake on their own timeout and find out for themselves.
    }
    if (waiting.size && !timer) timer = setTimeout(() => void look(), WATCH_MS);
  }

  /** Resolves when the country is owed an attempt, after `ms`, or when `signal` aborts. */
  return (country: string, ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timeout);
        signal.removeEventListener('abort', wake);
        const set = waiting.get(country);
        set?.delete(wake);
        if (set && !set.size) waiting.delete(country);
        resolve();
      };
      const timeout = setTimeout(wake, ms);
      signal.addEventListener('abort', wake);
      if (!waiting.has(country)) waiting.set(country, new Set());
      waiting.get(country)!.add(wake);
      timer ??= setTimeout(() => void look(), WATCH_MS);
    });
}

export function webhookActivities({ prisma, log, allowPrivateWebhooks = false }: ActivityDeps) {
  const waitForWork = dueWatcher(prisma);

  type Due = Awaited<ReturnType<typeof dueDeliveries>>;

  async function attempt(webhook: NonNullable<Due['webhook']>, d: Due['deliveries'][number], country: string, daySeconds: number) {
    const at = new Date();
    const result = await postWebhook({
      url: webhook.url,
      secret: webhook.secret,
      messageId: d.id,
      body: webhookBody(notificationItem(d.notification)),
      now: at,
      timeoutMs: ATTEMPT_TIMEOUT_MS,
      allowPrivate: allowPrivateWebhooks,
      accepted,
    });
    const ended = Date.now();
    const next = nextAttemptAfterFailure({ attemptsMade: d.attemptCount + 1, once: d.retryOnce, daySeconds, at: ended });
    await recordAttempt(prisma, {
      id: crypto.randomUUID(),
      deliveryId: d.id,
      at,
      ...result,
      seen: d.nextAttemptAt,
      next: next === null ? null : new Date(next),
    });
    const line = { deliveryId: d.id, country, outcome: result.outcome, statusCode: result.statusCode };
    if (result.outcome === 'DELIVERED') log.info(line, 'webhook delivered');
    else if (next === null) log.warn(line, 'webhook attempt failed: delivery given up');
    else log.warn(line, 'webhook attempt failed');
  }

  /** When the country is next owed an attempt (0: now), if it is. */
  async function nextInMs(country: string): Promise<number | null> {
    const next = await nextAttemptAt(prisma, country);
    return next === null ? null : Math.max(0, next.getTime() - Date.now());
  }

  return {
    /**
     * Sends what the country is owed, oldest notification first, one attempt at a time, while it
     * holds the country's lease (so a retried attempt of this activity never sends beside a
     * stale one); then watches for more until it has been idle a while.
     */
    async drainDeliveries(input: { country: string; daySeconds: number }): Promise<DrainResult> {
      const ctx = Context.current();
      const { country, daySeconds } = input;
      const owner = crypto.randomUUID();
      const started = Date.now();
      let lastWork = started;
      let heldUntil = 0;
      try {
        for (;;) {
          ctx.heartbeat();
          if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
          if (Date.now() > heldUntil - SENDER_LEASE_MS / 2) {
            const now = Date.now();
            const held = await holdSender(prisma, { country, owner, at: new Date(now), until: new Date(now + SENDER_LEASE_MS) });
            if (held === 'REMOVED') return { removed: true, nextInMs: null };
            if (held === 'BUSY') {
              // An earlier attempt of this activity, lost or slow, still holds it: its lease runs out.
              await sleep(1000, undefined, { signal: ctx.cancellationSignal }).catch(() => undefined);
              continue;
            }
            heldUntil = now + SENDER_LEASE_MS;
          }
          const { deliveries, webhook } = await dueDeliveries(prisma, country, new Date(), BATCH);
          for (const d of webhook ? deliveries : []) {
            await attempt(webhook!, d, country, daySeconds);
            ctx.heartbeat();
            // A stalled receiver makes each attempt last 10 s: the lease is renewed between them.
            if (ctx.cancellationSignal.aborted || Date.now() > heldUntil - SENDER_LEASE_MS / 2 || Date.now() - started >= DRAIN_RUN_MS)
              break;
          }
          const now = Date.now();
          if (deliveries.length) lastWork = now;
          if (now - started >= DRAIN_RUN_MS) return { nextInMs: await nextInMs(country) };
          if (deliveries.length) continue;
          if (now - lastWork < IDLE_MS) {
            await waitForWork(country, 1000, ctx.cancellationSignal);
            continue;
          }
          // Idle: the lease goes first, then one more look, so that what the dispatcher saw while
          // the lease was held is found here, and what comes after it wakes the sender again.
          await releaseSender(prisma, country, owner);
          heldUntil = 0;
          const after = await nextInMs(country);
          if (after !== 0) return { nextInMs: after };
        }
      } catch (err) {
        await releaseSender(prisma, country, owner).catch(() => undefined);
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
