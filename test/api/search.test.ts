/**
 * Case numbers from submission, and the search: by case number, reference, names (folded, by the
 * start of a word), documents and asset identifiers, within what the caller may read.
 */
import { purgeRequest } from '../../records/retention';
import { startReceiver, type Receiver } from '../support/receiver';
import { ibanFor, startTestSystem, type TestSystem } from '../support/system';
import {
  expectFieldErrors,
  expectProblem,
  failOnServerErrors,
  freshRequest,
  located,
  publish,
  submit,
  waitFor,
  waitForStatus,
} from '../support/helpers';

let sys: TestSystem;
let it_: string, fr: string, de: string, reviewer: string, ccf: string;
let receiver: Receiver;
const year = new Date().getUTCFullYear();

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE'], 400);
  [it_, fr, de, reviewer, ccf] = await sys.keys('IT', 'FR', 'DE', 'REVIEWER', 'CCF');
  receiver = await startReceiver();
  expect((await sys.call('PUT', '/v1/webhooks/IT', { key: sys.adminKey, body: { url: receiver.url } })).status).toBe(200);
});
afterAll(async () => {
  await receiver?.close();
  await sys?.stop();
});
failOnServerErrors(() => sys);

const search = async (key: string, q: string) => {
  const res = await sys.call('GET', `/v1/search?q=${encodeURIComponent(q)}`, { key });
  expect(res.status).toBe(200);
  return res.body.items as { noticeId: string; caseNumber: string; reference: string | null; status: string; matched: string[] }[];
};
const found = async (key: string, q: string, id: string) => (await search(key, q)).find((i) => i.noticeId === id);
const nth = (caseNumber: string) => Number(caseNumber.split('-')[2]);

describe('case numbers', () => {
  let first: any;

  test('each country numbers its requests per year from 1, and the view shows the number', async () => {
    first = await submit(sys, it_);
    expect(first.caseNumber).toBe(`IT-${year}-00001`);
    const second = await submit(sys, it_);
    expect(second.caseNumber).toBe(`IT-${year}-00002`);
    const french = await submit(sys, fr, freshRequest({ recipients: ['IT'] }));
    expect(french.caseNumber).toBe(`FR-${year}-00001`);
    expect((await sys.call('GET', `/v1/notices/${second.id}`, { key: it_ })).body.caseNumber).toBe(second.caseNumber);
    const listed = await sys.call('GET', '/v1/notices?as=REQUESTER', { key: it_ });
    expect(listed.body.items.map((n: any) => n.caseNumber)).toEqual([second.caseNumber, first.caseNumber]);
  });

  test('twenty submissions at once from one country take the next twenty numbers, without gaps', async () => {
    const before = await submit(sys, it_);
    const sent = await Promise.all(Array.from({ length: 20 }, () => sys.call('POST', '/v1/notices', { key: it_, body: freshRequest() })));
    expect(sent.map((r) => r.status)).toEqual(Array(20).fill(201));
    const numbers = sent.map((r) => nth(r.body.caseNumber)).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => nth(before.caseNumber) + 1 + i));
    expect(new Set(sent.map((r) => r.body.caseNumber)).size).toBe(20);
  });

  test('notifications and webhook payloads name the request by its case number', async () => {
    const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    const feed = await sys.call('GET', '/v1/notifications', { key: it_ });
    const decision = feed.body.items.find((n: any) => n.noticeId === published.id && n.type === 'DECISION');
    expect(decision).toMatchObject({ caseNumber: published.caseNumber, reference: published.reference });
    const toFr = (await sys.call('GET', '/v1/notifications', { key: fr })).body.items.find((n: any) => n.noticeId === published.id);
    expect(toFr).toMatchObject({ type: 'PUBLISHED', caseNumber: published.caseNumber });
    const hooked = await waitFor(
      async () => receiver.received.map((m) => JSON.parse(m.body)).filter((b) => b.data.noticeId === published.id),
      (got) => got.length > 0,
      'the decision to reach the webhook',
    );
    expect(hooked[0].data).toMatchObject({ type: 'DECISION', caseNumber: published.caseNumber });
  });

  test('a recipient from whom the CCF withholds a request still sees its case number', async () => {
    const published = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    expect((await sys.call('POST', `/v1/notices/${published.id}/blocking`, { key: ccf, body: { reason: 'Complaint' } })).status).toBe(200);
    const seen = await sys.call('GET', `/v1/notices/${published.id}`, { key: fr });
    expect(seen.body).toMatchObject({ id: published.id, caseNumber: published.caseNumber, blocking: { since: expect.any(String) } });
    expect(seen.body.subject).toBeUndefined();
  });
});

describe('search', () => {
  let n: any;
  const subject = (familyName: string, more: Record<string, unknown> = {}) => ({
    ...freshRequest().subject,
    familyName,
    givenNames: 'José María',
    aliases: [{ familyName: "O'Brien-Núñez", givenNames: 'Seán' }],
    identityDocuments: [{ type: 'PASSPORT', number: 'ZX 998-877 6', issuingCountry: 'IT' }],
    ...more,
  });
  const iban = ibanFor('IT', 'X0542811101000000999888');

  beforeAll(async () => {
    n = await submit(
      sys,
      it_,
      freshRequest({
        recipients: ['FR'],
        subject: subject('Gutiérrez-Łopata'),
        assetsSought: [{ category: 'BANK_ACCOUNT', description: 'Account', identifiers: { iban } }],
      }),
    );
    await waitForStatus(sys, n.id, it_, 'UNDER_REVIEW');
  });

  test('names ignore case, accents and punctuation, and a word of three letters or more may be the start of one', async () => {
    for (const q of ['gutierrez', 'GUTIÉRREZ', 'gut', 'Gutierrez Lopata', 'lopata, jose', 'jos mar gut']) {
      expect(await found(it_, q, n.id)).toMatchObject({
        caseNumber: n.caseNumber,
        reference: null,
        status: 'UNDER_REVIEW',
        matched: ['subject.name'],
      });
    }
    expect(await found(it_, 'obrien nunez sean', n.id)).toMatchObject({ matched: ['aliases.name'] });
    expect(await found(it_, 'o brien', n.id)).toMatchObject({ matched: ['aliases.name'] });
    // Two letters are a whole word or nothing; words of two different names do not make one.
    expect(await found(it_, 'gu', n.id)).toBeUndefined();
    expect(await found(it_, 'gutierrez sean', n.id)).toBeUndefined();
    expect(await found(it_, 'gutierrezz', n.id)).toBeUndefined();
  });

  test('documents, asset identifiers and the case number, however they are written', async () => {
    expect(await found(it_, 'zx9988776', n.id)).toMatchObject({ matched: ['identityDocuments.number'] });
    expect(await found(it_, 'ZX-998 8776', n.id)).toMatchObject({ matched: ['identityDocuments.number'] });
    expect(await found(it_, iban.replace(/(.{4})/g, '$1 ').toLowerCase(), n.id)).toMatchObject({ matched: ['assetsSought.identifiers'] });
    expect(await found(it_, n.caseNumber.toLowerCase(), n.id)).toMatchObject({ matched: ['caseNumber'] });
    expect(await found(it_, n.caseNumber.replace(/-0+/, ' '), n.id)).toMatchObject({ matched: ['caseNumber'] });
  });

  test('only what the caller may read: the GS sees all, a recipient only once published, others nothing', async () => {
    expect(await found(reviewer, 'gutierrez', n.id)).toBeDefined();
    expect(await found(ccf, n.caseNumber, n.id)).toBeDefined();
    expect(await found(fr, 'gutierrez', n.id)).toBeUndefined();
    expect(await found(fr, n.caseNumber, n.id)).toBeUndefined();
    expect(await found(de, 'gutierrez', n.id)).toBeUndefined();
    const approved = await sys.call('POST', `/v1/notices/${n.id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } });
    expect(approved.body.status).toBe('PUBLISHED');
    expect(await found(fr, 'gutierrez', n.id)).toMatchObject({ reference: approved.body.reference, status: 'PUBLISHED' });
    expect(await found(fr, approved.body.reference.replace(/-/g, ''), n.id)).toMatchObject({ matched: ['reference'] });
    expect(await found(de, 'gutierrez', n.id)).toBeUndefined();
    expectProblem(await sys.call('GET', '/v1/search?q=gutierrez', { key: sys.adminKey }), 403);
  });

  test('an identifier a recipient located finds the request for the requester and the GS, not for recipients', async () => {
    const account = ibanFor('FR', '30006000011234567890189');
    const answered = await sys.call('POST', `/v1/notices/${n.id}/responses`, {
      key: fr,
      body: { outcome: 'ASSETS_LOCATED', final: false, assets: [located({ category: 'BANK_ACCOUNT', identifiers: { iban: account } })] },
    });
    expect(answered.status).toBe(201);
    expect(await found(it_, account, n.id)).toMatchObject({ matched: ['assetsLocated.identifiers'] });
    expect(await found(reviewer, account.toLowerCase(), n.id)).toMatchObject({ matched: ['assetsLocated.identifiers'] });
    // The identifier carries no note of which recipient located it, and recipients see no other's answers.
    expect(await found(fr, account, n.id)).toBeUndefined();
  });

  test('while the CCF withholds it, a recipient finds it by its case number or reference only', async () => {
    expect((await sys.call('POST', `/v1/notices/${n.id}/blocking`, { key: ccf, body: { reason: 'Complaint' } })).status).toBe(200);
    expect(await found(fr, 'gutierrez', n.id)).toBeUndefined();
    expect(await found(fr, 'zx9988776', n.id)).toBeUndefined();
    expect(await found(fr, n.caseNumber, n.id)).toMatchObject({ matched: ['caseNumber'] });
    expect(await found(it_, 'gutierrez', n.id)).toBeDefined();
  });

  test('each request found is a read in its audit trail, as a listed one is', async () => {
    await found(reviewer, 'gutierrez', n.id);
    const events = await sys.call('GET', `/v1/notices/${n.id}/events`, { key: it_ });
    expect(events.body.items.filter((e: any) => e.type === 'READ' && e.data.what === 'search').length).toBeGreaterThan(0);
  });

  test('a clarification that changes the subject changes what finds it', async () => {
    const c = await submit(sys, it_, freshRequest({ subject: subject('Kowalczyk', { aliases: [], identityDocuments: [] }) }));
    await waitForStatus(sys, c.id, it_, 'UNDER_REVIEW');
    await sys.call('POST', `/v1/notices/${c.id}/decisions`, {
      key: reviewer,
      body: { decision: 'REQUEST_CLARIFICATION', reason: 'Which name?' },
    });
    const answer = await sys.call('POST', `/v1/notices/${c.id}/clarifications`, {
      key: it_,
      body: { message: 'Corrected', changes: { subject: subject('Wiśniewski', { aliases: [], identityDocuments: [] }) } },
    });
    expect(answer.status).toBe(200);
    expect(await found(it_, 'kowalczyk', c.id)).toBeUndefined();
    expect(await found(it_, 'wisniew', c.id)).toMatchObject({ matched: ['subject.name'] });
  });

  test('retention erases what it was found by, but not its case number', async () => {
    const w = await submit(sys, it_, freshRequest({ subject: subject('Dąbrowski') }));
    expect((await sys.call('POST', `/v1/notices/${w.id}/withdrawal`, { key: it_, body: { reason: 'Closed' } })).status).toBe(200);
    await waitForStatus(sys, w.id, it_, 'WITHDRAWN');
    expect(await found(it_, 'dabrowski', w.id)).toBeDefined();
    expect(await purgeRequest(sys.db.prisma, w.id, new Date())).toBe(true);
    expect(await found(it_, 'dabrowski', w.id)).toBeUndefined();
    expect(await found(it_, 'zx9988776', w.id)).toBeUndefined();
    expect(await found(it_, w.caseNumber, w.id)).toMatchObject({ matched: ['caseNumber'] });
    expect(await sys.db.prisma.searchTerm.count({ where: { noticeId: w.id } })).toBe(0);
  });

  test('a query without a letter or a digit, or none at all, is a 400 naming the query', async () => {
    for (const path of [
      '/v1/search?q=--%20..',
      '/v1/search',
      '/v1/search?q=',
      `/v1/search?q=${'a'.repeat(201)}`,
      '/v1/search?q=x&other=1',
    ]) {
      const res = await sys.call('GET', path, { key: it_ });
      expectProblem(res, 400);
      expect(res.body.code).toBe('VALIDATION');
    }
    expectFieldErrors(await sys.call('GET', '/v1/search?q=%20-%20', { key: it_ }), 'query.q');
  });
});
