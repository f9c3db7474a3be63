/**
 * Every duration of the process, in one place. A "day" lasts SILVER_DAY_SECONDS (86400 by default),
 * so a demo or a test can run a 30-day window in a minute and watch five years pass in minutes.
 * All values are epoch milliseconds so they survive JSON in workflow state.
 */
import type { Urgency } from './model';

export const CLARIFICATION_WINDOW_DAYS = 30;
/** A notice is valid for five years (INTERPOL's Rules on the Processing of Data, art. 50)... */
export const VALIDITY_YEARS = 5;
/** ...and its source is asked to reassess it six months before they end. */
export const REASSESSMENT_MONTHS_BEFORE_EXPIRY = 6;
/** The CCF decides on correction or deletion within nine months (CCF Statute, art. 40). */
export const BLOCKING_DECISION_MONTHS = 9;
/** Reminders go out when this share of a recipient's response period has passed. */
export const REMINDER_AT_FRACTION = 0.8;
/** A recipient may put its own deadline back by at most this much. */
export const DELAY_MAX_DAYS = 90;
/** Answer windows of urgent requests (EU Directive 2023/977, art. 5): 3 days, or 8 hours when the data are directly accessible. */
export const URGENT_DAYS = 3;
export const URGENT_DIRECT_HOURS = 8;
export const DEFAULT_RESPONSE_DAYS = 30;
/** A recipient that has not confirmed deleting an ended request is reminded this long after the end, once. */
export const DELETION_REMINDER_DAYS = 30;

/** The response days a request of this urgency gets when it does not choose (null: a window in hours). */
export function defaultResponseDays(urgency: string): number | null {
  if (urgency === 'URGENT_DIRECT') return null;
  return urgency === 'URGENT' ? URGENT_DAYS : DEFAULT_RESPONSE_DAYS;
}

/** Whether a request of this urgency may choose its own number of response days. */
export function choosesResponseDays(urgency: Urgency | string): boolean {
  return urgency === 'NORMAL';
}

/** A request's answer window in days (a fraction for hours). */
export function responseWindowDays(urgency: string, responseDays: number | null): number {
  return responseDays ?? URGENT_DIRECT_HOURS / 24;
}

export function days(n: number, daySeconds: number): number {
  return Math.round(n * daySeconds * 1000);
}

/**
 * `fromMs` moved by whole calendar years and months on the real calendar, the span shrunk in
 * proportion when days are scaled: with real days a notice published on 10 January 2025 expires on
 * 10 January 2030; with a 1-second day, about 30 minutes later.
 */
export function calendarAfter(fromMs: number, span: { years?: number; months?: number }, daySeconds: number): number {
  const to = new Date(fromMs);
  to.setUTCFullYear(to.getUTCFullYear() + (span.years ?? 0), to.getUTCMonth() + (span.months ?? 0));
  return fromMs + Math.round((to.getTime() - fromMs) * (daySeconds / 86400));
}

export function expiryAfter(fromMs: number, daySeconds: number): number {
  return calendarAfter(fromMs, { years: VALIDITY_YEARS }, daySeconds);
}

/** When the requester is asked to reassess a notice expiring at `expiresAt`. */
export function reassessmentAt(expiresAt: number, daySeconds: number): number {
  return calendarAfter(expiresAt, { months: -REASSESSMENT_MONTHS_BEFORE_EXPIRY }, daySeconds);
}

/** When a key issued at `fromMs` for `expiresInDays` stops working. */
export function keyExpiresAt(fromMs: number, expiresInDays: number, daySeconds: number): number {
  return fromMs + days(expiresInDays, daySeconds);
}

export function reminderAt(publishedMs: number, dueMs: number): number {
  return publishedMs + Math.floor((dueMs - publishedMs) * REMINDER_AT_FRACTION);
}

/** How often the retention sweep looks for requests to erase: once a (scaled) day, at most once a second. */
export function retentionSweepEvery(daySeconds: number): number {
  return Math.max(1000, days(1, daySeconds));
}

/**
 * A console session ends after this long without use, and in any case this long after it was
 * opened. Not scaled by SILVER_DAY_SECONDS: they measure a person's time at the screen.
 */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 12 * 3600_000;

/** When a session opened at `openedMs` and last used at `usedMs` ends. */
export function sessionEnd(openedMs: number, usedMs: number): number {
  return Math.min(usedMs + SESSION_IDLE_MS, openedMs + SESSION_MAX_MS);
}
