/**
 * A method a documented path does not have is 405 with Allow (RFC 9110), after authentication like
 * every /v1 call; an unknown path stays 404.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { expectProblem, type Reply } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(() => sys?.stop());

/** fetch refuses TRACE; node's http client sends any method. */
function call(method: string, path: string, key: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${sys.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${key}` } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        const headers = new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)] as [string, string]));
        resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined, headers });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

test.each([
  ['TRACE', '/v1/notices', 'GET, HEAD, POST'],
  ['PATCH', `/v1/notices/${crypto.randomUUID()}`, 'GET, HEAD'],
  ['PUT', `/v1/notices/${crypto.randomUUID()}/decisions`, 'POST'],
  ['DELETE', '/v1/users', 'GET, HEAD, POST'],
  ['TRACE', '/healthz', 'GET, HEAD'],
  ['POST', '/openapi.json', 'GET, HEAD'],
])('%s %s is 405, Allow: %s', async (method, path, allow) => {
  const res = await call(method, path, sys.adminKey);
  expectProblem(res, 405);
  expect(res.headers.get('allow')).toBe(allow);
});

test('without a valid key an undeclared method on /v1 is 401, like any other call', async () => {
  expectProblem(await call('TRACE', '/v1/notices', 'not-a-key'), 401);
});

test('a path the API does not have is 404 whatever the method', async () => {
  expectProblem(await call('TRACE', '/v1/nothing-here', sys.adminKey), 404);
  expectProblem(await call('GET', '/v1/notices/not/here', sys.adminKey), 404);
});

test('OPTIONS names every method of a path, also where its routes live in different routers', async () => {
  const res = await call('OPTIONS', `/v1/notices/${crypto.randomUUID()}/responses`, sys.adminKey);
  expect(res.status).toBe(204);
  expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
});
