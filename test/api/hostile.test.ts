/**
 * Hostile and malformed input: every answer is a 4xx problem, never a 5xx, nothing is stored, and
 * the process is not harmed (no prototype pollution, still serving).
 */
import zlib from 'node:zlib';
import { startTestSystem, sampleRequest, type TestSystem } from '../support/system';
import {
  expectFieldErrors,
  expectProblem,
  failOnServerErrors,
  freshRequest,
  located,
  publish,
  submit,
  waitForStatus,
} from '../support/helpers';

let sys: TestSystem;
let it_: string, fr: string, es: string, de: string, reviewer: string;
let published: any;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE']);
  [it_, fr, es, de, reviewer] = await sys.keys('IT', 'FR', 'ES', 'DE', 'REVIEWER');
  published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const MB = 1024 * 1024;
const raw = (method: string, path: string, key: string | undefined, body: string | Buffer, headers: Record<string, string> = {}) =>
  sys.call(method, path, { key, raw: body as string, headers: { 'content-type': 'application/json', ...headers } });

async function counts() {
  const p = sys.db.prisma;
  return {
    notices: await p.notice.count(),
    responses: await p.response.count(),
    keys: await p.apiKey.count(),
    decisions: await p.decision.count(),
  };
}

/** The routes that take a body, with a key allowed to call them. */
const bodyRoutes = (): [string, string, string][] => [
  ['POST', '/v1/notices', it_],
  ['POST', `/v1/notices/${published.id}/responses`, fr],
  ['POST', `/v1/notices/${published.id}/decisions`, reviewer],
  ['POST', `/v1/notices/${published.id}/withdrawal`, it_],
  ['POST', `/v1/notices/${published.id}/clarifications`, it_],
  ['POST', `/v1/notices/${published.id}/cancellation`, reviewer],
  ['POST', '/v1/api-keys', sys.adminKey],
  ['PUT', '/v1/pilot', sys.adminKey],
];

let before: Awaited<ReturnType<typeof counts>>;
let publishedView: any;
beforeAll(async () => {
  before = await counts();
  publishedView = (await sys.call('GET', `/v1/notices/${published.id}`, { key: it_ })).body;
});

describe('huge arrays', () => {
  test('10,000 recipients, assets sought, aliases or participants: 400', async () => {
    const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
    const cases: [string, string, string, unknown, string][] = [
      ['POST', '/v1/notices', it_, freshRequest({ recipients: many(10_000, () => 'FR') }), 'recipients'],
      ['POST', '/v1/notices', it_, freshRequest({ recipients: many(10_000, (i) => `Q${i}`) }), 'recipients'],
      ['POST', '/v1/notices', it_, freshRequest({ assetsSought: many(10_000, () => ({})) }), 'assetsSought'],
      ['POST', '/v1/notices', it_, freshRequest({ assetsSought: many(5_000, () => sampleRequest().assetsSought[0]) }), 'assetsSought'],
      ['POST', '/v1/notices', it_, freshRequest({ purposes: many(10_000, () => 'LOCATE') }), 'purposes'],
      [
        'POST',
        '/v1/notices',
        it_,
        freshRequest({ subject: { ...sampleRequest().subject, aliases: many(10_000, () => ({ familyName: 'X' })) } }),
        'subject.aliases',
      ],
      [
        'POST',
        '/v1/notices',
        it_,
        freshRequest({
          assetsSought: [{ category: 'CASH', description: 'x', identifiers: Object.fromEntries(many(10_000, (i) => [`k${i}`, 'v'])) }],
        }),
        'assetsSought.0.identifiers',
      ],
      ['POST', `/v1/notices/${published.id}/responses`, fr, { outcome: 'ASSETS_LOCATED', assets: many(10_000, () => ({})) }, 'assets'],
      ['POST', `/v1/notices/${published.id}/responses`, fr, { outcome: 'ASSETS_LOCATED', assets: many(2_000, () => located()) }, 'assets'],
      [
        'POST',
        `/v1/notices/${published.id}/decisions`,
        reviewer,
        { decision: 'REJECT', reason: 'x', grounds: many(10_000, () => 'OTHER') },
        'grounds',
      ],
      [
        'PUT',
        '/v1/pilot',
        sys.adminKey,
        { participants: many(10_000, () => 'FR'), quotaTotal: 1, recipientsLimitedToParticipants: false },
        'participants',
      ],
    ];
    for (const [method, path, key, body, field] of cases) {
      const res = await sys.call(method, path, { key, body });
      if (res.status === 413) continue; // a few of these are over 1 MB once serialised: refused too
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { path: string }) => e.path.split('.').slice(0, field.split('.').length).join('.'))).toContain(field);
    }
    expect(await counts()).toEqual(before);
  });

  test('an object with 50,000 unknown keys: 400', async () => {
    const body = { ...freshRequest(), ...Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`x${i}`, 1])) };
    const res = await sys.call('POST', '/v1/notices', { key: it_, body });
    expectProblem(res, 400);
    expect(await counts()).toEqual(before);
  });
});

describe('deep nesting', () => {
  const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

  test('deeply nested arrays and objects anywhere in the body: 400, the server keeps serving', async () => {
    const bodies = [
      deepArray(400_000),
      `{"kind":${deepArray(200_000)}}`,
      `{"kind":"DIFFUSION","subject":${deepObject(100_000)}}`,
      `{"kind":"DIFFUSION","zzz":${deepObject(100_000)}}`,
      JSON.stringify(freshRequest({ assetsSought: [{ category: 'CASH', description: 'x', identifiers: { iban: 'x' } }] })).replace(
        '"iban":"x"',
        `"iban":${deepArray(100_000)}`,
      ),
    ];
    for (const body of bodies) {
      expect(Buffer.byteLength(body)).toBeLessThan(MB);
      expectProblem(await raw('POST', '/v1/notices', it_, body), 400);
    }
    const replies = await Promise.all([
      raw('POST', `/v1/notices/${published.id}/responses`, fr, `{"outcome":"ASSETS_LOCATED","assets":[${deepObject(50_000)}]}`),
      raw('POST', `/v1/notices/${published.id}/clarifications`, it_, `{"message":"x","changes":${deepObject(100_000)}}`),
      raw('PUT', '/v1/pilot', sys.adminKey, `{"participants":${deepArray(300_000)}}`),
    ]);
    for (const r of replies) expectProblem(r, 400);
    expect((await sys.call('GET', '/healthz')).status).toBe(200);
    expect(await counts()).toEqual(before);
  });
});

describe('large strings', () => {
  test('strings of almost 1 MB are 400 with the field named; just over 1 MB is 413', async () => {
    const near = (overhead: number) => 'A'.repeat(MB - overhead - 2048);
    const cases: [string, string, string, (s: string) => unknown, string][] = [
      ['POST', '/v1/notices', it_, (s) => freshRequest({ offence: { ...sampleRequest().offence, description: s } }), 'offence.description'],
      ['POST', '/v1/notices', it_, (s) => freshRequest({ subject: { ...sampleRequest().subject, familyName: s } }), 'subject.familyName'],
      [
        'POST',
        '/v1/notices',
        it_,
        (s) => freshRequest({ assetsSought: [{ category: 'CASH', description: 'x', identifiers: { [s.slice(0, 500_000)]: 'v' } }] }),
        'assetsSought.0.identifiers',
      ],
      ['POST', `/v1/notices/${published.id}/responses`, fr, (s) => ({ outcome: 'UNABLE_TO_ASSIST', reason: s }), 'reason'],
      ['POST', `/v1/notices/${published.id}/withdrawal`, it_, (s) => ({ reason: s }), 'reason'],
      ['POST', '/v1/api-keys', sys.adminKey, (s) => ({ role: 'ADMIN', label: s }), 'label'],
    ];
    for (const [method, path, key, make, field] of cases) {
      const body = JSON.stringify(make(near(0)));
      expect(Buffer.byteLength(body)).toBeLessThan(MB);
      const res = await raw(method, path, key, body);
      expectProblem(res, 400);
      expect(res.body.errors.some((e: { path: string }) => e.path.startsWith(field))).toBe(true);
    }
    // Multi-byte characters count as bytes: 340,000 euro signs are 1,020,000 bytes.
    expectFieldErrors(
      await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'ADMIN', label: '\u20ac'.repeat(340_000) } }),
      'label',
    );
    for (const [method, path, key] of bodyRoutes()) {
      expectProblem(await sys.call(method, path, { key, body: { reason: 'A'.repeat(MB) } }), 413);
      expectProblem(await sys.call(method, path, { key, body: { reason: '\u20ac'.repeat(350_000) } }), 413);
    }
    // The key is checked before the body: without one, too large is 401 like anything else.
    expectProblem(await sys.call('POST', '/v1/notices', { body: { x: 'A'.repeat(2 * MB) } }), 401);
    expect(await counts()).toEqual(before);
  });

  test('a compressed body is limited by its inflated size (no zip bomb)', async () => {
    const bomb = zlib.gzipSync(Buffer.from(JSON.stringify({ reason: ' '.repeat(20 * MB) })));
    expect(bomb.length).toBeLessThan(100_000);
    const res = await raw('POST', `/v1/notices/${published.id}/withdrawal`, it_, bomb, { 'content-encoding': 'gzip' });
    expectProblem(res, 413);
    const unknownEncoding = await raw('POST', `/v1/notices/${published.id}/withdrawal`, it_, '{"reason":"x"}', {
      'content-encoding': 'compress',
    });
    expectProblem(unknownEncoding, 415);
    // A small gzipped body is fine (and still validated).
    const small = await raw('POST', '/v1/api-keys', sys.adminKey, zlib.gzipSync('{"role":"NCB"}'), { 'content-encoding': 'gzip' });
    expectFieldErrors(small, 'country');
  });
});

describe('malformed bodies', () => {
  test('invalid JSON on every route that takes a body: 400 problem', async () => {
    const broken = [
      '{',
      '{"kind":',
      "{'kind':'NOTICE'}",
      '{"a":1,}',
      '{"a":NaN}',
      '{"a":undefined}',
      '{"a":1}{"b":2}',
      '\u0000',
      '   ',
      'nul',
    ];
    for (const [method, path, key] of bodyRoutes()) {
      for (const b of broken) {
        const res = await raw(method, path, key, b);
        expectProblem(res, 400);
        expect(JSON.stringify(res.body)).not.toMatch(/at JSON\.parse|node_modules|stack/i);
      }
    }
  });

  test('JSON null, arrays, strings and numbers as bodies: 400 problem', async () => {
    for (const [method, path, key] of bodyRoutes()) {
      for (const b of ['null', '[]', `[${JSON.stringify(freshRequest())}]`, '"x"', '0', 'false', '{}']) {
        expectProblem(await raw(method, path, key, b), 400);
      }
    }
    expect(await counts()).toEqual(before);
  });

  test('bodies that are not JSON: 415 problem', async () => {
    const types = [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
    ];
    for (const [method, path, key] of bodyRoutes()) {
      for (const t of types) {
        expectProblem(await raw(method, path, key, JSON.stringify(freshRequest()), { 'content-type': t }), 415);
      }
      // No Content-Type at all.
      const res = await fetch(`${sys.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}` },
        body: new Uint8Array(Buffer.from('{"reason":"x"}')),
      });
      expect(res.status).toBe(415);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    // A +json media type is JSON.
    const ok = await raw('POST', '/v1/notices', it_, JSON.stringify(freshRequest()), { 'content-type': 'application/vnd.silver+json' });
    expect(ok.status).toBe(201);
    before = await counts();
  });

  test('numbers out of range: Infinity (1e999), huge and negative values are 400', async () => {
    const body = JSON.stringify(freshRequest()).replace('"amount":2500000', '"amount":1e999');
    expectFieldErrors(await raw('POST', '/v1/notices', it_, body), 'assetsSought.0.estimatedValue.amount');
    expectFieldErrors(
      await sys.call('POST', '/v1/notices', {
        key: it_,
        body: freshRequest({ assetsSought: [{ category: 'CASH', description: 'x', estimatedValue: { amount: 1e300, currency: 'EUR' } }] }),
      }),
      'assetsSought.0.estimatedValue.amount',
    );
    expectFieldErrors(await sys.call('POST', '/v1/notices', { key: it_, body: freshRequest({ responseDays: -0.0001 }) }), 'responseDays');
    expectFieldErrors(
      await sys.call('POST', '/v1/notices', {
        key: it_,
        body: freshRequest({ offence: { ...sampleRequest().offence, maxPenaltyYears: 1e308 } }),
      }),
      'offence.maxPenaltyYears',
    );
    expectFieldErrors(
      await sys.call('PUT', '/v1/pilot', {
        key: sys.adminKey,
        body: { participants: ['IT'], quotaTotal: 2 ** 53 + 1, recipientsLimitedToParticipants: false },
      }),
      'quotaTotal',
    );
    expect(await counts()).toEqual(before);
  });

  test('text the database cannot store (NUL, unpaired surrogates): 400 naming the field, never a 5xx', async () => {
    for (const t of ['ROSSI\u0000', 'ROSSI\ud800', '\udfffROSSI']) {
      expectFieldErrors(
        await sys.call('POST', '/v1/notices', { key: it_, body: freshRequest({ subject: { ...sampleRequest().subject, familyName: t } }) }),
        'subject.familyName',
      );
      expectFieldErrors(
        await sys.call('POST', '/v1/notices', {
          key: it_,
          body: freshRequest({ assetsSought: [{ category: 'CASH', description: 'x', identifiers: { iban: t } }] }),
        }),
        'assetsSought.0.identifiers.iban',
      );
      const badKey = await sys.call('POST', '/v1/notices', {
        key: it_,
        body: freshRequest({ assetsSought: [{ category: 'CASH', description: 'x', identifiers: { [t]: 'x' } }] }),
      });
      expectProblem(badKey, 400);
      expectFieldErrors(await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'ADMIN', label: t } }), 'label');
      expectFieldErrors(
        await sys.call('POST', `/v1/notices/${published.id}/responses`, {
          key: fr,
          body: { outcome: 'UNABLE_TO_ASSIST', reason: t, final: false },
        }),
        'reason',
      );
      expectFieldErrors(await sys.call('POST', `/v1/notices/${published.id}/withdrawal`, { key: it_, body: { reason: t } }), 'reason');
    }
    // A well-formed pair (an emoji) is fine.
    const emoji = await sys.call('POST', '/v1/api-keys', { key: sys.adminKey, body: { role: 'ADMIN', label: 'key \ud83d\udd11' } });
    expect(emoji.status).toBe(201);
    expect(emoji.body.label).toBe('key \u{1F511}');
    expect((await sys.call('GET', '/readyz')).status).toBe(200);
    before = await counts();
  });
});

describe('prototype pollution', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });

  test('__proto__ and constructor keys at any level are unknown fields: 400', async () => {
    const base = JSON.stringify(freshRequest());
    const bodies = [
      base.replace(/^\{/, '{"__proto__":{"polluted":true},'),
      base.replace(/^\{/, '{"constructor":{"prototype":{"polluted":true}},'),
      base.replace('"subject":{', '"subject":{"__proto__":{"polluted":true},'),
      base.replace('"offence":{', '"offence":{"constructor":{"prototype":{"polluted":true}},'),
    ];
    for (const b of bodies) {
      const res = await raw('POST', '/v1/notices', it_, b);
      expectProblem(res, 400);
      expect(JSON.stringify(res.body.errors)).toMatch(/__proto__|constructor/);
    }
    for (const [method, path, key] of bodyRoutes()) {
      expectProblem(await raw(method, path, key, '{"__proto__":{"polluted":true}}'), 400);
    }
    expect(await counts()).toEqual(before);
  });

  test('__proto__ as an identifier key is an unknown identifier type: 400 at its path, nothing stored', async () => {
    const body = JSON.stringify(freshRequest()).replace('"iban":', '"__proto__":{"polluted":true},"iban":');
    const res = await raw('POST', '/v1/notices', it_, body);
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'assetsSought.0.identifiers.__proto__', code: 'UNKNOWN_FIELD' })]);
    expect(await counts()).toEqual(before);
  });

  test('__proto__ and friends in the query string: 400', async () => {
    for (const q of ['__proto__[polluted]=1', '__proto__=x', 'constructor[prototype][polluted]=1', 'hasOwnProperty=1', 'toString=1']) {
      expectProblem(await sys.call('GET', `/v1/notices?${q}`, { key: fr }), 400);
      expectProblem(await sys.call('GET', `/v1/notifications?${q}`, { key: fr }), 400);
    }
  });
});

describe('replays and other countries', () => {
  test('a replayed response (same Idempotency-Key) adds nothing, even from a second copy in flight or after the request closed', async () => {
    const v = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    const body = { outcome: 'NO_ASSETS_FOUND' };
    const h = { 'Idempotency-Key': 'replay-me' };
    const replies = await Promise.all(
      [1, 2, 3].map(() => sys.call('POST', `/v1/notices/${v.id}/responses`, { key: fr, body, headers: h })),
    );
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(replies.map((r) => r.body.recipients)).toEqual(
      [1, 2, 3].map(() => [expect.objectContaining({ country: 'FR', status: 'RESPONDED' })]),
    );
    expect(await sys.db.prisma.response.count({ where: { noticeId: v.id } })).toBe(1);
    // FR's single final answer completes the request; a replay now gets the first answer and adds nothing.
    await waitForStatus(sys, v.id, it_, 'COMPLETED');
    const later = await sys.call('POST', `/v1/notices/${v.id}/responses`, { key: fr, body, headers: h });
    expect(later.status).toBe(201);
    expect(later.body.recipients).toEqual([expect.objectContaining({ country: 'FR', status: 'RESPONDED' })]);
    expect(await sys.db.prisma.response.count({ where: { noticeId: v.id } })).toBe(1);
    before = await counts();
  });

  test("another country's key cannot act on a request, whatever it sends, and the request is left intact", async () => {
    const h = { 'Idempotency-Key': 'hostile' };
    const attempts: [string, string, unknown, number][] = [
      [de, 'responses', { outcome: 'NO_ASSETS_FOUND' }, 404],
      [de, 'withdrawal', { reason: 'hostile' }, 404],
      [de, 'clarifications', { message: 'x' }, 404],
      [de, 'decisions', { decision: 'REJECT', reason: 'hostile' }, 403],
      [de, 'cancellation', { reason: 'hostile' }, 403],
      [es, 'withdrawal', { reason: 'hostile' }, 403],
      [it_, 'responses', { outcome: 'NO_ASSETS_FOUND' }, 403],
    ];
    for (const [key, action, body, status] of attempts) {
      expectProblem(await sys.call('POST', `/v1/notices/${published.id}/${action}`, { key, body, headers: h }), status);
    }
    // Pretending to answer for another country is an unknown field.
    expectFieldErrors(
      await sys.call('POST', `/v1/notices/${published.id}/responses`, { key: es, body: { outcome: 'NO_ASSETS_FOUND', country: 'FR' } }),
      'country',
    );
    expect((await sys.call('GET', `/v1/notices/${published.id}`, { key: it_ })).body).toEqual(publishedView);
    expect(await counts()).toEqual(before);
  });

  test('the server still answers normally afterwards', async () => {
    expect((await sys.call('GET', '/readyz')).status).toBe(200);
    expect((await submit(sys, it_)).status).toMatch(/SUBMITTED|UNDER_REVIEW/);
  });
});
