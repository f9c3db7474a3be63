/** The request's state rules, without any server. */
import { approvalRefusal, approvalsRequired, refusal, statusAfterDecision, type Action } from '../../domain/lifecycle';
import { STATUSES, type Status } from '../../domain/model';

const fits = (action: Action) => STATUSES.filter((s) => refusal(action, s) === undefined);

test('each action fits exactly the states the contract names', () => {
  expect(fits('DECIDE')).toEqual(['UNDER_REVIEW']);
  expect(fits('CLARIFY')).toEqual(['CLARIFICATION_REQUESTED']);
  expect(fits('WITHDRAW')).toEqual(['SUBMITTED', 'UNDER_REVIEW', 'CLARIFICATION_REQUESTED', 'PUBLISHED']);
  expect(fits('CANCEL')).toEqual(['PUBLISHED']);
  expect(fits('RESPOND')).toEqual(['PUBLISHED']);
});

test('a final state refuses every action with the same explanation', () => {
  const finals: Status[] = ['REJECTED', 'LAPSED', 'WITHDRAWN', 'CANCELLED', 'COMPLETED', 'EXPIRED'];
  for (const status of finals) {
    for (const action of ['DECIDE', 'CLARIFY', 'WITHDRAW', 'CANCEL', 'RESPOND'] as Action[]) {
      expect(refusal(action, status)).toBe(`The request is ${status}, a final state: no further action is possible`);
    }
  }
  expect(refusal('DECIDE', 'PUBLISHED')).toMatch(/only be taken UNDER_REVIEW/);
});

test('flags call for two approvals, from two different reviewers', () => {
  expect(approvalsRequired([])).toBe(1);
  expect(approvalsRequired(['POSSIBLE_DUPLICATE'])).toBe(2);
  expect(approvalRefusal(['user-a'], 'user-a')).toMatch(/different reviewer/);
  expect(approvalRefusal(['user-a'], 'user-b')).toBeUndefined();
});

test('what a decision leads to', () => {
  expect(statusAfterDecision('REJECT', 0, 1)).toBe('REJECTED');
  expect(statusAfterDecision('REQUEST_CLARIFICATION', 1, 2)).toBe('CLARIFICATION_REQUESTED');
  expect(statusAfterDecision('APPROVE', 1, 2)).toBe('UNDER_REVIEW');
  expect(statusAfterDecision('APPROVE', 2, 2)).toBe('PUBLISHED');
  expect(statusAfterDecision('APPROVE', 1, 1)).toBe('PUBLISHED');
});
