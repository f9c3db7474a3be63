/**
 * The perimeter: security headers on every answer, no caching of /v1, rate limits per key and per
 * client address (counted in the database, so shared by API processes), refused calls recorded as
 * security events.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { createServices } from '../../services';
import { SECURITY_BUFFER_LIMIT } from '../../services/perimeter';
import { startTestSystem, type TestSystem } from '../support/system';
import { expectFieldErrors, expectProblem, failOnServerErrors, publish, submit, waitFor } from '../support/helpers';

const LIMIT = 30;
let sys: TestSystem;
let ncbIt: string;
let ncbFr: string;
let reviewer: string;

beforeAll(async () => {
  sys = await startTestSystem({ rateLimitPerMinute: LIMIT });
  [ncbIt, ncbFr, reviewer] = await sys.keys('IT', 'FR', 'REVIEWER');
  await sys.pilot(['IT', 'FR', 'ES']);
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

/** Counts restart with each minute: a test counting up to the limit starts well inside one. */
async function freshWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((r) => setTimeout(r, left + 100));
}

describe('headers', () => {
  test('security headers on every answer; no-store on every /v1 answer', async () => {
    const answers = [
      ['/healthz', undefined],
      ['/openapi.json', undefined],
      ['/docs/', undefined],
      ['/v1/pilot', sys.adminKey],
      ['/v1/pilot', undefined],
      ['/v1/users', reviewer],
      ['/v1/nothing-here', sys.adminKey],
    ] as const;
    for (const [path, key] of answers) {
      const res = await sys.call('GET', path, { key });
      const h = res.headers;
      expect({ path, nosniff: h.get('x-content-type-options') }).toEqual({ path, nosniff: 'nosniff' });
      expect(h.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(h.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(h.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
      expect(h.get('referrer-policy')).toBe('no-referrer');
      expect(h.get('x-powered-by')).toBeNull();
      if (path.startsWith('/v1/')) expect({ path, cache: h.get('cache-control') }).toEqual({ path, cache: 'no-store' });
    }
  });

  test('/docs works within the policy: every script is served from here, none inline', async () => {
    const html = await (await fetch(`${sys.baseUrl}/docs/`)).text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src=["']\.\//);
      expect(body.trim()).toBe('');
    }
    for (const [, , src] of html.matchAll(/<script[^>]*src=(["'])\.\/([^"']+)\1/g)) {
      expect((await fetch(`${sys.baseUrl}/docs/${src}`)).status).toBe(200);
    }
  });
});

describe('rate limits', () => {
  test('beyond the limit a key gets 429 with Retry-After and RateLimit headers, before its body is read; other keys go on', async () => {
    await freshWindow();
    const key = await sys.key('NCB', 'ES');
    for (let i = 0; i < LIMIT; i++) {
      const ok = await sys.call('GET', '/v1/pilot', { key });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit')).toMatch(new RegExp(`"per-key"; r=${LIMIT - i - 1}; t=\\d+`));
    }
    const limited = await sys.call('POST', '/v1/notices', { key, raw: '{not json', headers: { 'content-type': 'application/json' } });
    expectProblem(limited, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('ratelimit')).toMatch(/"per-key"; r=0; t=\d+/);
    expect(limited.headers.get('ratelimit-policy')).toMatch(new RegExp(`"per-key"; q=${LIMIT}; w=60`));
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect((await sys.call('GET', '/v1/pilot', { key: ncbFr })).status).toBe(200);
  });

  test('the counts are kept in the database: a second API process on it sees them', async () => {
    await freshWindow();
    const log = pino({ level: 'silent' });
    const services = createServices({ prisma: sys.db.prisma, temporal: sys.env.client, taskQueue: sys.taskQueue, daySeconds: 86400, log });
    const app = buildApp({ services, log, rateLimitPerMinute: LIMIT });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const other = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const key = await sys.key('REVIEWER');
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 1; i++) {
        const res =
          i % 2
            ? await fetch(`${other}/v1/pilot`, { headers: { authorization: `Bearer ${key}` } })
            : await sys.call('GET', '/v1/pilot', { key });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, LIMIT).every((s) => s === 200)).toBe(true);
      expect(statuses[LIMIT]).toBe(429);
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await services.perimeter.security.stop();
    }
  });

  test('calls without a valid key are limited per client address: 401, then 429', async () => {
    await freshWindow();
    let refused = 0;
    let limited;
    for (let i = 0; i < LIMIT + 5 && !limited; i++) {
      const res = await sys.call('POST', '/v1/notices', { key: `snk_guess${i}`, body: {} });
      if (res.status === 429) limited = res;
      else {
        expectProblem(res, 401);
        refused++;
      }
    }
    expect(refused).toBeLessThanOrEqual(LIMIT);
    expectProblem(limited!, 429);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited!.headers.get('ratelimit')).toMatch(/"per-address"; r=0/);
    // A valid key is counted on its own, not with the address.
    expect((await sys.call('GET', '/v1/pilot', { key: reviewer })).status).toBe(200);
  });
});

describe('the audit trail', () => {
  test('GET /v1/audit/verify (ADMIN) checks the hash chain; an event edited in the database is named', async () => {
    await publish(sys, ncbIt, reviewer);
    const intact = await sys.call('GET', '/v1/audit/verify', { key: sys.adminKey });
    expect(intact.status).toBe(200);
    expect(intact.body).toEqual({ ok: true, events: expect.any(Number) });
    expect(intact.body.events).toBeGreaterThan(3);
    expectProblem(await sys.call('GET', '/v1/audit/verify', { key: reviewer }), 403);

    const victim = await sys.db.prisma.auditEvent.findFirstOrThrow({ where: { type: 'DECISION' }, orderBy: { seq: 'desc' } });
    const edit = (data: string) =>
      sys.db.prisma.$transaction([
        sys.db.prisma.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER'),
        sys.db.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "data" = '${data}' WHERE "id" = '${victim.id}'`),
        sys.db.prisma.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER USER'),
      ]);
    await edit(JSON.stringify({ ...(victim.data as object), approvals: 2 }));
    expect((await sys.call('GET', '/v1/audit/verify', { key: sys.adminKey })).body).toMatchObject({
      ok: false,
      firstBrokenEventId: victim.id,
    });
    await edit(JSON.stringify(victim.data));
    expect((await sys.call('GET', '/v1/audit/verify', { key: sys.adminKey })).body.ok).toBe(true);
  });
});

describe('security events', () => {
  test('401, 403, 429 and a 404 for a hidden request are recorded; a 404 for an unknown id is not', async () => {
    const admin = await sys.key('ADMIN');
    const published = await publish(sys, ncbIt, reviewer);
    const draft = await submit(sys, ncbIt);
    const before = (await sys.call('GET', '/v1/security-events?limit=100', { key: admin })).body.items.length;

    expectProblem(await sys.call('GET', '/v1/users', { key: ncbFr }), 403);
    // France is a recipient of the published request, but may not know of the draft.
    expectProblem(await sys.call('GET', `/v1/notices/${draft.id}`, { key: ncbFr }), 404);
    expectProblem(await sys.call('GET', '/v1/notices/00000000-0000-4000-8000-000000000000', { key: ncbFr }), 404);
    expect((await sys.call('GET', `/v1/notices/${published.id}`, { key: ncbFr })).status).toBe(200);

    const list = await sys.call('GET', '/v1/security-events?limit=100', { key: admin });
    expect(list.status).toBe(200);
    const fr = await sys.principal(ncbFr);
    const fresh = list.body.items.slice(0, list.body.items.length - before);
    expect(fresh.slice(0, 2)).toEqual([
      {
        at: expect.any(String),
        kind: 'NOT_FOUND_HIDDEN',
        keyId: fr.keyId,
        userId: fr.userId,
        method: 'GET',
        path: `/v1/notices/${draft.id}`,
        ip: expect.stringMatching(/127\.0\.0\.1/),
      },
      {
        at: expect.any(String),
        kind: 'FORBIDDEN',
        keyId: fr.keyId,
        userId: fr.userId,
        method: 'GET',
        path: '/v1/users',
        ip: expect.any(String),
      },
    ]);
    const kinds = new Set(list.body.items.map((e: { kind: string }) => e.kind));
    expect(kinds).toEqual(new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND_HIDDEN', 'RATE_LIMITED']));
    expect(list.body.items.some((e: { path: string }) => e.path.includes('00000000-0000-4000-8000-000000000000'))).toBe(false);
    const unauthenticated = list.body.items.find((e: { kind: string }) => e.kind === 'UNAUTHENTICATED');
    expect(unauthenticated.keyId).toBeUndefined();
  });

  test('pages with signed cursors; a kind filter; ADMIN only; a forged cursor is 400', async () => {
    const admin = await sys.key('ADMIN');
    const first = await sys.call('GET', '/v1/security-events?limit=2&kind=UNAUTHENTICATED', { key: admin });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items.every((e: { kind: string }) => e.kind === 'UNAUTHENTICATED')).toBe(true);
    const next = await sys.call('GET', `/v1/security-events?limit=2&kind=UNAUTHENTICATED&cursor=${first.body.nextCursor}`, { key: admin });
    expect(next.status).toBe(200);
    expect(Date.parse(next.body.items[0].at)).toBeLessThanOrEqual(Date.parse(first.body.items[1].at));
    const [payload] = first.body.nextCursor.split('.');
    const forged = `${Buffer.from('999999999').toString('base64url')}.${first.body.nextCursor.split('.')[1]}`;
    expectFieldErrors(await sys.call('GET', `/v1/security-events?cursor=${forged}`, { key: admin }), 'query.cursor');
    expectFieldErrors(await sys.call('GET', `/v1/security-events?cursor=${payload}.x`, { key: admin }), 'query.cursor');
    // A cursor of another list is not one of this list.
    await publish(sys, ncbIt, reviewer);
    await publish(sys, ncbIt, reviewer);
    const notices = await sys.call('GET', '/v1/notices?limit=1', { key: reviewer });
    expectFieldErrors(await sys.call('GET', `/v1/security-events?cursor=${notices.body.nextCursor}`, { key: admin }), 'query.cursor');
    expectFieldErrors(await sys.call('GET', '/v1/security-events?kind=BURGLARY', { key: admin }), 'query.kind');
    expectProblem(await sys.call('GET', '/v1/security-events', { key: reviewer }), 403);
  });

  test('recording a refusal writes nothing on its path: the event is queued, then written in a batch', async () => {
    const security = sys.services.perimeter.security;
    await security.flush();
    const before = await sys.db.prisma.securityEvent.count();
    expect(security.record({ kind: 'FORBIDDEN', method: 'GET', path: '/v1/queued', ip: '192.0.2.2' })).toBeUndefined();
    expect(await sys.db.prisma.securityEvent.count()).toBe(before);
    await waitFor(
      () => sys.db.prisma.securityEvent.count(),
      (n) => n === before + 1,
      'the queued event to be written by the timer',
    );
  });

  test('a flood of refusals is held in a bounded buffer: beyond it, events are dropped, not queued', async () => {
    const security = sys.services.perimeter.security;
    await security.flush();
    const before = await sys.db.prisma.securityEvent.count();
    for (let i = 0; i < SECURITY_BUFFER_LIMIT + 500; i++) {
      security.record({ kind: 'UNAUTHENTICATED', method: 'GET', path: '/v1/flood', ip: '192.0.2.1' });
    }
    await security.flush();
    const written = (await sys.db.prisma.securityEvent.count()) - before;
    expect(written).toBeGreaterThanOrEqual(SECURITY_BUFFER_LIMIT);
    expect(written).toBeLessThan(SECURITY_BUFFER_LIMIT + 500);
  });
});
