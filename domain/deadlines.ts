/**
 * A recipient's deadline and what it may ask of it. A recipient that cannot answer in time says so
 * at once, with its reasons and the date it expects to answer (EU Directive 2023/977, art. 5);
 * its deadline then moves to that date, within limits.
 */
import type { FieldProblem } from './request';
import { DELAY_MAX_DAYS, days } from './time';

/** Field problems with a delay asking to answer by `expectedBy` instead of `currentDue`. */
export function delayProblems(currentDue: number, expectedBy: number, now: number, daySeconds: number): FieldProblem[] {
  if (expectedBy <= currentDue) {
    return [
      { path: 'expectedBy', code: 'NOT_LATER', message: `must be later than the current deadline (${new Date(currentDue).toISOString()})` },
    ];
  }
  if (expectedBy > now + days(DELAY_MAX_DAYS, daySeconds)) {
    return [{ path: 'expectedBy', code: 'TOO_FAR', limit: DELAY_MAX_DAYS, message: `must be at most ${DELAY_MAX_DAYS} days from now` }];
  }
  return [];
}

/**
 * Field problems with the date a recipient expects to answer by, when it acknowledges a request:
 * between now and its deadline. A later date is a delay, which needs a reason and tells the requester.
 */
export function expectedByProblems(expectedBy: number | undefined, now: number, dueAt: number | undefined): FieldProblem[] {
  if (expectedBy === undefined) return [];
  if (expectedBy <= now) return [{ path: 'expectedBy', code: 'NOT_IN_FUTURE', message: 'must be in the future' }];
  if (dueAt !== undefined && expectedBy > dueAt) {
    return [
      {
        path: 'expectedBy',
        code: 'AFTER_DEADLINE',
        message: `must not be later than the deadline (${new Date(dueAt).toISOString()}); to answer later, ask for a delay`,
      },
    ];
  }
  return [];
}
