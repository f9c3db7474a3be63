/**
 * The console's perimeter over plain HTTP (no browser): sessions from API keys, their cookie, expiry
 * and end, CSRF on every form, the API's headers, rate limits and refusals, and need to know for
 * pasted URLs. Runs on PGlite and on PostgreSQL.
 */
import crypto from 'node:crypto';
import { consoleVisitor } from '../support/browser';
import { eventually, freshRequest, publish } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

const LIMIT = 120;
let sys: TestSystem;
let it_: string;
let fr: string;
let de: string;
let reviewer: string;

beforeAll(async () => {
  sys = await startTestSystem({ rateLimitPerMinute: LIMIT });
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, de, reviewer] = await sys.keys('IT', 'FR', 'DE', 'REVIEWER');
});
afterAll(() => sys?.stop());

const securityEvents = (kind: string) => sys.db.prisma.securityEvent.findMany({ where: { kind: kind as never } });

describe('signing in', () => {
  test('a page needs a session: the visitor is sent to sign in, and back after', async () => {
    const v = consoleVisitor(sys);
    const inbox = await v.get('/inbox');
    expect(inbox.status).toBe(303);
    expect(inbox.location).toBe('/sign-in?next=%2Finbox');
    const page = await v.get('/sign-in?next=%2Finbox');
    expect(page.html).toContain('name="next" value="/inbox"');
    const signedIn = await v.post('/sign-in', { key: fr, next: '/inbox' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/inbox');
    expect((await v.get('/inbox')).status).toBe(200);
  });

  test('the session cookie is httpOnly and SameSite=Strict; the database keeps only its hash', async () => {
    const v = consoleVisitor(sys);
    await v.get('/sign-in');
    const res = await v.post('/sign-in', { key: it_ });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('silver_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    const token = v.jar.get('silver_session')!;
    const rows = await sys.db.prisma.consoleSession.findMany();
    expect(rows.some((r) => r.tokenHash === crypto.createHash('sha256').update(token).digest('hex'))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  test('an unknown key is refused with a message, and recorded as a security event', async () => {
    const v = consoleVisitor(sys);
    await v.get('/sign-in');
    const res = await v.post('/sign-in', { key: 'snk_not-a-key' });
    expect(res.status).toBe(401);
    expect(res.html).toContain('This key is unknown, revoked or expired');
    expect(v.jar.has('silver_session')).toBe(false);
    await eventually(
      () => securityEvents('UNAUTHENTICATED'),
      (rows) => rows.some((e) => e.path === '/sign-in'),
      'the refusal to be recorded',
    );
  });

  test('after signing in, the console goes only to one of its own pages', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const v = consoleVisitor(sys);
      await v.get('/sign-in');
      expect((await v.post('/sign-in', { key: fr, next })).location).toBe('/');
    }
  });
});

describe('the session ends', () => {
  test('on signing out: the cookie is dropped and the session is gone from the database', async () => {
    const v = consoleVisitor(sys);
    await v.signIn(it_);
    const token = v.jar.get('silver_session')!;
    const out = await v.post('/sign-out', {});
    expect(out.location).toBe('/sign-in');
    expect(v.jar.has('silver_session')).toBe(false);
    const replay = await fetch(`${sys.baseUrl}/requests`, { redirect: 'manual', headers: { cookie: `silver_session=${token}` } });
    expect(replay.status).toBe(303);
  });

  test('when it expires, and the sign-in page says so', async () => {
    const v = consoleVisitor(sys);
    await v.signIn(it_);
    await sys.db.prisma.consoleSession.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    const page = await v.get('/requests');
    expect(page.location).toBe('/sign-in?ended=1&next=%2Frequests');
    expect((await v.get(page.location!)).html).toContain('Your session has ended');
  });

  test('at once when its key is revoked', async () => {
    const v = consoleVisitor(sys);
    const key = await sys.key('NCB', 'ES');
    await v.signIn(key);
    expect((await v.get('/inbox')).status).toBe(200);
    const keyId = (await sys.principal(key)).keyId;
    expect((await sys.call('DELETE', `/v1/api-keys/${keyId}`, { key: sys.adminKey })).status).toBe(204);
    expect((await v.get('/inbox')).status).toBe(303);
  });
});

describe('forms', () => {
  test('a post without the session’s token, with another token or from another site is refused', async () => {
    const v = consoleVisitor(sys);
    await v.signIn(it_);
    expect((await v.postRaw('/preferences', { language: 'fr' })).status).toBe(403);
    expect((await v.postRaw('/preferences', { language: 'fr', _csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await v.post('/preferences', { language: 'fr' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await v.post('/preferences', { language: 'fr' }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await v.post('/preferences', { language: 'fr' }, { origin: sys.baseUrl })).status).toBe(303);
    await eventually(
      () => securityEvents('FORBIDDEN'),
      (rows) => rows.some((e) => e.path === '/preferences'),
      'the refusal to be recorded',
    );
  });

  test('signing in needs the token of the sign-in page too (no signing someone in from elsewhere)', async () => {
    const v = consoleVisitor(sys);
    expect((await v.postRaw('/sign-in', { key: it_ })).status).toBe(403);
    expect(v.jar.has('silver_session')).toBe(false);
  });

  test('a body over 1 MB is a 413 page, not a server error', async () => {
    const v = consoleVisitor(sys);
    await v.signIn(it_);
    const res = await v.post('/requests/new', { 'offence.description': 'x'.repeat(1_100_000) });
    expect(res.status).toBe(413);
  });
});

describe('what a reader may see', () => {
  test('a request the reader may not know answers exactly like one that does not exist, and is recorded', async () => {
    const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    const outsider = consoleVisitor(sys);
    await outsider.signIn(de);
    const hidden = await outsider.get(`/requests/${published.id}`);
    const unknownId = crypto.randomUUID();
    const unknown = await outsider.get(`/requests/${unknownId}`);
    expect(hidden.status).toBe(404);
    expect(unknown.status).toBe(404);
    // The same page but for the address it was asked at.
    expect(hidden.html.replaceAll(published.id, 'ID')).toBe(unknown.html.replaceAll(unknownId, 'ID'));
    expect(hidden.html).not.toContain(published.reference);
    expect((await outsider.get(`/requests/${published.id.toUpperCase()}`)).status).toBe(404);
    expect((await outsider.get('/requests/not-an-id')).status).toBe(404);
    await eventually(
      () => securityEvents('NOT_FOUND_HIDDEN'),
      (rows) => rows.some((e) => e.path === `/requests/${published.id}`),
      'the hidden read',
    );

    const recipient = consoleVisitor(sys);
    await recipient.signIn(fr);
    expect((await recipient.get(`/requests/${published.id.toUpperCase()}`)).status).toBe(200);
    // A recipient knows nothing of a request before it is published.
    const waiting = await sys.call('POST', '/v1/notices', { key: it_, body: freshRequest({ recipients: ['FR'] }) });
    expect((await recipient.get(`/requests/${waiting.body.id}`)).status).toBe(404);
  });

  test('a page or an action of another role is 403', async () => {
    const ncb = consoleVisitor(sys);
    await ncb.signIn(it_);
    expect((await ncb.get('/review')).status).toBe(403);
    expect((await ncb.get('/admin/users')).status).toBe(403);
    const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    expect((await ncb.post(`/requests/${published.id}/cancel`, { reason: 'mine' })).status).toBe(403);
    const rev = consoleVisitor(sys);
    await rev.signIn(reviewer);
    expect((await rev.post(`/requests/${published.id}/withdraw`, { reason: 'not mine' })).status).toBe(403);
    expect((await rev.post(`/requests/${published.id}/no-such-action`, {})).status).toBe(404);
  });

  test('text from a request is escaped, never markup', async () => {
    const body = freshRequest({ recipients: ['FR'] });
    body.subject.givenNames = '<script>alert(1)</script>';
    const published = await publish(sys, it_, reviewer, body);
    const v = consoleVisitor(sys);
    await v.signIn(it_);
    const page = await v.get(`/requests/${published.id}`);
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.html).not.toContain('<script>alert(1)');
  });
});

describe('the perimeter of the API holds for the console', () => {
  test('pages carry the security headers, a CSP without inline scripts, and are not stored', async () => {
    const res = await consoleVisitor(sys).get('/sign-in');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-powered-by')).toBeNull();
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(res.html).not.toMatch(/<script(?![^>]*\ssrc=)/);
  });

  test('the API and its errors are untouched', async () => {
    const res = await sys.call('GET', '/v1/no-such-route', { key: it_ });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await sys.call('GET', '/no-such-page')).headers.get('content-type')).toMatch(/problem\+json/);
  });

  test('a key has one budget for the API and the console; beyond it the console answers 429 with Retry-After', async () => {
    const key = await sys.key('NCB', 'IT');
    const v = consoleVisitor(sys);
    await v.signIn(key);
    // Half the budget through the console, the rest through the API, quickly: the limiter's window
    // is a minute, and a slow loop could straddle two.
    const half = LIMIT / 2;
    for (let i = 0; i < half; i += 10) await Promise.all(Array.from({ length: 10 }, () => v.get('/inbox')));
    let apiAnswered = 0;
    for (let i = 0; i < LIMIT; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => sys.call('GET', '/v1/pilot', { key })));
      apiAnswered += batch.filter((r) => r.status === 200).length;
      if (batch.some((r) => r.status === 429)) break;
    }
    expect(apiAnswered).toBeLessThan(LIMIT - half + 10);
    const last = await v.get('/requests');
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last.html).toContain('Too many requests');
    expect((await sys.call('GET', '/v1/pilot', { key })).status).toBe(429);
  });
});
