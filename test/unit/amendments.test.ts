/** What an amendment adds, what it may not, and when the catalogue lets it be made or decided: no server. */
import { type Caller, type Situation } from '../../domain/actions';
import { refusalCodesOf, refusalOf } from '../../domain/permissions';
import { amendmentProblems, applyAmendment, newRecipients } from '../../domain/amendments';
import type { RequestContent } from '../../domain/request';
import { NoticeRequest } from '../../api/schemas/requests';
import { sampleRequest } from '../support/system';

const diffusion: RequestContent = NoticeRequest.parse(sampleRequest({ recipients: ['FR', 'ES'] }));
const request = { kind: 'DIFFUSION' as const, requestingCountry: 'IT', content: diffusion };
const open = { participants: ['IT', 'FR', 'ES', 'DE'], quotaTotal: 10, recipientsLimitedToParticipants: false };
const legalBasis = { type: 'RESTRAINT_ORDER', reference: 'GIP 1/2026', authority: 'Tribunale', date: '2026-01-02' };

test('an amendment appends to the lists it names, replaces the legal basis, and adds only countries not yet reached', () => {
  const amended = applyAmendment(diffusion, {
    add: { aliases: [{ familyName: 'ROSSO' }], recipients: ['ES', 'DE'], assetsSought: [{ category: 'VEHICLE', description: 'A car' }] },
    legalBasis,
  });
  expect(amended.subject.aliases?.map((a) => a.familyName)).toEqual(['RUSSO', 'ROSSO']);
  expect(amended.subject.identityDocuments).toEqual(diffusion.subject.identityDocuments);
  expect(amended.assetsSought).toHaveLength(2);
  expect(amended.recipients).toEqual(['FR', 'ES', 'DE']);
  expect(amended.offence).toEqual({ ...diffusion.offence, legalBasis });
  expect(applyAmendment(diffusion, { add: {} })).toEqual(diffusion);
  expect(newRecipients(['FR', 'ES'], ['DE', 'ES', 'DE', 'BE'])).toEqual(['BE', 'DE']);
});

test('an amendment must add something, name recipients only for a diffusion and valid ones, and keep the limits', () => {
  const codes = (add: object, r = request, pilot = open) => amendmentProblems(r, { add }, pilot).map((p) => `${p.path}:${p.code}`);
  expect(codes({})).toEqual(['add:REQUIRED']);
  expect(amendmentProblems(request, { add: {}, legalBasis }, open)).toEqual([]);
  expect(codes({ recipients: ['IT'] })).toEqual(['add.recipients:OWN_COUNTRY']);
  expect(codes({ recipients: ['BE'] }, request, { ...open, recipientsLimitedToParticipants: true })).toEqual([
    'add.recipients:NOT_PARTICIPANT',
  ]);
  expect(codes({ recipients: ['DE'] }, { ...request, kind: 'NOTICE' as never })).toEqual(['add.recipients:KIND_RECIPIENTS']);
  const documents = Array.from({ length: 20 }, (_, i) => ({ type: 'PASSPORT', number: `P${i}`, issuingCountry: 'IT' }));
  expect(codes({ identityDocuments: documents })).toEqual(['add.identityDocuments:TOO_LONG']);
});

test('one amendment at a time, by the requester, while published and not blocked; its decision by another reviewer', () => {
  const base: Situation = { status: 'PUBLISHED', blocked: false, renewalRequested: false, reassessmentDue: false, approvedBy: [], now: 1 };
  const requester: Caller = { role: 'NCB', relation: 'REQUESTER', userId: 'u1' };
  const reviewer: Caller = { role: 'REVIEWER', relation: 'REVIEWER', userId: 'r1' };
  expect(refusalOf('AMEND', requester, base)).toBeUndefined();
  expect(refusalOf('AMEND', { ...requester, relation: 'RECIPIENT' }, base)?.code).toBe('NOT_REQUESTER');
  expect(refusalOf('AMEND', requester, { ...base, status: 'UNDER_REVIEW' })?.code).toBe('WRONG_STATE');
  expect(refusalOf('AMEND', requester, { ...base, blocked: true })?.code).toBe('BLOCKED');
  expect(refusalOf('AMEND', requester, { ...base, amendment: { approvedBy: [] } })?.code).toBe('AMENDMENT_PENDING');
  expect(refusalOf('DECIDE_AMENDMENT', reviewer, base)?.code).toBe('NO_AMENDMENT_PENDING');
  expect(refusalOf('DECIDE_AMENDMENT', reviewer, { ...base, amendment: { approvedBy: [] } })).toBeUndefined();
  expect(refusalOf('DECIDE_AMENDMENT', reviewer, { ...base, amendment: { approvedBy: ['r1'] } })?.code).toBe('ALREADY_APPROVED');
  expect(refusalCodesOf('AMEND')).toEqual(expect.arrayContaining(['AMENDMENT_PENDING', 'BLOCKED', 'NOT_REQUESTER']));
  expect(refusalCodesOf('DECIDE_AMENDMENT')).toEqual(expect.arrayContaining(['NO_AMENDMENT_PENDING', 'ALREADY_APPROVED']));
});
