/** The catalogue's rules for what follows publication: deletion confirmations and outcomes. */
import { type Caller, type Situation } from '../../domain/actions';
import { actionsOpenTo, refusalCodesOf, refusalOf } from '../../domain/permissions';
import { STATUSES } from '../../domain/model';

const at = (over: Partial<Situation> = {}): Situation => ({
  status: 'PUBLISHED',
  blocked: false,
  renewalRequested: false,
  reassessmentDue: false,
  approvedBy: [],
  published: true,
  now: 1,
  ...over,
});
const requester: Caller = { role: 'NCB', relation: 'REQUESTER', userId: 'n1' };
const recipient: Caller = { role: 'NCB', relation: 'RECIPIENT', userId: 'n2' };
const reviewer: Caller = { role: 'REVIEWER', relation: 'REVIEWER', userId: 'r1' };
const unconfirmed = { final: false, dueAt: 2, deletionConfirmed: false };

const fits = (action: 'CONFIRM_DELETION' | 'RECORD_OUTCOME', caller: Caller, over: Partial<Situation> = {}) =>
  STATUSES.filter((status) => refusalOf(action, caller, at({ status, ...over })) === undefined).sort();

test('a recipient confirms the deletion of a request withdrawn, cancelled or expired, once', () => {
  expect(fits('CONFIRM_DELETION', recipient, { own: unconfirmed })).toEqual(['CANCELLED', 'EXPIRED', 'WITHDRAWN']);
  expect(
    refusalOf('CONFIRM_DELETION', recipient, at({ status: 'EXPIRED', own: { ...unconfirmed, deletionConfirmed: true } })),
  ).toMatchObject({
    kind: 'CONFLICT',
    code: 'ALREADY_CONFIRMED',
  });
  expect(refusalOf('CONFIRM_DELETION', requester, at({ status: 'WITHDRAWN' }))).toMatchObject({ kind: 'FORBIDDEN', code: 'NOT_RECIPIENT' });
  expect(refusalOf('CONFIRM_DELETION', reviewer, at({ status: 'WITHDRAWN' }))).toMatchObject({ kind: 'FORBIDDEN', code: 'FORBIDDEN' });
  // Blocked or not: the obligation to delete does not wait for the CCF.
  expect(actionsOpenTo(recipient, at({ status: 'CANCELLED', blocked: true, own: unconfirmed }))).toContain('CONFIRM_DELETION');
  expect(refusalCodesOf('CONFIRM_DELETION')).toContain('ALREADY_CONFIRMED');
});

test('the requester records outcomes once published, whether the request is open or ended after publication', () => {
  expect(fits('RECORD_OUTCOME', requester)).toEqual(['CANCELLED', 'COMPLETED', 'EXPIRED', 'PUBLISHED', 'WITHDRAWN']);
  // Withdrawn before publication: nothing followed.
  expect(refusalOf('RECORD_OUTCOME', requester, at({ status: 'WITHDRAWN', published: false }))).toMatchObject({ code: 'WRONG_STATE' });
  expect(refusalOf('RECORD_OUTCOME', recipient, at())).toMatchObject({ kind: 'FORBIDDEN', code: 'NOT_REQUESTER' });
  expect(refusalOf('RECORD_OUTCOME', reviewer, at())).toMatchObject({ kind: 'FORBIDDEN', code: 'FORBIDDEN' });
});
