/** What follows a decision, without any server. */
import { approvalsRequired, statusAfterDecision } from '../../domain/lifecycle';

test('flags call for two approvals', () => {
  expect(approvalsRequired([])).toBe(1);
  expect(approvalsRequired(['POSSIBLE_DUPLICATE'])).toBe(2);
});

test('what a decision leads to', () => {
  expect(statusAfterDecision('REJECT', 0, 1)).toBe('REJECTED');
  expect(statusAfterDecision('REQUEST_CLARIFICATION', 1, 2)).toBe('CLARIFICATION_REQUESTED');
  expect(statusAfterDecision('APPROVE', 1, 2)).toBe('UNDER_REVIEW');
  expect(statusAfterDecision('APPROVE', 2, 2)).toBe('PUBLISHED');
  expect(statusAfterDecision('APPROVE', 1, 1)).toBe('PUBLISHED');
});
