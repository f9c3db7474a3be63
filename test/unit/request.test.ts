/** A request's fields and a clarification's changes, without any server. */
import { applyChanges, kindProblems, REQUEST_FIELDS, type RequestContent } from '../../domain/request';
import { defaultResponseDays } from '../../domain/time';
import { ClarificationRequest, NoticeRequest } from '../../api/schemas/requests';
import { sampleRequest } from '../support/system';

const stored: RequestContent = NoticeRequest.parse(sampleRequest({ urgency: 'NORMAL', responseDays: 21 }));

test('the submission schema and the clarification take exactly the listed fields', () => {
  const submissionFields = Object.keys(NoticeRequest.in.shape).filter((k) => k !== 'kind');
  expect(submissionFields.sort()).toEqual([...REQUEST_FIELDS].sort());
  const changeable = Object.keys((ClarificationRequest.shape.changes.unwrap() as { shape: object }).shape);
  expect(changeable.sort()).toEqual([...REQUEST_FIELDS].sort());
});

test('a NOTICE names no recipients, a DIFFUSION at least one', () => {
  expect(kindProblems({ kind: 'NOTICE' })).toEqual([]);
  expect(kindProblems({ kind: 'NOTICE', recipients: ['FR'] })[0].path).toBe('recipients');
  expect(kindProblems({ kind: 'DIFFUSION' })[0].message).toMatch(/at least one/);
  expect(kindProblems({ kind: 'DIFFUSION', recipients: ['FR'] })).toEqual([]);
});

test('changes replace fields; a new urgency without response days takes its default', () => {
  expect(applyChanges(stored, { handlingCode: 'H3' })).toEqual({ ...stored, handlingCode: 'H3' });
  expect(applyChanges(stored, { urgency: 'URGENT' }).responseDays).toBe(defaultResponseDays('URGENT'));
  expect(applyChanges(stored, { urgency: 'URGENT', responseDays: 5 }).responseDays).toBe(5);
  expect(applyChanges(stored, {})).toEqual(stored);
});
