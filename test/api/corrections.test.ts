/**
 * The contract's corrections (round 3), each driven through the HTTP API as a client would meet
 * it: what a recipient sees once the CCF has upheld a blocking, reasons kept from recipients,
 * reads of links audited, the reference in the publishing decision's notification, and asset
 * identifiers of the listed types only.
 */
import crypto from 'node:crypto';
import { ibanFor, startTestSystem, type TestSystem } from '../support/system';
import {
  eventually,
  expectFieldErrors,
  expectProblem,
  failOnServerErrors,
  freshRequest,
  located,
  publish,
  submit,
  viaWorkflow,
} from '../support/helpers';
import { startReceiver, type Receiver } from '../support/receiver';

let sys: TestSystem;
let it_: string, fr: string, es: string, reviewer: string, ccf: string;
const receivers: Receiver[] = [];

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE']);
  [it_, fr, es, reviewer, ccf] = await sys.keys('IT', 'FR', 'ES', 'REVIEWER', 'CCF');
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await sys?.stop();
});
failOnServerErrors(() => sys);

const get = (key: string, path: string) => sys.call('GET', path, { key });
/** A JSON body sent as written: JSON.parse makes a `__proto__` in it an own property, as the server reads it. */
const postRaw = (key: string, path: string, raw: string) =>
  sys.call('POST', path, { key, raw, headers: { 'content-type': 'application/json' } });
const act = (key: string, id: string, action: string, body: unknown) => sys.call('POST', `/v1/notices/${id}/${action}`, { key, body });
const listedTo = async (key: string, id: string) =>
  (await get(key, '/v1/notices?limit=100')).body.items.find((i: { id: string }) => i.id === id);

describe('after the CCF upholds a blocking', () => {
  // What the caller may do now comes with every view; here only what it is told of the request counts.
  const withoutActions = ({ actions: _actions, ...view }: Record<string, unknown>) => view;

  test('a recipient sees only the id, reference, status and the time of the closure, and no answers', async () => {
    const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
    expect((await act(fr, n.id, 'responses', { outcome: 'NO_ASSETS_FOUND', final: false })).status).toBe(201);
    expect((await act(ccf, n.id, 'blocking', { reason: 'The subject filed a complaint' })).status).toBe(200);
    const decided = await act(ccf, n.id, 'blocking/decision', { outcome: 'UPHELD', reason: 'The data were processed unlawfully' });
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('CANCELLED');

    const asRequester = (await get(it_, `/v1/notices/${n.id}`)).body;
    expect(asRequester.closure).toEqual({ at: expect.any(String), reason: 'The data were processed unlawfully', grounds: [] });
    expect(asRequester.blocking).toBeNull();
    const closed = {
      id: n.id,
      caseNumber: n.caseNumber,
      reference: n.reference,
      status: 'CANCELLED',
      closure: { at: asRequester.closure.at },
    };
    for (const recipient of [fr, es]) {
      expect(withoutActions((await get(recipient, `/v1/notices/${n.id}`)).body)).toEqual(closed);
      expect(withoutActions(await listedTo(recipient, n.id))).toEqual(closed);
      // Chosen: 409, as while it was blocked; the recipient knows the request, it may no longer read its answers.
      expectProblem(await get(recipient, `/v1/notices/${n.id}/responses`), 409);
    }
    expect((await get(it_, `/v1/notices/${n.id}/responses`)).body.items).toHaveLength(1);
    expect((await get(ccf, `/v1/notices/${n.id}`)).body.closure.reason).toBe('The data were processed unlawfully');
  });

  test('a blocking dismissed, or a cancellation by a reviewer, leaves the recipient its whole view', async () => {
    const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    await act(ccf, n.id, 'blocking', { reason: 'A complaint' });
    expect((await act(ccf, n.id, 'blocking/decision', { outcome: 'DISMISSED', reason: 'Unfounded' })).status).toBe(200);
    expect((await act(reviewer, n.id, 'cancellation', { reason: 'New facts' })).status).toBe(200);
    const asFr = (await get(fr, `/v1/notices/${n.id}`)).body;
    expect(asFr).toMatchObject({ id: n.id, status: 'CANCELLED', kind: 'DIFFUSION', blocking: null });
    expect(asFr.closure).toBeUndefined();
    expect((await get(fr, `/v1/notices/${n.id}/responses`)).status).toBe(200);
  });
});

describe('reading links', () => {
  const withIban = (iban: string) => {
    const body = freshRequest({ recipients: ['FR'] });
    body.assetsSought = [{ ...body.assetsSought[0], identifiers: { iban } }];
    return body;
  };
  const linkReads = async (id: string) =>
    (
      await sys.db.prisma.auditEvent.findMany({
        where: { noticeId: id, type: 'READ', data: { path: ['what'], equals: 'links' } },
        orderBy: { seq: 'asc' },
      })
    ).map((e) => e.actorRole);

  test("a request's links, single or listed, are audited like reading the request", async () => {
    const iban = ibanFor('DE', `370400440${crypto.randomInt(1e9).toString().padStart(9, '0')}`);
    const a = await submit(sys, it_, withIban(iban));
    const b = await submit(sys, es, withIban(iban));
    expect((await get(reviewer, `/v1/notices/${a.id}/links`)).body.items).toEqual([
      { identifierType: 'iban', detectedAt: expect.any(String), otherNoticeId: b.id, otherReference: null },
    ]);
    expect(await linkReads(a.id)).toEqual(['REVIEWER']);
    // The reviewer was told which request the other side is: that is a read of it too.
    expect(await linkReads(b.id)).toEqual(['REVIEWER']);

    // Its requester's own reads are not audited; Italy is not told which request Spain's is.
    expect((await get(it_, `/v1/notices/${a.id}/links`)).status).toBe(200);
    expect(await linkReads(a.id)).toEqual(['REVIEWER']);
    expect(await linkReads(b.id)).toEqual(['REVIEWER']);

    const listed = (await get(ccf, '/v1/links?limit=100')).body.items;
    expect(listed).toContainEqual(expect.objectContaining({ noticeId: [a.id, b.id].sort()[0], otherNoticeId: [a.id, b.id].sort()[1] }));
    expect(await linkReads(a.id)).toEqual(['REVIEWER', 'CCF']);
    expect(await linkReads(b.id)).toEqual(['REVIEWER', 'CCF']);
    const trail = (await get(it_, `/v1/notices/${a.id}/events`)).body.items.filter((e: { type: string }) => e.type === 'READ');
    expect(trail.at(-1)).toMatchObject({ type: 'READ', actor: { role: 'CCF' }, data: { what: 'links' } });
  });
});

describe('the decision that publishes', () => {
  const feed = async (key: string) => {
    const items: { type: string; noticeId: string; reference: string | null }[] = [];
    for (let after = ''; ;) {
      const page = (await get(key, `/v1/notifications?limit=500${after ? `&after=${after}` : ''}`)).body;
      items.push(...page.items);
      if (!page.nextCursor || page.items.length === 0) return items;
      after = page.nextCursor;
    }
  };

  test('its DECISION notification carries the reference, in the feed and in the webhook', async () => {
    const r = await startReceiver();
    receivers.push(r);
    expect((await sys.call('PUT', '/v1/webhooks/IT', { key: sys.adminKey, body: { url: r.url } })).status).toBe(200);
    try {
      const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
      const decisions = (await feed(it_)).filter((i) => i.noticeId === n.id && i.type === 'DECISION');
      expect(decisions).toEqual([expect.objectContaining({ reference: n.reference })]);
      const sent = await eventually(
        async () => r.received.map((m) => JSON.parse(m.body).data).filter((d: { noticeId: string }) => d.noticeId === n.id),
        (about) => about.length > 0,
        'the webhook message about the decision',
      );
      expect(sent).toEqual([expect.objectContaining({ type: 'DECISION', reference: n.reference })]);
    } finally {
      await sys.call('DELETE', '/v1/webhooks/IT', { key: sys.adminKey });
    }
  });
});

describe('asset identifiers', () => {
  const submitRaw = (raw: string) => postRaw(it_, '/v1/notices', raw);
  const withIdentifiers = (json: string) =>
    JSON.stringify(freshRequest({ recipients: ['FR'] })).replace(/"identifiers":\{[^}]*\}/, `"identifiers":${json}`);

  test.each([
    ['__proto__', '{"__proto__":"x"}'],
    ['__proto__', '{"iban":"IT60X0542811101000000123456","__proto__":"x"}'],
    ['other', '{"other":"x"}'],
    ['IBAN', '{"IBAN":"IT60X0542811101000000123456"}'],
    ['constructor', '{"constructor":"x"}'],
  ])('sought: a key %s not among the listed types is 400 at its path', async (key, json) => {
    const before = await sys.db.prisma.notice.count();
    expectFieldErrors(await submitRaw(withIdentifiers(json)), `assetsSought.0.identifiers.${key}`);
    expect(await sys.db.prisma.notice.count()).toBe(before);
  });

  test('sought: every listed type is accepted', async () => {
    const identifiers = {
      iban: 'IT60X0542811101000000123456',
      accountNumber: '000123456',
      vin: 'WVWZZZ1JZXW000001',
      imo: '9876543',
      registration: 'AB-123-CD',
      walletAddress: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      landRegistryId: 'NICE-123',
      companyNumber: '01234567',
    };
    const res = await submitRaw(withIdentifiers(JSON.stringify(identifiers)));
    expect(res.status).toBe(201);
    expect(res.body.assetsSought[0].identifiers).toEqual(identifiers);
  });

  test('located: a key not among the listed types is 400 at its path; a listed one is taken', async () => {
    const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    const answer = (identifiers: string) =>
      JSON.stringify({ outcome: 'ASSETS_LOCATED', assets: [located({ identifiers: { placeholder: 1 } })] }).replace(
        '{"placeholder":1}',
        identifiers,
      );
    const respond = (raw: string) => postRaw(fr, `/v1/notices/${n.id}/responses`, raw);
    expectFieldErrors(await respond(answer('{"__proto__":"x"}')), 'assets.0.identifiers.__proto__');
    expectFieldErrors(await respond(answer('{"landRegistryId":"NICE-1","plate":"x"}')), 'assets.0.identifiers.plate');
    expect((await get(it_, `/v1/notices/${n.id}/responses`)).body.items).toEqual([]);
    expect((await respond(answer('{"landRegistryId":"NICE-1"}'))).status).toBe(201);
  });
});

// Last: it moves the test server's clock four and a half years on.
describe('renewal', () => {
  test('a recipient never sees the reasons of a renewal nor of a review decision', async () => {
    const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    const askAt = new Date(n.expiresAt);
    askAt.setUTCMonth(askAt.getUTCMonth() - 6);
    await sys.env.sleep(askAt.getTime() - Date.parse(n.publishedAt) + 60_000);

    // Straight to the workflow, whose clock the test server moved: what the recipient then reads is what counts here.
    expect(await viaWorkflow.requestRenewal(sys, it_, n.id, 'Proceedings still open')).toEqual({ ok: true, status: 'PUBLISHED' });
    const requested = { status: 'REQUESTED', requestedAt: expect.any(String), decidedAt: null };
    expect((await get(fr, `/v1/notices/${n.id}`)).body.renewal).toEqual(requested);
    expect((await listedTo(fr, n.id)).renewal).toEqual(requested);

    expect(await viaWorkflow.decideRenewal(sys, reviewer, n.id, 'APPROVE', 'Still proportionate')).toEqual({
      ok: true,
      status: 'PUBLISHED',
    });
    const approved = { status: 'APPROVED', requestedAt: expect.any(String), decidedAt: expect.any(String) };
    const asFr = (await get(fr, `/v1/notices/${n.id}`)).body;
    expect(asFr.renewal).toEqual(approved);
    expect((await listedTo(fr, n.id)).renewal).toEqual(approved);
    expect(asFr.review).toBeUndefined();
    expect(JSON.stringify(asFr)).not.toMatch(/Proceedings still open|Still proportionate/);

    expect((await get(it_, `/v1/notices/${n.id}`)).body.renewal).toMatchObject({
      reason: 'Proceedings still open',
      decisionReason: 'Still proportionate',
    });
    expect((await get(reviewer, `/v1/notices/${n.id}`)).body.renewal.decisionReason).toBe('Still proportionate');
  });
});
