/** The webhook rules that need no server: the retry schedule, what counts as delivered, which addresses are public. */
import { accepted, DELIVERY_WINDOW_DAYS, nextAttemptAfterFailure, retryDelays, webhookBody } from '../../domain/webhooks';
import { isPublicAddress } from '../../outbound/webhook-post';

describe('the retry schedule', () => {
  test('waits grow from 5 seconds and the last attempt falls when the three-day window closes', () => {
    const waits = retryDelays(86_400);
    expect(waits[0]).toBe(5_000);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(Math.min(waits[i - 1], waits.at(-1)!));
    expect(waits.slice(0, 8)).toEqual([...waits.slice(0, 8)].sort((a, b) => a - b));
    expect(waits.reduce((a, b) => a + b, 0)).toBe(DELIVERY_WINDOW_DAYS * 86_400_000);
    expect(waits.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...waits)).toBe(12 * 3600_000);
  });

  test('the n-th failure waits the n-th wait; the failure after the last is given up; a retry by hand gets no schedule', () => {
    const waits = retryDelays(86_400);
    const at = Date.UTC(2026, 0, 1);
    expect(nextAttemptAfterFailure({ attemptsMade: 1, once: false, daySeconds: 86_400, at })).toBe(at + 5_000);
    expect(nextAttemptAfterFailure({ attemptsMade: 3, once: false, daySeconds: 86_400, at })).toBe(at + waits[2]);
    expect(nextAttemptAfterFailure({ attemptsMade: waits.length, once: false, daySeconds: 86_400, at })).toBe(at + waits.at(-1)!);
    expect(nextAttemptAfterFailure({ attemptsMade: waits.length + 1, once: false, daySeconds: 86_400, at })).toBeNull();
    expect(nextAttemptAfterFailure({ attemptsMade: 1, once: true, daySeconds: 86_400, at })).toBeNull();
  });

  test('scales with the length of a day, never below a millisecond', () => {
    const short = retryDelays(86.4);
    expect(short.reduce((a, b) => a + b, 0)).toBeCloseTo(DELIVERY_WINDOW_DAYS * 86_400, -1);
    expect(short.length).toBe(retryDelays(86_400).length);
    expect(Math.min(...retryDelays(0.01))).toBe(1);
  });
});

test('only a 2xx answer is a delivery (a redirect is not followed)', () => {
  expect([200, 201, 202, 204, 299].every(accepted)).toBe(true);
  expect([100, 301, 302, 304, 400, 404, 410, 500, 503].some(accepted)).toBe(false);
});

test('the body is the feed item in the Standard Webhooks envelope', () => {
  const item = {
    id: '7',
    type: 'OVERDUE' as const,
    noticeId: 'n',
    caseNumber: 'IT-2026-00001',
    reference: 'SN-2026-000001',
    at: '2026-01-01T00:00:00.000Z',
  };
  expect(JSON.parse(webhookBody(item))).toEqual({ type: 'notification.overdue', timestamp: item.at, data: item });
});

test('public addresses are public; loopback, private, link-local, CGNAT, reserved and their IPv6 forms are not', () => {
  for (const ok of ['93.184.216.34', '8.8.8.8', '2001:4860:4860::8888']) expect(isPublicAddress(ok)).toBe(true);
  for (const no of [
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    'not an address',
  ]) {
    expect([no, isPublicAddress(no)]).toEqual([no, false]);
  }
});
