/**
 * Administration (keys, pilot, countries), authentication, and the key-less operational routes.
 */
import { hashKey } from '../../records/keys';
import { startTestSystem, type TestSystem } from '../support/system';
import { expectFieldErrors, expectProblem, failOnServerErrors, freshRequest, submit } from '../support/helpers';

let sys: TestSystem;
let reviewer: string;
let ncbIt: string;

beforeAll(async () => {
  sys = await startTestSystem();
  [reviewer, ncbIt] = await Promise.all([sys.key('REVIEWER'), sys.key('NCB', 'IT')]);
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

describe('API keys', () => {
  test('POST creates a key shown once; it works at once; GET lists it without any secret', async () => {
    const created = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'NCB', country: 'FR', label: 'NCB Paris' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/json/);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      key: expect.any(String),
      userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      role: 'NCB',
      country: 'FR',
      label: 'NCB Paris',
      createdAt: expect.any(String),
      expiresAt: null,
      lastUsedAt: null,
    });
    expect(new Date(created.body.createdAt).toISOString()).toBe(created.body.createdAt);
    expect(created.body.key.length).toBeGreaterThanOrEqual(32);

    // The new key authenticates as an NCB of FR.
    const pilot = await sys.call('GET', '/v1/pilot', { key: created.body.key });
    expect(pilot.status).toBe(200);
    const asNcb = await sys.call('GET', '/v1/api-keys', { key: created.body.key });
    expectProblem(asNcb, 403);

    // The secret is stored only as a hash.
    const row = await sys.db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.hash).toBe(hashKey(created.body.key));
    expect(JSON.stringify(row)).not.toContain(created.body.key);

    const list = await sys.call('GET', '/v1/api-keys', { key: sys.adminKey });
    expect(list.status).toBe(200);
    const entry = list.body.items.find((k: { id: string }) => k.id === created.body.id);
    const { key: _secret, ...shown } = created.body;
    expect(entry).toEqual({ ...shown, lastUsedAt: expect.any(String) });
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(created.body.key);
    expect(text).not.toContain(row.hash);
    for (const k of list.body.items)
      expect(Object.keys(k).sort()).toEqual(['country', 'createdAt', 'expiresAt', 'id', 'label', 'lastUsedAt', 'role', 'userId']);
  });

  test('REVIEWER and ADMIN keys carry no country; label is optional', async () => {
    const r = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'REVIEWER' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ role: 'REVIEWER', country: null, label: null });
    const a = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'ADMIN', label: 'second admin' } });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ role: 'ADMIN', country: null, label: 'second admin' });
    const second = await sys.call('GET', '/v1/api-keys', { key: a.body.key });
    expect(second.status).toBe(200);
  });

  test('a revoked key is refused at once, and is no longer listed', async () => {
    const created = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'REVIEWER', label: 'to revoke' } });
    expect((await sys.call('GET', '/v1/pilot', { key: created.body.key })).status).toBe(200);
    const del = await sys.call('DELETE', `/v1/api-keys/${created.body.id}`, { key: sys.adminKey });
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    const after = await sys.call('GET', '/v1/pilot', { key: created.body.key });
    expectProblem(after, 401);
    const list = await sys.call('GET', '/v1/api-keys', { key: sys.adminKey });
    expect(list.body.items.map((k: { id: string }) => k.id)).not.toContain(created.body.id);
    // Revoking again, or an id that never existed: 404.
    expectProblem(await sys.call('DELETE', `/v1/api-keys/${created.body.id}`, { key: sys.adminKey }), 404);
    expectProblem(await sys.call('DELETE', '/v1/api-keys/00000000-0000-4000-8000-000000000000', { key: sys.adminKey }), 404);
  });

  test('a revoked admin key cannot create keys', async () => {
    const admin2 = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'ADMIN' } });
    expect((await sys.call('DELETE', `/v1/api-keys/${admin2.body.id}`, { key: sys.adminKey })).status).toBe(204);
    const attempt = await sys.call('POST', '/v1/api-keys', { key: admin2.body.key, body: { role: 'ADMIN' } });
    expectProblem(attempt, 401);
    expect(await sys.db.prisma.apiKey.count({ where: { user: { role: 'ADMIN' }, revokedAt: null } })).toBeGreaterThanOrEqual(1);
  });

  test('the last active ADMIN key cannot be revoked', async () => {
    const admins = await sys.db.prisma.apiKey.findMany({ where: { user: { role: 'ADMIN' }, revokedAt: null } });
    const own = await sys.db.prisma.apiKey.findFirstOrThrow({
      where: { user: { role: 'ADMIN' }, revokedAt: null, label: 'test' },
      orderBy: { createdAt: 'asc' },
    });
    for (const other of admins.filter((a) => a.id !== own.id)) {
      expect((await sys.call('DELETE', `/v1/api-keys/${other.id}`, { key: sys.adminKey })).status).toBe(204);
    }
    expectProblem(await sys.call('DELETE', `/v1/api-keys/${own.id}`, { key: sys.adminKey }), 409);
    expect((await sys.call('GET', '/v1/api-keys', { key: sys.adminKey })).status).toBe(200);
  });

  test('400 with field errors for every malformed key request', async () => {
    const cases: [unknown, string][] = [
      [{ role: 'NCB' }, 'country'],
      [{ role: 'NCB', country: 'KP' }, 'country'],
      [{ role: 'NCB', country: 'XX' }, 'country'],
      [{ role: 'NCB', country: 'fr' }, 'country'],
      [{ role: 'NCB', country: 7 }, 'country'],
      [{ role: 'REVIEWER', country: 'FR' }, 'country'],
      [{ role: 'SUPERUSER' }, 'role'],
      [{}, 'role'],
      [{ role: 'ADMIN', label: '' }, 'label'],
      [{ role: 'ADMIN', label: 'x'.repeat(201) }, 'label'],
    ];
    const before = await sys.db.prisma.apiKey.count();
    for (const [body, p] of cases) {
      const res = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body });
      expectFieldErrors(res, p);
    }
    const unknown = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'ADMIN', hash: 'x' } });
    expectProblem(unknown, 400);
    expect(JSON.stringify(unknown.body.errors)).toContain('hash');
    expect(await sys.db.prisma.apiKey.count()).toBe(before);
  });

  test('DELETE with a malformed id is 400; key routes are ADMIN only', async () => {
    expectFieldErrors(await sys.call('DELETE', '/v1/api-keys/not-a-uuid', { key: sys.adminKey }), 'path.id');
    expectProblem(await sys.call('POST', '/v1/api-keys', { key: reviewer, body: { role: 'ADMIN' } }), 403);
    expectProblem(await sys.call('POST', '/v1/api-keys', { key: ncbIt, body: { role: 'ADMIN' } }), 403);
    expectProblem(await sys.call('GET', '/v1/api-keys', { key: reviewer }), 403);
    const victim = await sys.db.prisma.apiKey.findFirstOrThrow({ where: { user: { role: 'REVIEWER' } } });
    expectProblem(await sys.call('DELETE', `/v1/api-keys/${victim.id}`, { key: ncbIt }), 403);
    expect((await sys.db.prisma.apiKey.findUniqueOrThrow({ where: { id: victim.id } })).revokedAt).toBeNull();
  });
});

describe('authentication', () => {
  const routes: [string, string][] = [
    ['GET', '/v1/pilot'],
    ['GET', '/v1/countries'],
    ['GET', '/v1/api-keys'],
    ['GET', '/v1/notices'],
    ['GET', '/v1/notices/00000000-0000-4000-8000-000000000000'],
    ['GET', '/v1/notifications'],
    ['GET', '/v1/reports/pilot'],
  ];

  test('no key, an unknown key or a malformed header: 401 on every /v1 route', async () => {
    for (const [method, p] of routes) {
      expectProblem(await sys.call(method, p), 401);
      expectProblem(await sys.call(method, p, { key: 'snk_unknown' }), 401);
    }
    const malformed = [
      'Basic dXNlcjpwdw==',
      'Bearer',
      'Bearer ',
      `Bearer ${sys.adminKey} extra`,
      sys.adminKey,
      `Bearer ${'x'.repeat(513)}`,
      'Token abc',
    ];
    for (const h of malformed) {
      expectProblem(await sys.call('GET', '/v1/pilot', { headers: { authorization: h } }), 401);
    }
  });

  test('the scheme is case-insensitive and a valid key works', async () => {
    expect((await sys.call('GET', '/v1/pilot', { headers: { authorization: `bearer ${sys.adminKey}` } })).status).toBe(200);
  });

  test('401 comes before the body is looked at: a POST without a key writes nothing', async () => {
    const before = await sys.db.prisma.notice.count();
    expectProblem(await sys.call('POST', '/v1/notices', { body: freshRequest() }), 401);
    expectProblem(await sys.call('POST', '/v1/api-keys', { body: { role: 'ADMIN' } }), 401);
    expectProblem(await sys.call('PUT', '/v1/pilot', { body: {} }), 401);
    expect(await sys.db.prisma.notice.count()).toBe(before);
  });
});

describe('pilot settings', () => {
  test('PUT replaces the settings; quotaPerParticipant is floor(total / participants); any role reads them', async () => {
    const put = await sys.call('PUT', '/v1/pilot', {
      key: sys.adminKey,
      body: { participants: ['IT', 'FR', 'ES'], quotaTotal: 500, recipientsLimitedToParticipants: false },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      participants: ['ES', 'FR', 'IT'],
      quotaTotal: 500,
      quotaPerParticipant: 166,
      recipientsLimitedToParticipants: false,
      usage: { ES: 0, FR: 0, IT: 0 },
    });
    for (const key of [sys.adminKey, reviewer, ncbIt]) {
      const get = await sys.call('GET', '/v1/pilot', { key });
      expect(get.status).toBe(200);
      expect(get.body).toEqual(put.body);
    }
    const seven = await sys.call('PUT', '/v1/pilot', {
      key: sys.adminKey,
      body: { participants: ['IT', 'FR', 'ES', 'DE', 'PT', 'GB', 'NL'], quotaTotal: 20, recipientsLimitedToParticipants: true },
    });
    expect(seven.body.quotaPerParticipant).toBe(2);
    expect(seven.body.recipientsLimitedToParticipants).toBe(true);
    const one = await sys.call('PUT', '/v1/pilot', {
      key: sys.adminKey,
      body: { participants: ['IT'], quotaTotal: 0, recipientsLimitedToParticipants: false },
    });
    expect(one.body).toMatchObject({ quotaTotal: 0, quotaPerParticipant: 0 });
  });

  test("usage counts each participant's requests holding quota", async () => {
    await sys.call('PUT', '/v1/pilot', {
      key: sys.adminKey,
      body: { participants: ['IT', 'FR', 'ES'], quotaTotal: 30, recipientsLimitedToParticipants: false },
    });
    await submit(sys, ncbIt, freshRequest());
    await submit(sys, ncbIt, freshRequest());
    const pilot = await sys.call('GET', '/v1/pilot', { key: reviewer });
    expect(pilot.body.usage).toEqual({ ES: 0, FR: 0, IT: 2 });
    expect(pilot.body.quotaPerParticipant).toBe(10);
  });

  test('PUT is ADMIN only and validates every field', async () => {
    const good = { participants: ['IT', 'FR'], quotaTotal: 10, recipientsLimitedToParticipants: false };
    expectProblem(await sys.call('PUT', '/v1/pilot', { key: reviewer, body: good }), 403);
    expectProblem(await sys.call('PUT', '/v1/pilot', { key: ncbIt, body: good }), 403);
    const cases: [unknown, string][] = [
      [{ ...good, participants: [] }, 'participants'],
      [{ ...good, participants: ['IT', 'IT'] }, 'participants'],
      [{ ...good, participants: ['IT', 'KP'] }, 'participants.1'],
      [{ ...good, participants: 'IT' }, 'participants'],
      [{ ...good, quotaTotal: -1 }, 'quotaTotal'],
      [{ ...good, quotaTotal: 1.5 }, 'quotaTotal'],
      [{ ...good, quotaTotal: '10' }, 'quotaTotal'],
      [{ participants: ['IT'], quotaTotal: 10 }, 'recipientsLimitedToParticipants'],
      [{ ...good, recipientsLimitedToParticipants: 'yes' }, 'recipientsLimitedToParticipants'],
    ];
    const before = await sys.call('GET', '/v1/pilot', { key: sys.adminKey });
    for (const [body, p] of cases) expectFieldErrors(await sys.call('PUT', '/v1/pilot', { key: sys.adminKey, body }), p);
    expectProblem(await sys.call('PUT', '/v1/pilot', { key: sys.adminKey, body: { ...good, extra: 1 } }), 400);
    expect((await sys.call('GET', '/v1/pilot', { key: sys.adminKey })).body).toEqual(before.body);
  });
});

describe('countries', () => {
  test('196 member countries, sorted, with the participant flag', async () => {
    await sys.call('PUT', '/v1/pilot', {
      key: sys.adminKey,
      body: { participants: ['IT', 'FR', 'ES'], quotaTotal: 30, recipientsLimitedToParticipants: false },
    });
    const res = await sys.call('GET', '/v1/countries', { key: ncbIt });
    expect(res.status).toBe(200);
    const items: { code: string; name: string; participant: boolean }[] = res.body.items;
    expect(items).toHaveLength(196);
    const codes = items.map((c) => c.code);
    expect(new Set(codes).size).toBe(196);
    expect(codes).not.toContain('KP');
    expect(codes).not.toContain('TV');
    for (const c of ['VA', 'PS', 'AW', 'CW', 'SX', 'PW', 'FR', 'US', 'CN']) expect(codes).toContain(c);
    for (const c of items) {
      expect(c.code).toMatch(/^[A-Z]{2}$/);
      expect(c.name.length).toBeGreaterThan(0);
    }
    expect(
      items
        .filter((c) => c.participant)
        .map((c) => c.code)
        .sort(),
    ).toEqual(['ES', 'FR', 'IT']);
    expect([...codes].sort()).toEqual(codes);
    for (const key of [reviewer, sys.adminKey]) expect((await sys.call('GET', '/v1/countries', { key })).body.items).toHaveLength(196);
  });
});

describe('operational routes (no key)', () => {
  test('/healthz answers 200', async () => {
    const res = await sys.call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  test('/readyz answers 200 with the database and Temporal checks ok', async () => {
    const res = await sys.call('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
  });

  test('/openapi.json is OpenAPI 3.1 and documents every /v1 route of the contract', async () => {
    const res = await sys.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1\.\d+$/);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;

    // Every route of the public contract (CONTRACT.md).
    const expected = [
      ['post', '/v1/users'],
      ['get', '/v1/users'],
      ['delete', '/v1/users/{id}'],
      ['post', '/v1/api-keys'],
      ['get', '/v1/api-keys'],
      ['delete', '/v1/api-keys/{id}'],
      ['get', '/v1/pilot'],
      ['put', '/v1/pilot'],
      ['get', '/v1/countries'],
      ['post', '/v1/notices'],
      ['get', '/v1/notices'],
      ['get', '/v1/notices/{id}'],
      ['post', '/v1/notices/{id}/decisions'],
      ['post', '/v1/notices/{id}/clarifications'],
      ['post', '/v1/notices/{id}/withdrawal'],
      ['post', '/v1/notices/{id}/cancellation'],
      ['post', '/v1/notices/{id}/responses'],
      ['get', '/v1/notices/{id}/responses'],
      ['get', '/v1/notices/{id}/events'],
      ['get', '/v1/notifications'],
      ['get', '/v1/reports/pilot'],
      // Round 2: a recipient's duties, the CCF, renewal, links.
      ['post', '/v1/notices/{id}/acknowledgement'],
      ['post', '/v1/notices/{id}/delay'],
      ['post', '/v1/notices/{id}/blocking'],
      ['post', '/v1/notices/{id}/blocking/decision'],
      ['post', '/v1/notices/{id}/renewal'],
      ['post', '/v1/notices/{id}/renewal/decision'],
      ['get', '/v1/notices/{id}/links'],
      ['get', '/v1/links'],
      ['get', '/v1/security-events'],
      ['get', '/v1/audit/verify'],
    ];
    for (const [m, p] of expected) {
      expect({ route: `${m} ${p}`, documented: Boolean(paths[p]?.[m]) }).toEqual({ route: `${m} ${p}`, documented: true });
    }
    // Secured routes declare the bearer scheme and the problem responses.
    const submitOp = paths['/v1/notices'].post as { security: unknown[]; responses: Record<string, unknown> };
    expect(submitOp.security).toEqual([{ bearerKey: [] }]);
    for (const s of ['201', '400', '401', '403', '409', '413', '415', '429']) expect(submitOp.responses[s]).toBeDefined();
    expect(res.body.components.securitySchemes.bearerKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  test('/docs renders the reference as HTML', async () => {
    const res = await fetch(`${sys.baseUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toMatch(/swagger/i);
  });

  test('an unknown route is a problem 404, not an HTML page', async () => {
    expectProblem(await sys.call('GET', '/v1/nothing-here', { key: sys.adminKey }), 404);
    expectProblem(await sys.call('GET', '/nothing-here'), 404);
  });

  test('a method a documented path does not have is a problem 405 naming the ones it has', async () => {
    const res = await sys.call('PATCH', '/v1/pilot', { key: sys.adminKey, body: {} });
    expectProblem(res, 405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, PUT');
  });
});
