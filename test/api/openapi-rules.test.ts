/**
 * The OpenAPI document says what the API enforces: a body or query the document calls valid is
 * accepted, and one it calls invalid is refused, also for the rules that span fields (a NOTICE
 * omits `recipients`, ASSETS_LOCATED needs assets...). Each case goes both to a JSON Schema
 * validator reading /openapi.json and to the API.
 */
import Ajv2020 from 'ajv/dist/2020';
import { freshRequest, publish, waitFor } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let ncb: string;
let fr: string;
let reviewer: string;
let schemaValid: (component: string, value: unknown) => boolean;

beforeAll(async () => {
  sys = await startTestSystem();
  [ncb, fr, reviewer] = [await sys.key('NCB', 'IT'), await sys.key('NCB', 'FR'), await sys.key('REVIEWER')];
  await sys.pilot(['IT', 'FR', 'ES']);
  const doc = (await sys.call('GET', '/openapi.json')).body;
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema(doc, 'doc');
  schemaValid = (component, value) => ajv.getSchema(`doc#/components/schemas/${component}`)!(value) as boolean;
});
afterAll(() => sys?.stop());

const subject = freshRequest().subject;
test.each<[string, Record<string, unknown>]>([
  ['a DIFFUSION naming its recipients', {}],
  ['a NOTICE with recipients', { kind: 'NOTICE', recipients: ['FR'] }],
  ['a DIFFUSION without recipients', { recipients: undefined }],
  ['an URGENT request choosing its days', { urgency: 'URGENT', responseDays: 10 }],
  ['a NORMAL request choosing its days', { urgency: 'NORMAL', responseDays: 10 }],
  ['a nationality twice', { subject: { ...subject, nationalities: ['IT', 'IT'] } }],
  ['a nationality that is no country', { subject: { ...subject, nationalities: ['XY'] } }],
  ['neither a date of birth nor a document', { subject: { familyName: 'ROSSI', identityDocuments: [] } }],
  ['a family name of spaces', { subject: { ...subject, familyName: '   ' } }],
  ['a NUL in the facts', { offence: { ...freshRequest().offence, description: 'a\u0000b' } }],
  ['a currency that is none', { assetsSought: [{ category: 'CASH', description: 'x', estimatedValue: { amount: 1, currency: 'XYZ' } }] }],
])('submission: %s', async (_what, change) => {
  const body = JSON.parse(JSON.stringify(freshRequest(change)));
  const res = await sys.call('POST', '/v1/notices', { key: ncb, body });
  expect(schemaValid('NoticeRequest', body)).toBe(res.status === 201);
  expect([201, 400]).toContain(res.status);
});

test.each<[string, Record<string, unknown>]>([
  [
    'assets located, with one',
    { outcome: 'ASSETS_LOCATED', assets: [{ category: 'CASH', description: 'x', location: { country: 'FR' } }] },
  ],
  ['assets located, without any', { outcome: 'ASSETS_LOCATED', assets: [] }],
  [
    'no assets found, with one',
    { outcome: 'NO_ASSETS_FOUND', assets: [{ category: 'CASH', description: 'x', location: { country: 'FR' } }] },
  ],
  [
    'an identifier named with a NUL',
    {
      outcome: 'ASSETS_LOCATED',
      assets: [{ category: 'CASH', description: 'x', location: { country: 'FR' }, identifiers: { 'a\u0000': 'x' } }],
    },
  ],
  ['unable to assist, without a reason', { outcome: 'UNABLE_TO_ASSIST' }],
  ['unable to assist, with a reason', { outcome: 'UNABLE_TO_ASSIST', reason: 'No register access', final: false }],
])('answer: %s', async (_what, body) => {
  const published = await publish(sys, ncb, reviewer, freshRequest({ recipients: ['FR'] }));
  const res = await sys.call('POST', `/v1/notices/${published.id}/responses`, { key: fr, body });
  expect(schemaValid('ResponseRequest', body)).toBe(res.status === 201);
  expect([201, 400]).toContain(res.status);
});

test.each<[string, Record<string, unknown>]>([
  ['a rejection without a reason', { decision: 'REJECT' }],
  ['an approval without a reason', { decision: 'APPROVE' }],
])('decision: %s', async (_what, body) => {
  const submitted = (await sys.call('POST', '/v1/notices', { key: ncb, body: freshRequest() })).body;
  await waitFor(
    () => sys.call('GET', `/v1/notices/${submitted.id}`, { key: ncb }),
    (r) => r.body.status === 'UNDER_REVIEW',
    'screening',
  );
  const res = await sys.call('POST', `/v1/notices/${submitted.id}/decisions`, { key: reviewer, body });
  expect(schemaValid('DecisionRequest', body)).toBe(res.status === 200);
});

test('a cursor the server did not give out is refused, and the document says what one looks like', async () => {
  const doc = (await sys.call('GET', '/openapi.json')).body;
  const param = doc.paths['/v1/notices'].get.parameters.find((p: { name: string }) => p.name === 'cursor');
  const pattern = new RegExp(param.schema.pattern);
  expect(pattern.test('LF\u00e3\u0011K')).toBe(false);
  expect((await sys.call('GET', `/v1/notices?cursor=${encodeURIComponent('LF\u00e3\u0011K')}`, { key: ncb })).status).toBe(400);
  await sys.call('POST', '/v1/notices', { key: ncb, body: freshRequest() });
  await sys.call('POST', '/v1/notices', { key: ncb, body: freshRequest() });
  const page = await sys.call('GET', '/v1/notices?limit=1', { key: ncb });
  expect(pattern.test(page.body.nextCursor)).toBe(true);
});

test('links lead from a created request to every operation on it, and each names an operation the document has', async () => {
  const doc = (await sys.call('GET', '/openapi.json')).body;
  const operations = new Map<string, string>();
  for (const [path, methods] of Object.entries<Record<string, { operationId: string }>>(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) operations.set(op.operationId, `${method.toUpperCase()} ${path}`);
  }
  const links = (path: string, method: string, status: string) => Object.values<any>(doc.paths[path][method].responses[status].links ?? {});
  const fromCreated = links('/v1/notices', 'post', '201').map((l) => operations.get(l.operationId));
  const onARequest = [...operations.values()].filter((o) => o.includes('/v1/notices/{id}'));
  expect(fromCreated.sort()).toEqual(onARequest.sort());
  for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const op of Object.values(methods)) {
      for (const response of Object.values<any>(op.responses)) {
        for (const link of Object.values<any>(response.links ?? {})) expect(operations.has(link.operationId)).toBe(true);
      }
    }
    expect(path).toMatch(/^\//);
  }
});

test.each<[string, string, string, Record<string, unknown>]>([
  ['a user: an NCB with its country', 'UserRequest', '/v1/users', { name: 'A', role: 'NCB', country: 'FR' }],
  ['a user: an NCB without a country', 'UserRequest', '/v1/users', { name: 'A', role: 'NCB' }],
  ['a user: a CCF with a country', 'UserRequest', '/v1/users', { name: 'A', role: 'CCF', country: 'FR' }],
  ['a key: for a new CCF', 'ApiKeyRequest', '/v1/api-keys', { role: 'CCF', label: 'x' }],
  ['a key: neither a user nor a role', 'ApiKeyRequest', '/v1/api-keys', { label: 'x' }],
  ['a key: for a user, naming a role', 'ApiKeyRequest', '/v1/api-keys', { userId: 'USER', role: 'CCF' }],
  ['a key: for a user, naming a country', 'ApiKeyRequest', '/v1/api-keys', { userId: 'USER', country: 'FR' }],
  ['a key: for a user', 'ApiKeyRequest', '/v1/api-keys', { userId: 'USER', label: 'x' }],
])('people: %s', async (_what, component, path, given) => {
  const user = (await sys.call('POST', '/v1/users', { key: sys.adminKey, body: { name: 'Holder', role: 'REVIEWER' } })).body;
  const body = given.userId ? { ...given, userId: user.id } : given;
  const res = await sys.call('POST', path, { key: sys.adminKey, body });
  expect(schemaValid(component, body)).toBe(res.status === 201);
  expect([201, 400]).toContain(res.status);
});
