/**
 * Shared assertions and steps for the API integration tests (not a test file itself).
 */
import { freshRequest, waitFor, type TestSystem } from '../support/system';

export { freshRequest, waitFor };

export type Reply = Awaited<ReturnType<TestSystem['call']>>;

/** An RFC 9457 problem with this status: the media type and the type/title/status members. */
export function expectProblem(res: Reply, status: number): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)?.slice(0, 2000)}`);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual(expect.objectContaining({ type: expect.any(String), title: expect.any(String), status }));
  expect(res.body.type.length).toBeGreaterThan(0);
}

/** A 400 whose `errors` name each given path (and are all { path, message } strings). */
export function expectFieldErrors(res: Reply, ...paths: string[]): void {
  expectProblem(res, 400);
  expect(Array.isArray(res.body.errors)).toBe(true);
  for (const e of res.body.errors) {
    expect(typeof e.path).toBe('string');
    expect(typeof e.message).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
  }
  const got = res.body.errors.map((e: { path: string }) => e.path);
  for (const p of paths) expect(got).toContain(p);
}

export async function submit(sys: TestSystem, key: string, body: Record<string, unknown> = freshRequest()): Promise<any> {
  const res = await sys.call('POST', '/v1/notices', { key, body });
  if (res.status !== 201) throw new Error(`submission failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Submits and approves (one approval: the request must raise no flags). Returns the published view. */
export async function publish(
  sys: TestSystem,
  requester: string,
  reviewer: string,
  body: Record<string, unknown> = freshRequest(),
): Promise<any> {
  const created = await submit(sys, requester, body);
  const approved = await sys.call('POST', `/v1/notices/${created.id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } });
  if (approved.status !== 200 || approved.body.status !== 'PUBLISHED') {
    throw new Error(`approval did not publish: ${approved.status} ${JSON.stringify(approved.body)}`);
  }
  return approved.body;
}

export async function waitForStatus(sys: TestSystem, id: string, key: string, status: string): Promise<any> {
  const res = await waitFor(
    () => sys.call('GET', `/v1/notices/${id}`, { key }),
    (r) => r.status === 200 && r.body.status === status,
    `request ${id} to be ${status}`,
  );
  return res.body;
}

export const located = (overrides: Record<string, unknown> = {}) => ({
  category: 'REAL_ESTATE',
  description: 'Villa',
  location: { country: 'FR', address: 'Nice' },
  estimatedValue: { amount: 900000, currency: 'EUR' },
  holder: 'A relative',
  measures: 'NONE',
  source: { register: 'Land register', reliability: 'A', accuracy: 1 },
  ...overrides,
});

/**
 * Records every 5xx the API answers through `sys.call` and fails the test that caused it: a server
 * error in answer to any client input is a defect, whatever else the test checks. Call at the top
 * level of a test file.
 */
export function failOnServerErrors(getSys: () => TestSystem | undefined): void {
  const seen: string[] = [];
  let wrapped: TestSystem | undefined;
  beforeEach(() => {
    const sys = getSys();
    if (!sys || sys === wrapped) return;
    wrapped = sys;
    const call = sys.call.bind(sys);
    sys.call = async (method, path, opts) => {
      const res = await call(method, path, opts);
      if (res.status >= 500) seen.push(`${method} ${path.slice(0, 200)} -> ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`);
      return res;
    };
  });
  afterEach(() => {
    expect(seen.splice(0)).toEqual([]);
  });
}
