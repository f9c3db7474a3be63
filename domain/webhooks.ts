/**
 * Webhooks (Standard Webhooks): when a delivery is tried again, what a receiver is sent, and what
 * counts as delivered. Every wait scales with SILVER_DAY_SECONDS like every day-based duration.
 */
import type { NotificationType } from './model';

/** A delivery is tried for this long after its first attempt, then given up. */
export const DELIVERY_WINDOW_DAYS = 3;
/** One attempt waits this long for the receiver's answer (a network timeout: not scaled). */
export const ATTEMPT_TIMEOUT_MS = 10_000;

const SECOND = 1 / 86_400;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Waits after each failed attempt, in days: growing, then every 12 hours until the window closes. */
const BACKOFF_DAYS = [5 * SECOND, MINUTE, 5 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR];
const LAST_STEP_DAYS = 12 * HOUR;

/**
 * How long to wait (ms) after each failed attempt, in order: the first attempt is at once, and the
 * last one falls exactly when the delivery window closes.
 */
export function retryDelays(daySeconds: number): number[] {
  const waits: number[] = [];
  let elapsed = 0;
  for (let i = 0; elapsed < DELIVERY_WINDOW_DAYS; i++) {
    const step = Math.min(BACKOFF_DAYS[i] ?? LAST_STEP_DAYS, DELIVERY_WINDOW_DAYS - elapsed);
    waits.push(step);
    elapsed += step;
  }
  return waits.map((d) => Math.max(1, Math.round(d * daySeconds * 1000)));
}

/**
 * When a delivery whose attempt has just failed is tried next (ms since the epoch), or null when it
 * is given up: `attemptsMade` counts that attempt. The n-th failure waits the n-th of `retryDelays`,
 * so the last attempt falls when the window closes; a retry by hand of an ended delivery (`once`)
 * is that one attempt only.
 */
export function nextAttemptAfterFailure(q: { attemptsMade: number; once: boolean; daySeconds: number; at: number }): number | null {
  if (q.once) return null;
  const wait = retryDelays(q.daySeconds)[q.attemptsMade - 1];
  return wait === undefined ? null : q.at + wait;
}

/** A receiver took the message: any 2xx (a redirect is not followed, so it is not a delivery). */
export function accepted(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}

/** The notification as the feed shows it (GET /v1/notifications): the webhook carries no more. */
export interface NotificationItem {
  id: string;
  type: NotificationType;
  noticeId: string;
  caseNumber: string;
  reference: string | null;
  at: string;
  detail?: string;
}

/** A stored notification as the feed and a webhook show it. */
export function notificationItem(n: {
  seq: bigint;
  type: NotificationType;
  noticeId: string;
  caseNumber: string;
  reference: string | null;
  at: Date;
  detail: string | null;
}): NotificationItem {
  return {
    id: n.seq.toString(),
    type: n.type,
    noticeId: n.noticeId,
    caseNumber: n.caseNumber,
    reference: n.reference,
    at: n.at.toISOString(),
    ...(n.detail ? { detail: n.detail } : {}),
  };
}

/**
 * The body of a delivery, the envelope Standard Webhooks recommends: `type`, `timestamp` (the
 * notification's, so every attempt sends the very same bytes) and `data`, the feed's item.
 */
export function webhookBody(item: NotificationItem): string {
  return JSON.stringify({ type: `notification.${item.type.toLowerCase()}`, timestamp: item.at, data: item });
}
