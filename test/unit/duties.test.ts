/** What recipients, the CCF and renewal may do, and what retention erases: pure rules. */
import { delayProblems, expectedByProblems } from '../../domain/deadlines';
import { linkableIdentifiers } from '../../domain/assets';
import { changeProblems, windowProblems, type RequestContent } from '../../domain/request';
import { purgedLocatedAsset, purgedOffence } from '../../domain/retention';
import { calendarAfter, reassessmentAt } from '../../domain/time';

const DAY = 86_400_000;

test('a delay: later than the current deadline, at most 90 days from now', () => {
  expect(delayProblems(10 * DAY, 10 * DAY, 0, 86400)).toEqual([
    { path: 'expectedBy', code: 'NOT_LATER', message: expect.stringMatching(/later than/) },
  ]);
  expect(delayProblems(10 * DAY, 91 * DAY, 0, 86400)).toEqual([
    { path: 'expectedBy', code: 'TOO_FAR', limit: 90, message: 'must be at most 90 days from now' },
  ]);
  expect(delayProblems(10 * DAY, 90 * DAY, 0, 86400)).toEqual([]);
  // Scaled days: 90 days of 1 s each.
  expect(delayProblems(1000, 91_000, 0, 1)).toHaveLength(1);
});

test("an acknowledgement's expected date: after now, not after the deadline (later is a delay)", () => {
  expect(expectedByProblems(5, 10, 100)).toEqual([expect.objectContaining({ code: 'NOT_IN_FUTURE' })]);
  expect(expectedByProblems(101, 10, 100)).toEqual([expect.objectContaining({ code: 'AFTER_DEADLINE' })]);
  expect(expectedByProblems(100, 10, 100)).toEqual([]);
  expect(expectedByProblems(undefined, 10, 100)).toEqual([]);
});

test('an urgent request may not choose its own answer window', () => {
  expect(windowProblems({ urgency: 'NORMAL', responseDays: 10 })).toEqual([]);
  expect(windowProblems({ urgency: 'URGENT', responseDays: 10 })[0].path).toBe('responseDays');
  expect(windowProblems({ urgency: 'URGENT_DIRECT' })).toEqual([]);
  const normal = { kind: 'DIFFUSION', recipients: ['FR'], urgency: 'NORMAL', responseDays: 20 } as RequestContent;
  expect(changeProblems(normal, { urgency: 'URGENT' })).toEqual([]);
  expect(changeProblems(normal, { urgency: 'URGENT', responseDays: 5 })).toHaveLength(1);
  expect(changeProblems({ ...normal, urgency: 'URGENT', responseDays: 3 }, { responseDays: 5 })).toHaveLength(1);
});

test('linkable identifiers: known types only, normalised, each once', () => {
  expect(
    linkableIdentifiers([{ identifiers: { IBAN: 'it60 x054', other: 'x', vin: 'WVW-ZZZ-1' } }, { identifiers: { iban: 'IT60X054' } }, {}]),
  ).toEqual([
    { type: 'iban', value: 'IT60X054' },
    { type: 'vin', value: 'WVWZZZ1' },
  ]);
});

test('retention keeps categories, dates and values; drops facts, names, holders and addresses', () => {
  const offence = {
    category: 'FRAUD',
    description: 'The facts',
    maxPenaltyYears: 8,
    assetLink: 'How',
    legalBasis: { type: 'INVESTIGATION', reference: 'R-1', authority: 'Court', date: '2024-01-01' },
  };
  expect(purgedOffence(offence)).toEqual({
    category: 'FRAUD',
    maxPenaltyYears: 8,
    legalBasis: { type: 'INVESTIGATION', date: '2024-01-01' },
  });
  const asset = {
    category: 'REAL_ESTATE',
    description: 'Villa',
    identifiers: { landRegistryId: 'N-1' },
    location: { country: 'FR', address: 'Nice' },
    estimatedValue: { amount: 1, currency: 'EUR' },
    holder: 'A cousin',
    measures: 'FROZEN',
    source: { register: 'Land register', reliability: 'A', accuracy: 1 },
  };
  expect(purgedLocatedAsset(asset)).toEqual({
    category: 'REAL_ESTATE',
    location: { country: 'FR' },
    estimatedValue: { amount: 1, currency: 'EUR' },
    measures: 'FROZEN',
    source: { reliability: 'A', accuracy: 1 },
  });
});

test('calendar spans: exact with real days, in proportion when scaled', () => {
  const t = Date.parse('2030-01-10T00:00:00Z');
  expect(new Date(reassessmentAt(t, 86400)).toISOString()).toBe('2029-07-10T00:00:00.000Z');
  expect(new Date(calendarAfter(Date.parse('2025-01-31T00:00:00Z'), { months: 9 }, 86400)).toISOString()).toBe('2025-10-31T00:00:00.000Z');
  expect(t - reassessmentAt(t, 864)).toBe(Math.round((t - Date.parse('2029-07-10T00:00:00Z')) / 100));
});
