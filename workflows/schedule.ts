/**
 * The clocks of a published request, as pure functions of its state: which moment comes next, what
 * is due now, and how a delay or a blocking moves them. Every recipient follows the request's own
 * deadline (`dueAt`, `reminderAt`) until it puts it back with a delay and gets a deadline of its own.
 *
 * Requests that started before recipients could have their own deadline replay command for
 * command: with no own deadline, the next moment is computed exactly as it always was.
 */
import { reassessmentAt, reminderAt } from '../domain/time';
import type { NoticeState, OwnDeadline } from './state';

/** What comes due, in the order it is handled: one step at a time. */
export type DueStep =
  | { kind: 'LAPSE' }
  | { kind: 'COMPLETE' }
  | { kind: 'EXPIRE' }
  | { kind: 'OVERDUE' | 'REMIND'; countries: string[]; own: boolean }
  | { kind: 'REASSESS' };

export interface ScheduleOptions {
  daySeconds: number;
  /** Ask for reassessment six months before expiry (off for runs that started before it existed). */
  reassessment: boolean;
}

const owns = (s: NoticeState) => Object.keys(s.ownDeadlines ?? {}).length > 0;

/** Recipients that still owe their final answer by the request's own deadline. */
export function onRequestDeadline(s: NoticeState): string[] {
  return s.pendingFinal.filter((c) => !s.ownDeadlines?.[c]);
}

/** Recipients that still owe their final answer by a deadline of their own. */
function ownPending(s: NoticeState): [string, OwnDeadline][] {
  return s.pendingFinal.filter((c) => s.ownDeadlines?.[c]).map((c) => [c, s.ownDeadlines![c]]);
}

/** The deadline `country` answers by. */
export function dueOf(s: NoticeState, country: string): number | undefined {
  return s.ownDeadlines?.[country]?.dueAt ?? s.dueAt;
}

const nextOf = (d: { reminderSent: boolean; reminderAt?: number; overdueMarked: boolean; dueAt?: number }) =>
  !d.reminderSent && d.reminderAt !== undefined ? d.reminderAt : !d.overdueMarked ? d.dueAt : undefined;

/** The next moment the current state waits for, if any. */
export function nextDeadline(s: NoticeState, o: ScheduleOptions): number | undefined {
  if (s.status === 'CLARIFICATION_REQUESTED') return s.clarificationDeadline;
  if (s.status !== 'PUBLISHED' || s.blockedSince !== undefined) return undefined;
  const moments: (number | undefined)[] = [];
  // The request's own deadline counts while someone answers by it (always, before own deadlines existed).
  if (!owns(s) || onRequestDeadline(s).length > 0) moments.push(nextOf(s));
  for (const [, own] of ownPending(s)) moments.push(nextOf(own));
  if (o.reassessment && !s.reassessmentSent && s.expiresAt !== undefined) moments.push(reassessmentAt(s.expiresAt, o.daySeconds));
  moments.push(s.expiresAt);
  const defined = moments.filter((m): m is number => m !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
}

/** What is due at `now`, the most pressing first; undefined: nothing yet. */
export function dueStep(s: NoticeState, now: number, o: ScheduleOptions): DueStep | undefined {
  if (s.status === 'CLARIFICATION_REQUESTED') {
    return s.clarificationDeadline !== undefined && now >= s.clarificationDeadline ? { kind: 'LAPSE' } : undefined;
  }
  if (s.status !== 'PUBLISHED') return undefined;
  if (s.pendingFinal.length === 0) return { kind: 'COMPLETE' };
  if (s.blockedSince !== undefined) return undefined;
  if (s.expiresAt !== undefined && now >= s.expiresAt) return { kind: 'EXPIRE' };
  const shared = owns(s) ? onRequestDeadline(s) : s.pendingFinal;
  const own = ownPending(s);
  if (!s.overdueMarked && s.dueAt !== undefined && now >= s.dueAt) return { kind: 'OVERDUE', countries: shared, own: false };
  const ownOverdue = own.filter(([, d]) => !d.overdueMarked && now >= d.dueAt).map(([c]) => c);
  if (ownOverdue.length) return { kind: 'OVERDUE', countries: ownOverdue, own: true };
  if (!s.reminderSent && s.reminderAt !== undefined && now >= s.reminderAt) return { kind: 'REMIND', countries: shared, own: false };
  const ownReminded = own.filter(([, d]) => !d.reminderSent && now >= d.reminderAt).map(([c]) => c);
  if (ownReminded.length) return { kind: 'REMIND', countries: ownReminded, own: true };
  if (o.reassessment && !s.reassessmentSent && s.expiresAt !== undefined && now >= reassessmentAt(s.expiresAt, o.daySeconds)) {
    return { kind: 'REASSESS' };
  }
  return undefined;
}

/** Records that a reminder, OVERDUE or reassessment step has been done. */
export function markDone(s: NoticeState, step: DueStep): void {
  if (step.kind === 'REASSESS') s.reassessmentSent = true;
  if (step.kind !== 'OVERDUE' && step.kind !== 'REMIND') return;
  const targets: { reminderSent: boolean; overdueMarked: boolean }[] = step.own ? step.countries.map((c) => s.ownDeadlines![c]) : [s];
  for (const t of targets) {
    t.reminderSent = true;
    if (step.kind === 'OVERDUE') t.overdueMarked = true;
  }
}

/** `country` answers by `expectedBy` from now on; its reminder comes at 80% of the time left. */
export function delayDeadline(s: NoticeState, country: string, expectedBy: number, now: number): void {
  const remindAt = reminderAt(now, expectedBy);
  s.ownDeadlines = {
    ...s.ownDeadlines,
    [country]: { dueAt: expectedBy, reminderAt: remindAt, reminderSent: remindAt <= now, overdueMarked: false },
  };
}

/**
 * A blocking lifted: every deadline that had not yet passed when the clocks stopped moves on by the
 * time they stood still. One that had passed stays passed.
 */
export function resumeClocks(s: NoticeState, now: number): number {
  const since = s.blockedSince ?? now;
  const stood = now - since;
  const move = (d: { dueAt?: number; reminderAt?: number; reminderSent: boolean; overdueMarked: boolean }) => {
    if (d.overdueMarked || d.dueAt === undefined) return;
    d.dueAt += stood;
    if (!d.reminderSent && d.reminderAt !== undefined) d.reminderAt += stood;
  };
  move(s);
  for (const own of Object.values(s.ownDeadlines ?? {})) move(own);
  s.blockedSince = undefined;
  return stood;
}
