/** A published request's clocks (workflows/schedule.ts): pure functions of the workflow's state. */
import { delayDeadline, dueOf, dueStep, markDone, nextDeadline, onRequestDeadline, resumeClocks } from '../../workflows/schedule';
import type { NoticeState } from '../../workflows/state';
import { reassessmentAt } from '../../domain/time';

const DAY = 86_400_000;
const plain = { daySeconds: 86400, reassessment: false };
const withReassessment = { daySeconds: 86400, reassessment: true };

function published(overrides: Partial<NoticeState> = {}): NoticeState {
  return {
    status: 'PUBLISHED',
    requestingCountry: 'IT',
    responseDays: 10,
    flags: [],
    approvals: [],
    screened: true,
    reference: 'SD-2026-000001',
    dueAt: 10 * DAY,
    reminderAt: 8 * DAY,
    reminderSent: false,
    overdueMarked: false,
    expiresAt: 1826 * DAY,
    recipients: ['DE', 'ES', 'FR'],
    pendingFinal: ['DE', 'ES', 'FR'],
    ...overrides,
  };
}

test('without own deadlines: reminder, then due date, then expiry, as requests always had', () => {
  const s = published();
  expect(nextDeadline(s, plain)).toBe(8 * DAY);
  expect(dueStep(s, 8 * DAY, plain)).toEqual({ kind: 'REMIND', countries: ['DE', 'ES', 'FR'], own: false });
  markDone(s, { kind: 'REMIND', countries: [], own: false });
  expect(nextDeadline(s, plain)).toBe(10 * DAY);
  expect(dueStep(s, 9 * DAY, plain)).toBeUndefined();
  markDone(s, dueStep(s, 10 * DAY, plain)!);
  expect(s.overdueMarked).toBe(true);
  expect(nextDeadline(s, plain)).toBe(1826 * DAY);
  expect(dueStep(s, 1826 * DAY, plain)).toEqual({ kind: 'EXPIRE' });
});

test('OVERDUE comes before a reminder due at the same time, and covers it', () => {
  const s = published();
  expect(dueStep(s, 11 * DAY, plain)).toEqual({ kind: 'OVERDUE', countries: ['DE', 'ES', 'FR'], own: false });
  markDone(s, dueStep(s, 11 * DAY, plain)!);
  expect(s.reminderSent).toBe(true);
  expect(dueStep(s, 11 * DAY, plain)).toBeUndefined();
});

test("a delay gives a recipient its own deadline and reminder; the others keep the request's", () => {
  const s = published();
  delayDeadline(s, 'FR', 30 * DAY, 5 * DAY);
  expect(dueOf(s, 'FR')).toBe(30 * DAY);
  expect(dueOf(s, 'DE')).toBe(10 * DAY);
  expect(onRequestDeadline(s)).toEqual(['DE', 'ES']);
  expect(s.ownDeadlines!.FR).toEqual({ dueAt: 30 * DAY, reminderAt: 5 * DAY + 0.8 * 25 * DAY, reminderSent: false, overdueMarked: false });

  expect(dueStep(s, 8 * DAY, plain)).toEqual({ kind: 'REMIND', countries: ['DE', 'ES'], own: false });
  markDone(s, dueStep(s, 8 * DAY, plain)!);
  markDone(s, dueStep(s, 10 * DAY, plain)!);
  expect(nextDeadline(s, plain)).toBe(25 * DAY);
  expect(dueStep(s, 25 * DAY, plain)).toEqual({ kind: 'REMIND', countries: ['FR'], own: true });
  markDone(s, dueStep(s, 25 * DAY, plain)!);
  expect(nextDeadline(s, plain)).toBe(30 * DAY);
  expect(dueStep(s, 30 * DAY, plain)).toEqual({ kind: 'OVERDUE', countries: ['FR'], own: true });
});

test("the request's own deadline stops counting once every recipient on it has answered finally", () => {
  const s = published({ pendingFinal: ['FR'] });
  delayDeadline(s, 'FR', 30 * DAY, 5 * DAY);
  expect(nextDeadline(s, plain)).toBe(s.ownDeadlines!.FR.reminderAt);
});

test('a blocking stops every clock; lifting it moves open deadlines on by the time it lasted', () => {
  const s = published();
  delayDeadline(s, 'FR', 30 * DAY, 5 * DAY);
  s.blockedSince = 6 * DAY;
  expect(nextDeadline(s, plain)).toBeUndefined();
  expect(dueStep(s, 40 * DAY, plain)).toBeUndefined();
  expect(resumeClocks(s, 16 * DAY)).toBe(10 * DAY);
  expect(s.blockedSince).toBeUndefined();
  expect([s.reminderAt, s.dueAt, s.ownDeadlines!.FR.dueAt]).toEqual([18 * DAY, 20 * DAY, 40 * DAY]);
});

test('a deadline that had passed before the blocking stays passed', () => {
  const s = published({ overdueMarked: true, reminderSent: true });
  s.blockedSince = 12 * DAY;
  resumeClocks(s, 20 * DAY);
  expect(s.dueAt).toBe(10 * DAY);
});

test('the requester is asked to reassess six months before expiry, once', () => {
  const s = published({ reminderSent: true, overdueMarked: true });
  const ask = reassessmentAt(s.expiresAt!, 86400);
  expect(nextDeadline(s, plain)).toBe(s.expiresAt);
  expect(nextDeadline(s, withReassessment)).toBe(ask);
  expect(dueStep(s, ask, withReassessment)).toEqual({ kind: 'REASSESS' });
  markDone(s, { kind: 'REASSESS' });
  expect(nextDeadline(s, withReassessment)).toBe(s.expiresAt);
});

test('completion needs every final answer; a lapse needs the clarification window over', () => {
  expect(dueStep(published({ pendingFinal: [] }), 0, plain)).toEqual({ kind: 'COMPLETE' });
  const waiting = published({ status: 'CLARIFICATION_REQUESTED', clarificationDeadline: 30 * DAY });
  expect(nextDeadline(waiting, plain)).toBe(30 * DAY);
  expect(dueStep(waiting, 29 * DAY, plain)).toBeUndefined();
  expect(dueStep(waiting, 30 * DAY, plain)).toEqual({ kind: 'LAPSE' });
});
