/**
 * POST /v1/notices: field rules, defaults, roles, the pilot (participants, quota, recipient limits)
 * and Idempotency-Key.
 */
import { startTestSystem, sampleRequest, type TestSystem } from '../support/system';
import { expectFieldErrors, expectProblem, failOnServerErrors, freshRequest, submit, waitForStatus } from '../support/helpers';

let sys: TestSystem;
let it_: string, it2: string, fr: string, de: string, us: string, reviewer: string, reviewer2: string;

const PARTICIPANTS = ['IT', 'FR', 'ES', 'DE', 'PT'];

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(PARTICIPANTS, 1000);
  [it_, it2, fr, de, us, reviewer, reviewer2] = await sys.keys('IT', 'IT', 'FR', 'DE', 'US', 'REVIEWER', 'REVIEWER');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const post = (key: string, body: unknown, headers?: Record<string, string>) => sys.call('POST', '/v1/notices', { key, body, headers });

describe('a valid request', () => {
  test('201 with the full view for the requester as recorded, and the audit trail starts', async () => {
    const body = freshRequest();
    const res = await post(it_, body);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const v = res.body;
    expect(v).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      reference: null,
      kind: 'DIFFUSION',
      requestingCountry: 'IT',
      publishedAt: null,
      expiresAt: null,
      purposes: body.purposes,
      subject: body.subject,
      offence: body.offence,
      assetsSought: body.assetsSought,
      handlingCode: 'H1',
      urgency: 'NORMAL',
      language: 'en',
      responseDays: 30,
      recipients: [],
      review: { flags: expect.any(Array), decisions: [] },
      findings: { assetsLocated: 0, byCategory: {}, estimatedValue: {} },
    });
    // The answer is the request as recorded, before screening; a read shows the same but for what screening changed.
    expect(v.status).toBe('SUBMITTED');
    expect(new Date(v.createdAt).toISOString()).toBe(v.createdAt);
    const read = (await sys.call('GET', `/v1/notices/${v.id}`, { key: it_ })).body;
    const unscreened = ({ status: _s, review: _r, updatedAt: _u, ...rest }: Record<string, unknown>) => rest;
    expect(unscreened(v)).toEqual(unscreened(read));
    const screened = await waitForStatus(sys, v.id, it_, 'UNDER_REVIEW');
    expect(screened.review.flags).toEqual([]);
    const events = await sys.call('GET', `/v1/notices/${v.id}/events`, { key: it_ });
    expect(events.body.items.map((e: { type: string }) => e.type).slice(0, 2)).toEqual(['SUBMITTED', 'SCREENED']);
    expect(events.body.items[0].actor).toMatchObject({ role: 'NCB', country: 'IT' });
  });

  test('defaults: handlingCode H0, urgency NORMAL, language en, responseDays 30; URGENT 3 days, URGENT_DIRECT 8 hours', async () => {
    const { handlingCode: _h, ...noCode } = freshRequest();
    const normal = await submit(sys, it_, noCode);
    expect(normal).toMatchObject({ handlingCode: 'H0', urgency: 'NORMAL', language: 'en', responseDays: 30 });
    const urgent = await submit(sys, it_, freshRequest({ urgency: 'URGENT' }));
    expect(urgent).toMatchObject({ urgency: 'URGENT', responseDays: 3, responseHours: 72 });
    const direct = await submit(sys, it_, freshRequest({ urgency: 'URGENT_DIRECT', language: 'ar', handlingCode: 'H3' }));
    expect(direct).toMatchObject({ urgency: 'URGENT_DIRECT', responseDays: null, responseHours: 8, language: 'ar', handlingCode: 'H3' });
    // An urgent request's window is fixed: choosing days is refused.
    for (const urgency of ['URGENT', 'URGENT_DIRECT']) {
      expectFieldErrors(
        await sys.call('POST', '/v1/notices', { key: it_, body: freshRequest({ urgency, responseDays: 3 }) }),
        'responseDays',
      );
    }
    const bounds = await Promise.all([
      submit(sys, it_, freshRequest({ responseDays: 1 })),
      submit(sys, it_, freshRequest({ responseDays: 365 })),
    ]);
    expect(bounds.map((b) => b.responseDays)).toEqual([1, 365]);
    // What is stored is what was shown.
    const stored = await sys.db.prisma.notice.findUniqueOrThrow({ where: { id: urgent.id } });
    expect(stored.responseDays).toBe(3);
    expect((await sys.db.prisma.notice.findUniqueOrThrow({ where: { id: direct.id } })).responseDays).toBeNull();
  });

  test('a subject identified by a document alone is accepted (screening flags the incomplete identity)', async () => {
    const base = freshRequest();
    const { dateOfBirth: _d, givenNames: _g, ...subject } = base.subject;
    const v = await submit(sys, it_, { ...base, subject });
    const screened = await waitForStatus(sys, v.id, it_, 'UNDER_REVIEW');
    expect(screened.review.flags).toContain('INCOMPLETE_IDENTITY');
  });

  test('a subject may be a national of, and hold papers from, a country outside INTERPOL', async () => {
    const base = freshRequest();
    const subject = {
      ...base.subject,
      nationalities: ['KP'],
      identityDocuments: [{ type: 'PASSPORT', number: '745123', issuingCountry: 'TV' }],
    };
    const v = await submit(sys, it_, { ...base, subject });
    expect(v.subject.nationalities).toEqual(['KP']);
    expect(v.subject.identityDocuments[0].issuingCountry).toBe('TV');
    // Recipients stay INTERPOL members only.
    expectFieldErrors(await post(it_, freshRequest({ recipients: ['KP'] })), 'recipients.0');
  });

  test('a NOTICE omits recipients and, once published, goes to every member but the requester', async () => {
    const { recipients: _r, ...rest } = freshRequest({ kind: 'NOTICE' });
    const v = await submit(sys, fr, rest);
    expect(v.kind).toBe('NOTICE');
    const approved = await sys.call('POST', `/v1/notices/${v.id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } });
    expect(approved.body.status).toBe('PUBLISHED');
    expect(approved.body.reference).toMatch(/^SN-\d{4}-\d{6}$/);
    expect(approved.body.recipients).toHaveLength(195);
    expect(approved.body.recipients.map((r: { country: string }) => r.country)).not.toContain('FR');
  });
});

describe('field rules: 400 with errors naming each field', () => {
  const cases: [string, () => unknown, string[]][] = [
    [
      'kind missing',
      () => {
        const b = freshRequest();
        delete b.kind;
        return b;
      },
      ['kind'],
    ],
    ['kind unknown', () => freshRequest({ kind: 'RED' }), ['kind']],
    ['NOTICE with recipients', () => freshRequest({ kind: 'NOTICE' }), ['recipients']],
    [
      'DIFFUSION without recipients',
      () => {
        const b = freshRequest();
        delete b.recipients;
        return b;
      },
      ['recipients'],
    ],
    ['DIFFUSION with no recipient', () => freshRequest({ recipients: [] }), ['recipients']],
    ['DIFFUSION including the requester', () => freshRequest({ recipients: ['FR', 'IT'] }), ['recipients']],
    ['unknown recipient', () => freshRequest({ recipients: ['FR', 'XX'] }), ['recipients.1']],
    ['non-member recipient (KP)', () => freshRequest({ recipients: ['KP'] }), ['recipients.0']],
    ['lower-case recipient', () => freshRequest({ recipients: ['fr'] }), ['recipients.0']],
    ['repeated recipient', () => freshRequest({ recipients: ['FR', 'FR'] }), ['recipients']],
    ['recipients not an array', () => freshRequest({ recipients: 'FR' }), ['recipients']],
    ['no purpose', () => freshRequest({ purposes: [] }), ['purposes']],
    ['unknown purpose', () => freshRequest({ purposes: ['ARREST'] }), ['purposes.0']],
    ['no asset sought', () => freshRequest({ assetsSought: [] }), ['assetsSought']],
    ['asset without category', () => freshRequest({ assetsSought: [{ description: 'x' }] }), ['assetsSought.0.category']],
    [
      'bad currency',
      () => freshRequest({ assetsSought: [{ category: 'CASH', description: 'x', estimatedValue: { amount: 1, currency: 'XYZ' } }] }),
      ['assetsSought.0.estimatedValue.currency'],
    ],
    [
      'lower-case currency',
      () => freshRequest({ assetsSought: [{ category: 'CASH', description: 'x', estimatedValue: { amount: 1, currency: 'eur' } }] }),
      ['assetsSought.0.estimatedValue.currency'],
    ],
    [
      'negative amount',
      () => freshRequest({ assetsSought: [{ category: 'CASH', description: 'x', estimatedValue: { amount: -5, currency: 'EUR' } }] }),
      ['assetsSought.0.estimatedValue.amount'],
    ],
    [
      'amount as a string',
      () => freshRequest({ assetsSought: [{ category: 'CASH', description: 'x', estimatedValue: { amount: '5', currency: 'EUR' } }] }),
      ['assetsSought.0.estimatedValue.amount'],
    ],
    ['maxPenaltyYears 3', () => freshRequest({ offence: { ...sampleRequest().offence, maxPenaltyYears: 3 } }), ['offence.maxPenaltyYears']],
    [
      'maxPenaltyYears as a string',
      () => freshRequest({ offence: { ...sampleRequest().offence, maxPenaltyYears: '12' } }),
      ['offence.maxPenaltyYears'],
    ],
    [
      'maxPenaltyYears fractional',
      () => freshRequest({ offence: { ...sampleRequest().offence, maxPenaltyYears: 4.5 } }),
      ['offence.maxPenaltyYears'],
    ],
    [
      'no legal basis',
      () => {
        const o: Record<string, unknown> = { ...sampleRequest().offence };
        delete o.legalBasis;
        return freshRequest({ offence: o });
      },
      ['offence.legalBasis'],
    ],
    [
      'bad legal basis date',
      () =>
        freshRequest({
          offence: { ...sampleRequest().offence, legalBasis: { ...sampleRequest().offence.legalBasis, date: '2024-13-01' } },
        }),
      ['offence.legalBasis.date'],
    ],
    ['empty description', () => freshRequest({ offence: { ...sampleRequest().offence, description: '   ' } }), ['offence.description']],
    [
      'no asset link',
      () => {
        const o: Record<string, unknown> = { ...sampleRequest().offence };
        delete o.assetLink;
        return freshRequest({ offence: o });
      },
      ['offence.assetLink'],
    ],
    [
      'subject without family name',
      () => {
        const s: Record<string, unknown> = { ...sampleRequest().subject };
        delete s.familyName;
        return freshRequest({ subject: s });
      },
      ['subject.familyName'],
    ],
    [
      'subject without date of birth or document',
      () => {
        const s: Record<string, unknown> = { ...sampleRequest().subject };
        delete s.dateOfBirth;
        delete s.identityDocuments;
        return freshRequest({ subject: s });
      },
      ['subject.dateOfBirth'],
    ],
    [
      'bad date of birth',
      () => freshRequest({ subject: { ...sampleRequest().subject, dateOfBirth: '02/04/1961' } }),
      ['subject.dateOfBirth'],
    ],
    ['unknown sex', () => freshRequest({ subject: { ...sampleRequest().subject, sex: 'male' } }), ['subject.sex']],
    [
      'unknown nationality',
      () => freshRequest({ subject: { ...sampleRequest().subject, nationalities: ['ZZ'] } }),
      ['subject.nationalities.0'],
    ],
    [
      'unknown document type',
      () =>
        freshRequest({ subject: { ...sampleRequest().subject, identityDocuments: [{ type: 'VISA', number: '1', issuingCountry: 'IT' }] } }),
      ['subject.identityDocuments.0.type'],
    ],
    ['unknown handling code', () => freshRequest({ handlingCode: 'H4' }), ['handlingCode']],
    ['unknown urgency', () => freshRequest({ urgency: 'ASAP' }), ['urgency']],
    ['unknown language', () => freshRequest({ language: 'de' }), ['language']],
    ['responseDays 0', () => freshRequest({ responseDays: 0 }), ['responseDays']],
    ['responseDays 366', () => freshRequest({ responseDays: 366 }), ['responseDays']],
    ['responseDays fractional', () => freshRequest({ responseDays: 1.5 }), ['responseDays']],
    ['responseDays as a string', () => freshRequest({ responseDays: '30' }), ['responseDays']],
    ['unknown top-level field', () => freshRequest({ status: 'PUBLISHED' }), ['status']],
    ['unknown nested field', () => freshRequest({ subject: { ...sampleRequest().subject, ssn: '1' } }), ['subject.ssn']],
    [
      'several faults at once',
      () => freshRequest({ purposes: [], language: 'de', offence: { ...sampleRequest().offence, maxPenaltyYears: 1 } }),
      ['purposes', 'language', 'offence.maxPenaltyYears'],
    ],
  ];

  test.each(cases)('%s', async (_name, body, paths) => {
    const res = await post(it_, body());
    expectFieldErrors(res, ...paths);
  });

  test('nothing is stored and no quota is used by refused requests', async () => {
    const before = await sys.db.prisma.notice.count();
    for (const [, body] of cases.slice(0, 10)) expectProblem(await post(it_, body()), 400);
    expect(await sys.db.prisma.notice.count()).toBe(before);
  });

  test('an empty body, a JSON null, an array or a string: 400', async () => {
    for (const raw of ['{}', 'null', '[]', '"NOTICE"', '42', 'true']) {
      const res = await sys.call('POST', '/v1/notices', { key: it_, raw, headers: { 'content-type': 'application/json' } });
      expectProblem(res, 400);
    }
    expectProblem(await sys.call('POST', '/v1/notices', { key: it_ }), 400);
  });
});

describe('who may submit', () => {
  test('a reviewer or an administrator: 403', async () => {
    expectProblem(await post(reviewer, freshRequest()), 403);
    expectProblem(await post(sys.adminKey, freshRequest()), 403);
  });

  test('an NCB of a country outside the pilot: 403, nothing stored', async () => {
    const before = await sys.db.prisma.notice.count();
    const res = await post(us, freshRequest());
    expectProblem(res, 403);
    expect(res.body.detail).toMatch(/US/);
    expect(await sys.db.prisma.notice.count()).toBe(before);
  });

  test('recipients limited to participants when the pilot says so; a NOTICE then goes to participants only', async () => {
    await sys.pilot(PARTICIPANTS, 1000, true);
    try {
      const outside = await post(it_, freshRequest({ recipients: ['FR', 'US', 'CN'] }));
      expectFieldErrors(outside, 'recipients');
      expect(JSON.stringify(outside.body.errors)).toMatch(/US/);
      const inside = await submit(sys, it_, freshRequest({ recipients: ['FR', 'DE'] }));
      expect(inside.status).toMatch(/SUBMITTED|UNDER_REVIEW/);
      const { recipients: _r, ...notice } = freshRequest({ kind: 'NOTICE' });
      const n = await submit(sys, it_, notice);
      const published = await sys.call('POST', `/v1/notices/${n.id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } });
      expect(published.body.recipients.map((r: { country: string }) => r.country)).toEqual(['DE', 'ES', 'FR', 'PT']);

      // With no other participant a notice would reach nobody: refused before it takes quota.
      await sys.pilot(['IT'], 1000, true);
      const before = await sys.db.prisma.notice.count();
      expectProblem(await post(it_, notice), 409);
      expect(await sys.db.prisma.notice.count()).toBe(before);
    } finally {
      await sys.pilot(PARTICIPANTS, 1000, false);
    }
    // Without the limit, a diffusion may name any member country.
    expect((await post(it_, freshRequest({ recipients: ['US', 'CN'] }))).status).toBe(201);
  });
});

describe('quota', () => {
  // DE is used by these tests alone. quotaTotal 10 over 5 participants: 2 each.
  beforeAll(() => sys.pilot(PARTICIPANTS, 10));
  afterAll(() => sys.pilot(PARTICIPANTS, 1000));

  let first: any;
  test('two concurrent submissions for the last slot: exactly one 201 and one 409', async () => {
    first = await submit(sys, de, freshRequest());
    const [a, b] = await Promise.all([post(de, freshRequest()), post(de, freshRequest())]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const refused = a.status === 409 ? a : b;
    expectProblem(refused, 409);
    expect(refused.body.detail).toMatch(/quota/i);
    expect(await sys.db.prisma.notice.count({ where: { requestingCountry: 'DE' } })).toBe(2);
    const pilot = await sys.call('GET', '/v1/pilot', { key: de });
    expect(pilot.body.usage.DE).toBe(2);
    expectProblem(await post(de, freshRequest()), 409);
  });

  test('a rejection gives the quota back', async () => {
    const rejected = await sys.call('POST', `/v1/notices/${first.id}/decisions`, {
      key: reviewer,
      body: { decision: 'REJECT', reason: 'insufficient data', grounds: ['INSUFFICIENT_DATA'] },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('REJECTED');
    expect((await sys.call('GET', '/v1/pilot', { key: de })).body.usage.DE).toBe(1);
    first = await submit(sys, de, freshRequest());
    expectProblem(await post(de, freshRequest()), 409);
  });

  test('a withdrawal before publication gives it back; after publication it does not', async () => {
    const w = await sys.call('POST', `/v1/notices/${first.id}/withdrawal`, { key: de, body: { reason: 'filed by mistake' } });
    expect(w.status).toBe(200);
    expect(w.body.status).toBe('WITHDRAWN');
    expect((await sys.call('GET', '/v1/pilot', { key: de })).body.usage.DE).toBe(1);
    const published = await submit(sys, de, freshRequest());
    const approved = await sys.call('POST', `/v1/notices/${published.id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } });
    expect(approved.body.status).toBe('PUBLISHED');
    const w2 = await sys.call('POST', `/v1/notices/${published.id}/withdrawal`, { key: de, body: { reason: 'settled' } });
    expect(w2.body.status).toBe('WITHDRAWN');
    expect((await sys.call('GET', '/v1/pilot', { key: de })).body.usage.DE).toBe(2);
    expectProblem(await post(de, freshRequest()), 409);
  });

  test('a country with quota 0 cannot submit at all', async () => {
    await sys.pilot(PARTICIPANTS, 4);
    try {
      expectProblem(await post(fr, freshRequest({ recipients: ['ES'] })), 409);
    } finally {
      await sys.pilot(PARTICIPANTS, 10);
    }
  });
});

describe('Idempotency-Key', () => {
  test('the same key and body return the same request and create nothing new', async () => {
    const body = freshRequest();
    const headers = { 'Idempotency-Key': 'sub-1' };
    const a = await post(it_, body, headers);
    expect(a.status).toBe(201);
    const counts = async () => ({
      notices: await sys.db.prisma.notice.count(),
      events: await sys.db.prisma.auditEvent.count({ where: { type: 'SUBMITTED' } }),
    });
    const before = await counts();
    // Key order and whitespace do not make another body.
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(body).reverse()), null, 2);
    const b = await sys.call('POST', '/v1/notices', {
      key: it_,
      raw: reordered,
      headers: { ...headers, 'content-type': 'application/json' },
    });
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    const c = await post(it_, body, headers);
    expect(c.body.id).toBe(a.body.id);
    expect(await counts()).toEqual(before);
  });

  test('the same key with another body: 409, nothing created', async () => {
    const headers = { 'Idempotency-Key': 'sub-2' };
    const a = await post(it_, freshRequest(), headers);
    expect(a.status).toBe(201);
    const before = await sys.db.prisma.notice.count();
    const b = await post(it_, freshRequest({ urgency: 'URGENT' }), headers);
    expectProblem(b, 409);
    expect(b.body.detail).toMatch(/Idempotency-Key/);
    expect(await sys.db.prisma.notice.count()).toBe(before);
  });

  test('the same key from another principal is independent', async () => {
    const body = freshRequest();
    const headers = { 'Idempotency-Key': 'shared-key' };
    const [a, b, c] = [
      await post(it_, body, headers),
      await post(it2, body, headers),
      await post(fr, { ...body, recipients: ['ES'] }, headers),
    ];
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(new Set([a.body.id, b.body.id, c.body.id]).size).toBe(3);
  });

  test('the same key sent twice at once creates one request', async () => {
    const body = freshRequest();
    const headers = { 'Idempotency-Key': 'concurrent-1' };
    const before = await sys.db.prisma.notice.count();
    const [a, b] = await Promise.all([post(it_, body, headers), post(it_, body, headers)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect(await sys.db.prisma.notice.count()).toBe(before + 1);
  });

  test('a replay after the request moved on returns its current state', async () => {
    const body = freshRequest();
    const headers = { 'Idempotency-Key': 'moved-on' };
    const a = await post(it_, body, headers);
    await sys.call('POST', `/v1/notices/${a.body.id}/decisions`, { key: reviewer2, body: { decision: 'APPROVE' } });
    const b = await post(it_, body, headers);
    expect(b.status).toBe(201);
    expect(b.body).toMatchObject({ id: a.body.id, status: 'PUBLISHED' });
  });

  test('a malformed Idempotency-Key is 400, nothing created', async () => {
    const before = await sys.db.prisma.notice.count();
    for (const k of ['x'.repeat(256), 'has space', 'caf\u00e9']) {
      expectProblem(await post(it_, freshRequest(), { 'Idempotency-Key': k }), 400);
    }
    expect(await sys.db.prisma.notice.count()).toBe(before);
  });
});
