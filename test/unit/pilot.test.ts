/** The pilot's rules and who a request goes to, without any server. */
import { holdsQuota, participationRefusal, quotaPerParticipant, quotaRefusal } from '../../domain/pilot';
import { nobodyToReach, recipientProblems, recipientsOf } from '../../domain/recipients';

const pilot = { participants: ['IT', 'FR', 'ES'], quotaTotal: 10, recipientsLimitedToParticipants: false };
const limited = { ...pilot, recipientsLimitedToParticipants: true };

test('quota: an equal share, rounded down; none without participants', () => {
  expect(quotaPerParticipant(500, 52)).toBe(9);
  expect(quotaPerParticipant(10, 3)).toBe(3);
  expect(quotaPerParticipant(10, 0)).toBe(0);
  expect(quotaRefusal('IT', 2, pilot)).toBeUndefined();
  expect(quotaRefusal('IT', 3, pilot)).toBe('IT has used its pilot quota (3 of 3)');
});

test('a request holds quota before publication and once published, not when it ended before', () => {
  expect(holdsQuota({ status: 'SUBMITTED', publishedAt: null })).toBe(true);
  expect(holdsQuota({ status: 'CLARIFICATION_REQUESTED', publishedAt: null })).toBe(true);
  expect(holdsQuota({ status: 'WITHDRAWN', publishedAt: null })).toBe(false);
  expect(holdsQuota({ status: 'REJECTED', publishedAt: null })).toBe(false);
  expect(holdsQuota({ status: 'LAPSED', publishedAt: null })).toBe(false);
  expect(holdsQuota({ status: 'WITHDRAWN', publishedAt: new Date() })).toBe(true);
  expect(holdsQuota({ status: 'COMPLETED', publishedAt: new Date() })).toBe(true);
});

test('only participants submit', () => {
  expect(participationRefusal('IT', pilot)).toBeUndefined();
  expect(participationRefusal('DE', pilot)).toMatch(/does not take part/);
});

test('a notice goes to every member but the requester, or to the other participants when limited', () => {
  const all = recipientsOf({ kind: 'NOTICE', requestingCountry: 'IT', requestedRecipients: [] }, pilot);
  expect(all).toHaveLength(195);
  expect(all).not.toContain('IT');
  expect(recipientsOf({ kind: 'NOTICE', requestingCountry: 'IT', requestedRecipients: [] }, limited)).toEqual(['ES', 'FR']);
  expect(recipientsOf({ kind: 'DIFFUSION', requestingCountry: 'IT', requestedRecipients: ['GB', 'DE'] }, limited)).toEqual(['DE', 'GB']);
});

test('the countries a request names: never the requester; only participants when limited', () => {
  expect(recipientProblems('IT', ['FR'], pilot)).toEqual([]);
  expect(recipientProblems('IT', undefined, limited)).toEqual([]);
  expect(recipientProblems('IT', ['IT', 'FR'], pilot)).toEqual([
    { path: 'recipients', code: 'OWN_COUNTRY', message: 'must not include the requesting country' },
  ]);
  expect(recipientProblems('IT', ['FR', 'GB', 'DE'], limited)).toEqual([
    { path: 'recipients', code: 'NOT_PARTICIPANT', message: 'only pilot participants may receive requests; not participating: GB, DE' },
  ]);
  expect(recipientProblems('IT', ['FR', 'GB'], pilot)).toEqual([]);
});

test('a notice limited to participants with no other participant reaches nobody', () => {
  const alone = { ...limited, participants: ['IT'] };
  expect(nobodyToReach('NOTICE', 'IT', alone)).toMatch(/none yet/);
  expect(nobodyToReach('NOTICE', 'IT', limited)).toBeUndefined();
  expect(nobodyToReach('DIFFUSION', 'IT', alone)).toBeUndefined();
});
