/**
 * Every day-based duration of the process, in one place. A "day" lasts SILVER_DAY_SECONDS
 * (86400 by default), so a demo or a test can run a 30-day window in a minute.
 * All values are epoch milliseconds so they survive JSON in workflow state.
 */

export const CLARIFICATION_WINDOW_DAYS = 30;
export const VALIDITY_YEARS = 5;
/** Reminders go out when this share of a recipient's response period has passed. */
export const REMINDER_AT_FRACTION = 0.8;

/** The answer window a request gets when it does not choose one. */
export function defaultResponseDays(urgency: string): number {
  return urgency === 'URGENT' ? 7 : 30;
}

export function days(n: number, daySeconds: number): number {
  return Math.round(n * daySeconds * 1000);
}

/**
 * Five calendar years after `fromMs` on the real calendar, shrunk in proportion when days are
 * scaled; so with real days a notice published on 10 January 2025 expires on 10 January 2030.
 */
export function expiryAfter(fromMs: number, daySeconds: number): number {
  const from = new Date(fromMs);
  const to = new Date(fromMs);
  to.setUTCFullYear(from.getUTCFullYear() + VALIDITY_YEARS);
  const realSpan = to.getTime() - fromMs;
  return fromMs + Math.round(realSpan * (daySeconds / 86400));
}

/** When a key issued at `fromMs` for `expiresInDays` stops working. */
export function keyExpiresAt(fromMs: number, expiresInDays: number, daySeconds: number): number {
  return fromMs + days(expiresInDays, daySeconds);
}

export function reminderAt(publishedMs: number, dueMs: number): number {
  return publishedMs + Math.floor((dueMs - publishedMs) * REMINDER_AT_FRACTION);
}
