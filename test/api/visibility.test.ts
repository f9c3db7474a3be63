/**
 * Need to know: what the requester, a recipient, a non-recipient NCB and a reviewer may see of a
 * request, its responses and its audit trail; the list of requests; READ audit events.
 */
import { startTestSystem, type TestSystem } from '../support/system';
import { expectProblem, failOnServerErrors, freshRequest, located, publish, submit } from '../support/helpers';

let sys: TestSystem;
let it_: string, fr: string, es: string, de: string, reviewer: string;
const UNKNOWN = '5f0c3a4e-1b2d-4c3e-9f8a-0123456789ab';

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE']);
  [it_, fr, es, de, reviewer] = await sys.keys('IT', 'FR', 'ES', 'DE', 'REVIEWER');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const get = (key: string, path: string) => sys.call('GET', path, { key });

/** 404 for a request the caller may not know of: the very answer an unknown id gets. */
async function expectHidden(key: string, id: string, suffix = '') {
  const hidden = await get(key, `/v1/notices/${id}${suffix}`);
  const unknown = await get(key, `/v1/notices/${UNKNOWN}${suffix}`);
  expectProblem(hidden, 404);
  expect(hidden.body).toEqual(unknown.body);
  expect(hidden.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
  expect(JSON.stringify(hidden.body)).not.toContain(id);
}

describe('a request before publication', () => {
  test('is seen by its requester and reviewers; recipients-to-be and others get 404 as for an unknown id', async () => {
    const n = await submit(sys, it_);
    expect((await get(it_, `/v1/notices/${n.id}`)).status).toBe(200);
    const asReviewer = await get(reviewer, `/v1/notices/${n.id}`);
    expect(asReviewer.status).toBe(200);
    expect(asReviewer.body.review).toBeDefined();
    for (const key of [fr, es, de]) {
      await expectHidden(key, n.id);
      await expectHidden(key, n.id, '/responses');
      await expectHidden(key, n.id, '/events');
    }
  });

  test('withdrawn before publication, it stays hidden from the countries it named', async () => {
    const n = await submit(sys, it_);
    await sys.call('POST', `/v1/notices/${n.id}/withdrawal`, { key: it_, body: { reason: 'x' } });
    await expectHidden(fr, n.id);
    const list = await sys.call('GET', '/v1/notices?limit=100', { key: fr });
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(n.id);
  });

  test('ADMIN keys read no request data: 403', async () => {
    const n = await submit(sys, it_);
    expectProblem(await get(sys.adminKey, `/v1/notices/${n.id}`), 403);
    expectProblem(await get(sys.adminKey, '/v1/notices'), 403);
    expectProblem(await get(sys.adminKey, `/v1/notices/${n.id}/responses`), 403);
    expectProblem(await get(sys.adminKey, `/v1/notices/${n.id}/events`), 403);
  });

  test('a malformed id is 400, an unknown one 404', async () => {
    for (const p of ['/v1/notices/abc', '/v1/notices/abc/responses', '/v1/notices/abc/events', `/v1/notices/${UNKNOWN.toUpperCase()}x`]) {
      const res = await get(reviewer, p);
      expectProblem(res, 400);
      expect(res.body.errors[0].path).toBe('path.id');
    }
    expectProblem(await get(reviewer, `/v1/notices/${UNKNOWN}`), 404);
  });
});

describe('a published request', () => {
  let v: any;
  beforeAll(async () => {
    v = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
    await sys.call('POST', `/v1/notices/${v.id}/responses`, {
      key: fr,
      body: { outcome: 'ASSETS_LOCATED', assets: [located()], final: false },
    });
    await sys.call('POST', `/v1/notices/${v.id}/responses`, {
      key: es,
      body: { outcome: 'UNABLE_TO_ASSIST', reason: 'No register access', final: false },
    });
  });

  test('the requester and reviewers see everything', async () => {
    for (const key of [it_, reviewer]) {
      const res = await get(key, `/v1/notices/${v.id}`);
      expect(res.status).toBe(200);
      expect(res.body.recipients.map((r: { country: string }) => r.country)).toEqual(['ES', 'FR']);
      expect(res.body.review).toEqual({ flags: [], decisions: [expect.objectContaining({ decision: 'APPROVE' })], claimedBy: null });
      expect(res.body.findings).toEqual({ assetsLocated: 1, byCategory: { REAL_ESTATE: 1 }, estimatedValue: { EUR: 900000 } });
    }
  });

  test('a recipient sees it without review, findings or the other recipients', async () => {
    const res = await get(fr, `/v1/notices/${v.id}`);
    expect(res.status).toBe(200);
    expect(res.body.review).toBeUndefined();
    expect(res.body.findings).toBeUndefined();
    expect(res.body.requestedRecipients).toBeUndefined();
    expect(res.body.recipients).toEqual([
      {
        country: 'FR',
        status: 'RESPONDED',
        final: false,
        dueAt: expect.any(String),
        respondedAt: expect.any(String),
        acknowledgedAt: null,
        expectedBy: null,
        delayReason: null,
        deletionConfirmedAt: null,
      },
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/"ES"|No register access/);
    expect(res.body).toMatchObject({
      id: v.id,
      reference: v.reference,
      status: 'PUBLISHED',
      subject: v.subject,
      offence: v.offence,
      assetsSought: v.assetsSought,
    });
  });

  test('responses: all for the requester and reviewers, only its own for a recipient, 404 for others', async () => {
    for (const key of [it_, reviewer]) {
      const all = await get(key, `/v1/notices/${v.id}/responses`);
      expect(all.status).toBe(200);
      expect(all.body.items.map((r: { country: string }) => r.country).sort()).toEqual(['ES', 'FR']);
    }
    const own = await get(fr, `/v1/notices/${v.id}/responses`);
    expect(own.body.items).toHaveLength(1);
    expect(own.body.items[0]).toEqual({
      id: expect.any(String),
      country: 'FR',
      outcome: 'ASSETS_LOCATED',
      final: false,
      reason: null,
      assets: [located()],
      handlingCode: 'H0',
      createdAt: expect.any(String),
      late: false,
    });
    const esOwn = await get(es, `/v1/notices/${v.id}/responses`);
    expect(esOwn.body.items.map((r: { country: string }) => r.country)).toEqual(['ES']);
    await expectHidden(de, v.id, '/responses');
  });

  test('the audit trail: requester and reviewers; a recipient 403; a stranger 404', async () => {
    const trail = await get(it_, `/v1/notices/${v.id}/events`);
    expect(trail.status).toBe(200);
    const types = trail.body.items.map((e: { type: string }) => e.type);
    expect(types.slice(0, 4)).toEqual(['SUBMITTED', 'SCREENED', 'DECISION', 'PUBLISHED']);
    const at = trail.body.items.map((e: { at: string }) => Date.parse(e.at));
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (const e of trail.body.items) expect(e.actor.role).toMatch(/^(NCB|REVIEWER|SYSTEM)$/);
    expect((await get(reviewer, `/v1/notices/${v.id}/events`)).status).toBe(200);
    expectProblem(await get(fr, `/v1/notices/${v.id}/events`), 403);
    await expectHidden(de, v.id, '/events');
  });

  test('reads by anyone but the requester are audited as READ events', async () => {
    const reads = () => sys.db.prisma.auditEvent.findMany({ where: { noticeId: v.id, type: 'READ' }, orderBy: { seq: 'asc' } });
    const before = (await reads()).length;
    await get(it_, `/v1/notices/${v.id}`);
    await get(it_, `/v1/notices/${v.id}/responses`);
    expect(await reads()).toHaveLength(before);
    await get(fr, `/v1/notices/${v.id}`);
    await get(es, `/v1/notices/${v.id}/responses`);
    await get(reviewer, `/v1/notices/${v.id}`);
    await get(de, `/v1/notices/${v.id}`); // refused: not a read
    const after = (await reads()).slice(before);
    expect(after.map((e) => [e.actorRole, e.actorCountry, (e.data as { what: string }).what])).toEqual([
      ['NCB', 'FR', 'notice'],
      ['NCB', 'ES', 'responses'],
      ['REVIEWER', null, 'notice'],
    ]);
    // And the requester sees them in the trail, with who read.
    const trail = (await get(it_, `/v1/notices/${v.id}/events`)).body.items.filter((e: { type: string }) => e.type === 'READ');
    expect(trail.slice(-3).map((e: { actor: { country?: string; role: string } }) => e.actor.country ?? e.actor.role)).toEqual([
      'FR',
      'ES',
      'REVIEWER',
    ]);
    expect(trail.at(-1).actor.keyId).toEqual(expect.any(String));
  });

  test('after a final state a recipient still sees it, as WITHDRAWN', async () => {
    const w = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    await sys.call('POST', `/v1/notices/${w.id}/withdrawal`, { key: it_, body: { reason: 'done' } });
    const res = await get(fr, `/v1/notices/${w.id}`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('WITHDRAWN');
    expect(res.body.review).toBeUndefined();
    await expectHidden(es, w.id);
  });
});

describe('GET /v1/notices', () => {
  // Its own system state: a few requests of every kind, in a known order.
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    ids.itDraft = (await submit(sys, it_, freshRequest({ recipients: ['FR'] }))).id;
    ids.itToFr = (await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }))).id;
    ids.itToEs = (await publish(sys, it_, reviewer, freshRequest({ recipients: ['ES'] }))).id;
    const { recipients: _r, ...notice } = freshRequest({ kind: 'NOTICE' });
    ids.esNotice = (await publish(sys, es, reviewer, notice)).id;
    ids.frDraft = (await submit(sys, fr, freshRequest({ recipients: ['IT'] }))).id;
    ids.frToIt = (await publish(sys, fr, reviewer, freshRequest({ recipients: ['IT', 'DE'] }))).id;
  });

  async function all(key: string, query = ''): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const res = await get(key, `/v1/notices?limit=2${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error('pagination did not end');
  }

  async function everything(): Promise<any[]> {
    return sys.db.prisma.notice.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], include: { recipients: true } });
  }

  test('a reviewer walks every request, newest first, with no duplicates and nothing missing', async () => {
    const walked = await all(reviewer);
    const rows = await everything();
    expect(walked.map((n) => n.id)).toEqual(rows.map((r) => r.id));
    expect(new Set(walked.map((n) => n.id)).size).toBe(walked.length);
    const created = walked.map((n) => Date.parse(n.createdAt));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    expect(walked.every((n) => n.review !== undefined)).toBe(true);
  });

  test('an NCB sees its own requests and those published to it, each shaped by its relation', async () => {
    const walked = await all(fr);
    const rows = await everything();
    const expected = rows.filter(
      (r) => r.requestingCountry === 'FR' || (r.publishedAt && r.recipients.some((x: { country: string }) => x.country === 'FR')),
    );
    expect(walked.map((n) => n.id)).toEqual(expected.map((r) => r.id));
    expect(walked.map((n) => n.id)).not.toContain(ids.itDraft);
    expect(walked.map((n) => n.id)).not.toContain(ids.itToEs);
    for (const n of walked) {
      if (n.requestingCountry === 'FR') {
        expect(n.review).toBeDefined();
      } else {
        expect(n.review).toBeUndefined();
        expect(n.findings).toBeUndefined();
        expect(n.recipients.map((r: { country: string }) => r.country)).toEqual(['FR']);
      }
    }
  });

  test('as=REQUESTER and as=RECIPIENT split the list', async () => {
    const mine = await all(it_, '&as=REQUESTER');
    expect(mine.every((n) => n.requestingCountry === 'IT')).toBe(true);
    expect(mine.map((n) => n.id)).toEqual(expect.arrayContaining([ids.itDraft, ids.itToFr, ids.itToEs]));
    const received = await all(it_, '&as=RECIPIENT');
    expect(received.every((n) => n.requestingCountry !== 'IT' && n.publishedAt !== null)).toBe(true);
    expect(received.map((n) => n.id)).toEqual(expect.arrayContaining([ids.esNotice, ids.frToIt]));
    expect(received.map((n) => n.id)).not.toContain(ids.frDraft);
    const both = await all(it_);
    expect(both.map((n) => n.id).sort()).toEqual([...mine, ...received].map((n) => n.id).sort());
  });

  test('status and kind filters', async () => {
    const published = await all(reviewer, '&status=PUBLISHED');
    expect(published.length).toBeGreaterThan(0);
    expect(published.every((n) => n.status === 'PUBLISHED')).toBe(true);
    const notices = await all(reviewer, '&kind=NOTICE');
    expect(notices.map((n) => n.id)).toContain(ids.esNotice);
    expect(notices.every((n) => n.kind === 'NOTICE')).toBe(true);
    const diffusionsToDe = await all(de, '&kind=DIFFUSION&as=RECIPIENT&status=PUBLISHED');
    expect(diffusionsToDe.map((n) => n.id)).toEqual([ids.frToIt]);
    const noticesToDe = await all(de, '&kind=NOTICE&as=RECIPIENT');
    expect(noticesToDe.map((n) => n.id)).toContain(ids.esNotice);
    expect(await all(de, '&as=REQUESTER')).toEqual([]);
  });

  test('listing is reading: each request a non-requester lists gets a READ event', async () => {
    const readsOf = (country: string) =>
      sys.db.prisma.auditEvent.findMany({
        where: { type: 'READ', actorCountry: country, data: { path: ['what'], equals: 'list' } },
        orderBy: { seq: 'asc' },
      });
    const itBefore = (await readsOf('IT')).length;
    await get(it_, '/v1/notices?as=REQUESTER&limit=100');
    expect(await readsOf('IT')).toHaveLength(itBefore);
    const deBefore = (await readsOf('DE')).length;
    const listed = (await get(de, '/v1/notices?limit=100')).body.items.map((n: { id: string }) => n.id);
    expect(listed.length).toBeGreaterThan(0);
    const reads = (await readsOf('DE')).slice(deBefore);
    expect(reads.map((e) => e.noticeId).sort()).toEqual([...listed].sort());
  });

  test('the default page size is 20 and limit is honoured', async () => {
    const one = await get(reviewer, '/v1/notices?limit=1');
    expect(one.body.items).toHaveLength(1);
    expect(one.body.nextCursor).toEqual(expect.any(String));
    const dflt = await get(reviewer, '/v1/notices');
    expect(dflt.body.items.length).toBe(Math.min(20, await sys.db.prisma.notice.count()));
  });

  test('malformed queries are 400', async () => {
    const bad = [
      'limit=0',
      'limit=101',
      'limit=abc',
      'status=OPEN',
      'kind=RED',
      'as=REVIEWER',
      'cursor=not-a-cursor',
      'unknown=1',
      'status=PUBLISHED&status=REJECTED',
      `cursor=${'x'.repeat(201)}`,
    ];
    for (const q of bad) {
      const res = await get(fr, `/v1/notices?${q}`);
      expectProblem(res, 400);
      expect(res.body.errors[0].path).toMatch(/^query\./);
    }
    const forged = Buffer.from(`2020-01-01T00:00:00.000Z|not-a-uuid`).toString('base64url');
    expectProblem(await get(fr, `/v1/notices?cursor=${forged}`), 400);
    expectProblem(await get(reviewer, '/v1/notices?as=REQUESTER'), 400);
  });
});
