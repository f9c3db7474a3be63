/**
 * Users and their keys: every key belongs to a named user; disabling the user stops its keys;
 * keys expire and show when they were last used; four-eyes counts people, not keys; the last
 * active ADMIN stays; audit events name the user.
 */
import { startTestSystem, type TestSystem } from '../support/system';
import {
  expectFieldErrors,
  expectProblem,
  failOnServerErrors,
  flaggedRequest,
  keyIdOf,
  submit,
  viaWorkflow,
  waitForRecordStatus,
} from '../support/helpers';

let sys: TestSystem;
let ncbIt: string;

// One "day" is one second here, so a key given for 2 days expires within the test.
beforeAll(async () => {
  sys = await startTestSystem({ daySeconds: 1 });
  ncbIt = await sys.key('NCB', 'IT');
  await sys.pilot(['IT', 'FR', 'ES']);
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const admin = () => sys.adminKey;
const createUser = (body: unknown) => sys.call('POST', '/v1/users', { key: admin(), body });
const createKey = (body: unknown) => sys.call('POST', '/v1/api-keys', { key: admin(), body });

describe('users', () => {
  test('POST creates a user; GET lists it; a key for it acts with its role and country', async () => {
    const u = await createUser({ name: 'Giulia Bianchi', role: 'NCB', country: 'IT' });
    expect(u.status).toBe(201);
    expect(u.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Giulia Bianchi',
      role: 'NCB',
      country: 'IT',
      createdAt: expect.any(String),
      disabledAt: null,
    });
    const list = await sys.call('GET', '/v1/users', { key: admin() });
    expect(list.body.items).toContainEqual(u.body);

    const k = await createKey({ userId: u.body.id.toUpperCase(), label: 'laptop' });
    expect(k.status).toBe(201);
    expect(k.body).toMatchObject({ userId: u.body.id, role: 'NCB', country: 'IT', label: 'laptop', expiresAt: null, lastUsedAt: null });
    expect((await sys.call('GET', '/v1/notices', { key: k.body.key })).status).toBe(200);
    expectProblem(await sys.call('GET', '/v1/users', { key: k.body.key }), 403);
  });

  test('a CCF user exists like any other; reviewer and admin routes are not its', async () => {
    const u = await createUser({ name: 'Data protection', role: 'CCF' });
    expect(u.status).toBe(201);
    const k = await createKey({ userId: u.body.id });
    expect(k.body).toMatchObject({ role: 'CCF', country: null });
    expect((await sys.call('GET', '/v1/pilot', { key: k.body.key })).status).toBe(200);
    expectProblem(await sys.call('GET', '/v1/users', { key: k.body.key }), 403);
    expectProblem(await sys.call('GET', '/v1/reports/pilot', { key: k.body.key }), 403);
  });

  test('400 for malformed users and keys, and nothing is created', async () => {
    const users = await sys.db.prisma.user.count();
    const cases: [unknown, string][] = [
      [{ role: 'REVIEWER' }, 'name'],
      [{ name: '', role: 'REVIEWER' }, 'name'],
      [{ name: 'x', role: 'NCB' }, 'country'],
      [{ name: 'x', role: 'CCF', country: 'FR' }, 'country'],
      [{ name: 'x', role: 'ROOT' }, 'role'],
      [{ name: 'x', role: 'ADMIN', id: 'mine' }, 'id'],
    ];
    for (const [body, path] of cases) expectFieldErrors(await createUser(body), path);
    const someone = (await sys.db.prisma.user.findFirstOrThrow()).id;
    const keyCases: [unknown, string][] = [
      [{ userId: 'nope' }, 'userId'],
      [{ userId: '00000000-0000-4000-8000-000000000000' }, 'userId'],
      [{ userId: someone, role: 'ADMIN' }, 'role'],
      [{ userId: someone, country: 'FR' }, 'country'],
      [{ userId: someone, expiresInDays: 0 }, 'expiresInDays'],
      [{ userId: someone, expiresInDays: 1.5 }, 'expiresInDays'],
      [{ userId: someone, expiresInDays: 1e9 }, 'expiresInDays'],
      [{ label: 'no role' }, 'role'],
    ];
    for (const [body, path] of keyCases) expectFieldErrors(await createKey(body), path);
    expect(await sys.db.prisma.user.count()).toBe(users);
  });

  test('the first key form still works: a user named after the label, or the role', async () => {
    const labelled = await createKey({ role: 'NCB', country: 'FR', label: 'NCB Paris desk' });
    const bare = await createKey({ role: 'REVIEWER' });
    const users = (await sys.call('GET', '/v1/users', { key: admin() })).body.items;
    expect(users.find((u: { id: string }) => u.id === labelled.body.userId)).toMatchObject({
      name: 'NCB Paris desk',
      role: 'NCB',
      country: 'FR',
    });
    expect(users.find((u: { id: string }) => u.id === bare.body.userId)).toMatchObject({
      name: 'REVIEWER',
      role: 'REVIEWER',
      country: null,
    });
  });

  test('disabling a user stops all its keys at once; again is 404; no key for a disabled user', async () => {
    const u = await createUser({ name: 'Leaving reviewer', role: 'REVIEWER' });
    const [k1, k2] = [await createKey({ userId: u.body.id }), await createKey({ userId: u.body.id })];
    for (const k of [k1, k2]) expect((await sys.call('GET', '/v1/notices', { key: k.body.key })).status).toBe(200);
    expect((await sys.call('DELETE', `/v1/users/${u.body.id}`, { key: admin() })).status).toBe(204);
    for (const k of [k1, k2]) expectProblem(await sys.call('GET', '/v1/notices', { key: k.body.key }), 401);
    const listed = (await sys.call('GET', '/v1/users', { key: admin() })).body.items.find((x: { id: string }) => x.id === u.body.id);
    expect(listed.disabledAt).toEqual(expect.any(String));
    const keys = (await sys.call('GET', '/v1/api-keys', { key: admin() })).body.items.map((k: { id: string }) => k.id);
    expect(keys).not.toContain(k1.body.id);
    expectProblem(await sys.call('DELETE', `/v1/users/${u.body.id}`, { key: admin() }), 404);
    expectProblem(await createKey({ userId: u.body.id }), 409);
    expectProblem(await sys.call('DELETE', '/v1/users/00000000-0000-4000-8000-000000000000', { key: admin() }), 404);
    expectFieldErrors(await sys.call('DELETE', '/v1/users/not-an-id', { key: admin() }), 'path.id');
    expectProblem(await sys.call('DELETE', `/v1/users/${u.body.id}`, { key: ncbIt }), 403);
  });

  test('enabling a disabled user brings back its keys that are neither revoked nor expired, at once; audited once', async () => {
    const u = await createUser({ name: 'Returning reviewer', role: 'REVIEWER' });
    const kept = await createKey({ userId: u.body.id });
    const revoked = await createKey({ userId: u.body.id });
    const expiring = await createKey({ userId: u.body.id, expiresInDays: 1 });
    for (const k of [kept, revoked, expiring]) expect((await sys.call('GET', '/v1/notices', { key: k.body.key })).status).toBe(200);
    expect((await sys.call('DELETE', `/v1/users/${u.body.id}`, { key: admin() })).status).toBe(204);
    expectProblem(await sys.call('GET', '/v1/notices', { key: kept.body.key }), 401);
    expect((await sys.call('DELETE', `/v1/api-keys/${revoked.body.id}`, { key: admin() })).status).toBe(204);
    await new Promise((r) => setTimeout(r, Date.parse(expiring.body.expiresAt) - Date.now() + 200));

    const enabled = await sys.call('POST', `/v1/users/${u.body.id}/enable`, { key: admin() });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toEqual({ ...u.body, disabledAt: null });
    expect((await sys.call('GET', '/v1/notices', { key: kept.body.key })).status).toBe(200);
    expectProblem(await sys.call('GET', '/v1/notices', { key: revoked.body.key }), 401);
    expectProblem(await sys.call('GET', '/v1/notices', { key: expiring.body.key }), 401);
    const listed = (await sys.call('GET', '/v1/api-keys', { key: admin() })).body.items.map((k: { id: string }) => k.id);
    expect(listed).toEqual(expect.arrayContaining([kept.body.id, expiring.body.id]));
    expect(listed).not.toContain(revoked.body.id);
    // A user enabled again can be given keys again, and disabled again.
    expect((await createKey({ userId: u.body.id })).status).toBe(201);

    // Enabling an enabled user changes nothing: the same answer, no second audit event.
    expect(await sys.call('POST', `/v1/users/${u.body.id}/enable`, { key: admin() })).toMatchObject({ status: 200, body: enabled.body });
    const events = await sys.db.prisma.auditEvent.findMany({
      where: { type: { in: ['USER_DISABLED', 'USER_ENABLED'] } },
      orderBy: { seq: 'asc' },
    });
    const mine = events.filter((e) => (e.data as { userId?: string }).userId === u.body.id);
    expect(mine.map((e) => [e.type, e.data])).toEqual([
      ['USER_DISABLED', { userId: u.body.id, keysStopped: 3 }],
      ['USER_ENABLED', { userId: u.body.id, keysWorkingAgain: 1 }],
    ]);
    expect(mine[1]).toMatchObject({ actorRole: 'ADMIN', actorKeyId: await keyIdOf(sys, admin()) });

    expect((await sys.call('DELETE', `/v1/users/${u.body.id}`, { key: admin() })).status).toBe(204);
    expectProblem(await sys.call('GET', '/v1/notices', { key: kept.body.key }), 401);
  });

  test('only an ADMIN enables (403 FORBIDDEN); an unknown user is 404 NOT_FOUND, a malformed id 400', async () => {
    const u = await createUser({ name: 'Away', role: 'NCB', country: 'IT' });
    expect((await sys.call('DELETE', `/v1/users/${u.body.id}`, { key: admin() })).status).toBe(204);
    for (const key of [ncbIt, await sys.key('REVIEWER'), await sys.key('CCF')]) {
      const refused = await sys.call('POST', `/v1/users/${u.body.id}/enable`, { key });
      expectProblem(refused, 403);
      expect(refused.body.code).toBe('FORBIDDEN');
    }
    expect(
      (await sys.call('GET', '/v1/users', { key: admin() })).body.items.find((x: { id: string }) => x.id === u.body.id).disabledAt,
    ).not.toBeNull();
    const unknown = await sys.call('POST', '/v1/users/00000000-0000-4000-8000-000000000000/enable', { key: admin() });
    expectProblem(unknown, 404);
    expect(unknown.body.code).toBe('NOT_FOUND');
    expectFieldErrors(await sys.call('POST', '/v1/users/not-an-id/enable', { key: admin() }), 'path.id');
    expectProblem(await sys.call('POST', `/v1/users/${u.body.id}/enable`), 401);
  });
});

describe('key expiry and last use', () => {
  test('a key given for 2 days (scaled) works, then is 401 once expired', async () => {
    const k = await createKey({ role: 'REVIEWER', expiresInDays: 2 });
    const created = Date.parse(k.body.createdAt);
    expect(Date.parse(k.body.expiresAt) - created).toBe(2 * sys.daySeconds * 1000);
    expect((await sys.call('GET', '/v1/notices', { key: k.body.key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, Date.parse(k.body.expiresAt) - Date.now() + 200));
    expectProblem(await sys.call('GET', '/v1/notices', { key: k.body.key }), 401);
    // Still listed, so an administrator sees it expired.
    const listed = (await sys.call('GET', '/v1/api-keys', { key: admin() })).body.items.find((x: { id: string }) => x.id === k.body.id);
    expect(listed.expiresAt).toBe(k.body.expiresAt);
  });

  test('lastUsedAt is set on first use and written at most once a minute', async () => {
    const k = await createKey({ role: 'REVIEWER' });
    const shown = async () =>
      (await sys.call('GET', '/v1/api-keys', { key: admin() })).body.items.find((x: { id: string }) => x.id === k.body.id).lastUsedAt;
    expect(await shown()).toBeNull();
    await sys.call('GET', '/v1/notices', { key: k.body.key });
    const first = await shown();
    expect(Date.now() - Date.parse(first)).toBeLessThan(10_000);
    await sys.call('GET', '/v1/notices', { key: k.body.key });
    expect(await shown()).toBe(first);
    // A minute later (moved back in the record here), the next call writes it again.
    await sys.db.prisma.apiKey.update({ where: { id: k.body.id }, data: { lastUsedAt: new Date(Date.now() - 61_000) } });
    await sys.call('GET', '/v1/notices', { key: k.body.key });
    expect(Date.parse(await shown())).toBeGreaterThan(Date.parse(first) - 1);
  });
});

describe('four-eyes by person', () => {
  test('a second approval by the same reviewer through another key is 409; another reviewer publishes', async () => {
    const reviewer = await sys.key('REVIEWER');
    const sameReviewer = await sys.userKey(reviewer);
    const other = await sys.key('REVIEWER');
    const created = await submit(sys, ncbIt, flaggedRequest());
    await waitForRecordStatus(sys, created.id, 'UNDER_REVIEW');
    const first = await sys.call('POST', `/v1/notices/${created.id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } });
    expect(first.body.status).toBe('UNDER_REVIEW');
    const again = await sys.call('POST', `/v1/notices/${created.id}/decisions`, { key: sameReviewer, body: { decision: 'APPROVE' } });
    expectProblem(again, 409);
    // Straight to the workflow too: its own rule compares people.
    const direct = await viaWorkflow.decide(sys, sameReviewer, created.id, 'APPROVE');
    expect(direct).toMatchObject({ ok: false, refused: 'CONFLICT' });
    const second = await sys.call('POST', `/v1/notices/${created.id}/decisions`, { key: other, body: { decision: 'APPROVE' } });
    expect(second.body.status).toBe('PUBLISHED');

    // The audit trail names each person: user id, name and the key used.
    const events = await sys.call('GET', `/v1/notices/${created.id}/events`, { key: ncbIt });
    const approvals = events.body.items.filter((e: { type: string }) => e.type === 'DECISION');
    const [p1, p2] = [await sys.principal(reviewer), await sys.principal(other)];
    expect(approvals.map((e: { actor: unknown }) => e.actor)).toEqual([
      { role: 'REVIEWER', userId: p1.userId, name: p1.name, keyId: await keyIdOf(sys, reviewer) },
      { role: 'REVIEWER', userId: p2.userId, name: p2.name, keyId: await keyIdOf(sys, other) },
    ]);
    const submitted = events.body.items.find((e: { type: string }) => e.type === 'SUBMITTED');
    const requester = await sys.principal(ncbIt);
    expect(submitted.actor).toEqual({ role: 'NCB', country: 'IT', userId: requester.userId, name: requester.name, keyId: requester.keyId });
    expect(events.body.items.find((e: { type: string }) => e.type === 'SCREENED').actor).toEqual({ role: 'SYSTEM' });
    // Each event carries its link in the audit hash chain.
    for (const e of events.body.items) expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the last active ADMIN', () => {
  /** Leaves exactly the given ADMIN users able to act (others' keys revoked); returns a restore function. */
  async function onlyAdmins(userIds: string[]) {
    const others = await sys.db.prisma.apiKey.findMany({
      where: { user: { role: 'ADMIN', id: { notIn: userIds } }, revokedAt: null },
    });
    const ids = others.map((o) => o.id);
    await sys.db.prisma.apiKey.updateMany({ where: { id: { in: ids } }, data: { revokedAt: new Date() } });
    return () => sys.db.prisma.apiKey.updateMany({ where: { id: { in: ids } }, data: { revokedAt: null } });
  }
  const newAdmin = async (name: string) => {
    const u = (await createUser({ name, role: 'ADMIN' })).body;
    return { user: u, key: (await createKey({ userId: u.id })).body };
  };

  test('the last ADMIN user cannot be disabled, nor its last key revoked; an expired ADMIN key does not count', async () => {
    const a = await newAdmin('Only admin');
    const expired = await newAdmin('Expired admin');
    await sys.db.prisma.apiKey.update({ where: { id: expired.key.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const restore = await onlyAdmins([a.user.id, expired.user.id]);
    try {
      expectProblem(await sys.call('DELETE', `/v1/users/${a.user.id}`, { key: a.key.key }), 409);
      expectProblem(await sys.call('DELETE', `/v1/api-keys/${a.key.id}`, { key: a.key.key }), 409);
      // An ADMIN without a working key can go: it changes nothing.
      expect((await sys.call('DELETE', `/v1/users/${expired.user.id}`, { key: a.key.key })).status).toBe(204);
      expect((await sys.call('GET', '/v1/users', { key: a.key.key })).status).toBe(200);
    } finally {
      await restore();
    }
  });

  test('two ADMINs disabling each other (or revoking) at the same moment leave one able to act', async () => {
    for (let round = 0; round < 4; round++) {
      const [a, b] = [await newAdmin(`race a${round}`), await newAdmin(`race b${round}`)];
      const restore = await onlyAdmins([a.user.id, b.user.id]);
      try {
        const results = await Promise.all([
          sys.call('DELETE', `/v1/users/${b.user.id}`, { key: a.key.key }),
          round % 2 === 0
            ? sys.call('DELETE', `/v1/users/${a.user.id}`, { key: b.key.key })
            : sys.call('DELETE', `/v1/api-keys/${a.key.id}`, { key: b.key.key }),
        ]);
        const statuses = results.map((r) => r.status).sort();
        expect(statuses[0]).toBe(204);
        expect([401, 409]).toContain(statuses[1]);
        const able = await sys.db.prisma.apiKey.count({
          where: { revokedAt: null, user: { role: 'ADMIN', disabledAt: null, id: { in: [a.user.id, b.user.id] } } },
        });
        expect(able).toBe(1);
      } finally {
        await restore();
      }
    }
  });
});
