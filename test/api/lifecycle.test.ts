import { startTestSystem, sampleRequest, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, fr: string, es: string, reviewer: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, es, reviewer] = await sys.keys('IT', 'FR', 'ES', 'REVIEWER');
});
afterAll(() => sys?.stop());

test('a diffusion goes from submission to COMPLETED through the API', async () => {
  const created = await sys.call('POST', '/v1/notices', { key: it_, body: sampleRequest() });
  expect(created.status).toBe(201);
  const id = created.body.id;
  const approved = await sys.call('POST', `/v1/notices/${id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } });
  expect(approved.status).toBe(200);
  expect(approved.body.status).toBe('PUBLISHED');
  expect(approved.body.reference).toMatch(/^SD-\d{4}-\d{6}$/);
  const r1 = await sys.call('POST', `/v1/notices/${id}/responses`, { key: fr, body: { outcome: 'NO_ASSETS_FOUND' } });
  expect(r1.status).toBe(201);
  expect(r1.body.recipients).toEqual([expect.objectContaining({ country: 'FR', status: 'RESPONDED' })]);
  expect(r1.body.review).toBeUndefined();
  const r2 = await sys.call('POST', `/v1/notices/${id}/responses`, {
    key: es,
    body: {
      outcome: 'ASSETS_LOCATED',
      assets: [
        { category: 'VESSEL', description: 'Yacht', location: { country: 'ES' }, estimatedValue: { amount: 1200000, currency: 'EUR' } },
      ],
    },
  });
  expect(r2.status).toBe(201);
  let view;
  for (let i = 0; i < 50; i++) {
    view = await sys.call('GET', `/v1/notices/${id}`, { key: it_ });
    if (view.body.status === 'COMPLETED') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(view!.body.status).toBe('COMPLETED');
  expect(view!.body.findings).toEqual({ assetsLocated: 1, byCategory: { VESSEL: 1 }, estimatedValue: { EUR: 1200000 } });
});
