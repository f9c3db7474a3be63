/** The action catalogue: who may take each action and when, without any server. */
import { type Caller, type Situation } from '../../domain/actions';
import { actionsOpenTo, refusalCodesOf, refusalOf } from '../../domain/permissions';
import { actorRefusal, relationOf } from '../../domain/callers';
import { STATUSES } from '../../domain/model';

const NOW = 1_000_000;
const at = (over: Partial<Situation> = {}): Situation => ({
  status: 'PUBLISHED',
  blocked: false,
  renewalRequested: false,
  reassessmentDue: false,
  approvedBy: [],
  now: NOW,
  ...over,
});
const reviewer: Caller = { role: 'REVIEWER', relation: 'REVIEWER', userId: 'r1' };
const requester: Caller = { role: 'NCB', relation: 'REQUESTER', userId: 'n1' };
const recipient: Caller = { role: 'NCB', relation: 'RECIPIENT', userId: 'n2' };
const ccf: Caller = { role: 'CCF', relation: 'CCF', userId: 'c1' };
const owing = { final: false, dueAt: NOW + 1000 };

test('each action fits the states the contract names', () => {
  const fits = (action: Parameters<typeof refusalOf>[0], caller: Caller, over: Partial<Situation> = {}) =>
    STATUSES.filter((status) => refusalOf(action, caller, at({ status, ...over })) === undefined);
  expect(fits('DECIDE', reviewer)).toEqual(['SUBMITTED', 'UNDER_REVIEW']);
  expect(fits('CLARIFY', requester)).toEqual(['CLARIFICATION_REQUESTED']);
  expect(fits('WITHDRAW', requester)).toEqual(['SUBMITTED', 'UNDER_REVIEW', 'CLARIFICATION_REQUESTED', 'PUBLISHED']);
  expect(fits('CANCEL', reviewer)).toEqual(['PUBLISHED']);
  expect(fits('RESPOND', recipient, { own: owing })).toEqual(['PUBLISHED']);
  // A blocking outlives the request's withdrawal or cancellation: the CCF still decides it.
  expect(fits('DECIDE_BLOCKING', ccf, { blocked: true })).toEqual(['PUBLISHED', 'WITHDRAWN', 'CANCELLED']);
});

test('a final state refuses with REQUEST_FINAL, another state with WRONG_STATE', () => {
  expect(refusalOf('CANCEL', reviewer, at({ status: 'COMPLETED' }))).toMatchObject({ kind: 'CONFLICT', code: 'REQUEST_FINAL' });
  expect(refusalOf('CANCEL', reviewer, at({ status: 'UNDER_REVIEW' }))).toMatchObject({ kind: 'CONFLICT', code: 'WRONG_STATE' });
});

test('the role first, then the relation: 403 with the code that says which', () => {
  expect(refusalOf('DECIDE', requester, at({ status: 'UNDER_REVIEW' }))).toMatchObject({ kind: 'FORBIDDEN', code: 'FORBIDDEN' });
  expect(refusalOf('WITHDRAW', recipient, at())).toMatchObject({ kind: 'FORBIDDEN', code: 'NOT_REQUESTER' });
  expect(refusalOf('RESPOND', requester, at())).toMatchObject({ kind: 'FORBIDDEN', code: 'NOT_RECIPIENT' });
  expect(refusalOf('RESPOND', { role: 'NCB', userId: 'x' }, at())).toMatchObject({ code: 'NOT_RECIPIENT' });
});

test('a reviewer who approved may not decide again, another reviewer may', () => {
  const s = at({ status: 'UNDER_REVIEW', approvedBy: ['r1'] });
  expect(refusalOf('DECIDE', reviewer, s)).toMatchObject({ code: 'ALREADY_APPROVED' });
  expect(refusalOf('DECIDE', { ...reviewer, userId: 'r2' }, s)).toBeUndefined();
  expect(actionsOpenTo(reviewer, s)).not.toContain('DECIDE');
});

test('a recipient: blocked, answered finally, or past its deadline', () => {
  expect(refusalOf('RESPOND', recipient, at({ blocked: true, own: owing }))).toMatchObject({ code: 'BLOCKED' });
  expect(refusalOf('ACKNOWLEDGE', recipient, at({ own: { final: true, dueAt: NOW + 1 } }))).toMatchObject({ code: 'ALREADY_ANSWERED' });
  expect(refusalOf('DELAY', recipient, at({ own: { final: false, dueAt: NOW } }))).toMatchObject({ code: 'DEADLINE_PASSED' });
  expect(refusalOf('DELAY', recipient, at({ own: owing }))).toBeUndefined();
  // After its final answer a recipient may still add one while the request is open (and attach its
  // documents, and write in its thread); nothing else.
  expect(actionsOpenTo(recipient, at({ own: { final: true, dueAt: NOW + 1000 } }))).toEqual(['RESPOND', 'ATTACH', 'MESSAGE']);
});

test('renewal: only in the last six months, one at a time, decided only when asked', () => {
  expect(refusalOf('REQUEST_RENEWAL', requester, at())).toMatchObject({ code: 'RENEWAL_NOT_DUE' });
  expect(refusalOf('REQUEST_RENEWAL', requester, at({ reassessmentDue: true }))).toBeUndefined();
  expect(refusalOf('REQUEST_RENEWAL', requester, at({ reassessmentDue: true, renewalRequested: true }))).toMatchObject({
    code: 'RENEWAL_PENDING',
  });
  expect(refusalOf('DECIDE_RENEWAL', reviewer, at())).toMatchObject({ code: 'NO_RENEWAL_REQUESTED' });
  expect(actionsOpenTo(reviewer, at({ renewalRequested: true }))).toEqual(['CANCEL', 'DECIDE_RENEWAL', 'MESSAGE']);
});

test('a final request offers only its follow-up: messages, outcomes, deletion, and the decision of an open blocking', () => {
  const completed = at({ status: 'COMPLETED', own: owing, published: true });
  expect(actionsOpenTo(reviewer, completed)).toEqual(['MESSAGE']);
  expect(actionsOpenTo(requester, completed)).toEqual(['RECORD_OUTCOME', 'MESSAGE']);
  expect(actionsOpenTo(recipient, completed)).toEqual(['MESSAGE']);
  expect(actionsOpenTo(recipient, at({ status: 'WITHDRAWN', own: owing, published: true }))).toContain('CONFIRM_DELETION');
  expect(actionsOpenTo(ccf, completed)).toEqual([]);
  expect(actionsOpenTo(ccf, at({ status: 'WITHDRAWN', blocked: true }))).toEqual(['DECIDE_BLOCKING']);
});

test('every refusal code an action can answer with is documented for it', () => {
  expect(refusalCodesOf('DELAY')).toEqual(
    expect.arrayContaining([
      'FORBIDDEN',
      'NOT_RECIPIENT',
      'WRONG_STATE',
      'REQUEST_FINAL',
      'BLOCKED',
      'ALREADY_ANSWERED',
      'DEADLINE_PASSED',
    ]),
  );
  expect(refusalCodesOf('DECIDE')).toContain('ALREADY_APPROVED');
});

test('relations: reviewers and the CCF by role, an NCB as requester or as a recipient once published', () => {
  const req = { requestingCountry: 'IT', published: true, addressedTo: (c: string) => c === 'FR' };
  expect(relationOf({ role: 'NCB', country: 'IT' }, req)).toBe('REQUESTER');
  expect(relationOf({ role: 'NCB', country: 'FR' }, req)).toBe('RECIPIENT');
  expect(relationOf({ role: 'NCB', country: 'FR' }, { ...req, published: false })).toBeUndefined();
  expect(relationOf({ role: 'NCB', country: 'DE' }, req)).toBeUndefined();
  expect(relationOf({ role: 'ADMIN' }, req)).toBeUndefined();
});

test('an actor the system cannot have made is refused', () => {
  const good = {
    role: 'NCB',
    country: 'IT',
    userId: '0b6a3c4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
    keyId: '1c7b4d5f-2a3b-4c4d-9e5f-6a7b8c9d0e1f',
  };
  expect(actorRefusal(good)).toBeUndefined();
  expect(actorRefusal({ ...good, userId: 'not-a-uuid' })).toMatchObject({ code: 'UNKNOWN_ACTOR' });
  expect(actorRefusal({ ...good, role: 'GOD' })).toMatchObject({ code: 'UNKNOWN_ACTOR' });
  expect(actorRefusal({ ...good, country: null })).toMatchObject({ code: 'UNKNOWN_ACTOR' });
  expect(actorRefusal({ ...good, role: 'REVIEWER' })).toMatchObject({ code: 'UNKNOWN_ACTOR' });
  expect(actorRefusal(undefined)).toMatchObject({ code: 'UNKNOWN_ACTOR' });
});
