/** Durations, without any server. */
import { days, defaultResponseDays, expiryAfter, reminderAt, responseWindowDays } from '../../domain/time';

test('a day lasts SILVER_DAY_SECONDS', () => {
  expect(days(30, 86400)).toBe(30 * 86_400_000);
  expect(days(30, 2)).toBe(60_000);
});

test('default response windows', () => {
  expect(defaultResponseDays('NORMAL')).toBe(30);
  expect(defaultResponseDays('URGENT')).toBe(3);
  expect(defaultResponseDays('URGENT_DIRECT')).toBeNull();
  expect(responseWindowDays('URGENT_DIRECT', null)).toBe(8 / 24);
  expect(responseWindowDays('NORMAL', 21)).toBe(21);
});

test('validity: five calendar years with real days, in proportion when days are scaled', () => {
  const published = Date.parse('2025-01-10T09:00:00Z');
  expect(new Date(expiryAfter(published, 86400)).toISOString()).toBe('2030-01-10T09:00:00.000Z');
  const fiveYears = Date.parse('2030-01-10T09:00:00Z') - published;
  expect(expiryAfter(published, 864)).toBe(published + Math.round(fiveYears / 100));
});

test('reminders at 80% of the response period', () => {
  expect(reminderAt(0, 10 * 86_400_000)).toBe(8 * 86_400_000);
});
