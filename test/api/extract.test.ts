/**
 * The PDF extract of a request, read back as poppler's pdftotext reads it (Debian's poppler-utils):
 * every page names the case number, the reference and the handling code; an Arabic request is in
 * Arabic with its names extracted in logical order; a recipient's extract holds only what the
 * recipient may read; a request the caller may not know is 404; every extract is audited.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { translator } from '../../console/i18n';
import { labels as arLabels } from '../../console/i18n/ar/labels';
import { expectProblem, failOnServerErrors, freshRequest, located, publish } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, fr: string, es: string, de: string, reviewer: string, ccf: string;
let dir: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE'], 40);
  [it_, fr, es, de, reviewer, ccf] = await sys.keys('IT', 'FR', 'ES', 'DE', 'REVIEWER', 'CCF');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'extract-'));
});
afterAll(async () => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await sys?.stop();
});
failOnServerErrors(() => sys);

/** The extract as the API answers it. */
async function extract(
  key: string,
  id: string,
): Promise<{ status: number; type: string | null; disposition: string | null; bytes: Buffer }> {
  const res = await fetch(`${sys.baseUrl}/v1/notices/${id}/extract.pdf`, { headers: { authorization: `Bearer ${key}` } });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    disposition: res.headers.get('content-disposition'),
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}

/** Each page's text as pdftotext extracts it (pages end with a form feed). */
function pagesOf(bytes: Buffer): string[] {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(file, bytes);
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  return text.split('\f').filter((p) => p.trim() !== '');
}

/** Several assets with long descriptions, so the extract runs over more than one page. */
const manyAssets = (words: string) =>
  Array.from({ length: 8 }, (_, i) => ({
    category: 'REAL_ESTATE',
    description: `${words} ${i + 1}. `.repeat(12),
    estimatedValue: { amount: 100000 * (i + 1), currency: 'EUR' },
  }));

describe('GET /v1/notices/:id/extract.pdf', () => {
  test('an Arabic request: in Arabic, its names in logical order, case number, reference and handling code on every page', async () => {
    const body = freshRequest({
      language: 'ar',
      handlingCode: 'H2',
      subject: { ...freshRequest().subject, familyName: 'الشامي', givenNames: 'محمد سعيد', placeOfBirth: 'حلب' },
      assetsSought: [...freshRequest().assetsSought, ...manyAssets('شقة في دمشق مسجلة باسم شقيقه')],
    });
    const n = await publish(sys, it_, reviewer, body);
    const res = await extract(it_, n.id);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/pdf');
    expect(res.disposition).toBe(`inline; filename=${n.caseNumber}.pdf`);
    expect(res.bytes.subarray(0, 5).toString()).toBe('%PDF-');

    const pages = pagesOf(res.bytes);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      expect(page).toContain(n.caseNumber);
      expect(page).toContain(n.reference);
      expect(page).toContain('H2');
    }
    const text = pages.join('\n');
    // The console's Arabic wording, not restated: its labels, and the handling code's meaning.
    // Vowel signs are drawn but not extracted (services/pdf-layout.ts says why).
    const { t } = translator('ar');
    const bare = (s: string) => s.replace(/\p{Mn}/gu, '');
    expect(text).toContain(bare(t('print.title')));
    expect(text).toContain(bare(t('field.familyName')));
    expect(text).toContain(bare(arLabels.handlingCode.H2.replace('H2 – ', '')));
    // Shaped glyphs drawn right to left, extracted as typed: each letter itself (ش is not read as
    // the س whose skeleton it shares), words in the order written.
    expect(text).toContain('الشامي');
    expect(text).toContain('محمد سعيد');
    expect(text).toContain('شقة في دمشق مسجلة باسم شقيقه');
    // The footer numbers the pages in Arabic.
    // pdftotext marks where a left-to-right run sits in a right-to-left line (U+202A... U+202C), and
    // where it puts the spaces around the digits is its own: the words are compared.
    const words = (s: string) =>
      bare(s)
        .replace(/[\u202a-\u202e]/g, ' ')
        .split(/\s+/)
        .filter(Boolean);
    expect(words(pages[0]).join(' ')).toContain(words(t('print.page', { page: 1, pages: pages.length })).join(' '));
  });

  test('a recipient prints only what it may read; the requester and the GS print the whole request', async () => {
    const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'], handlingCode: 'H3' }));
    const answer = (key: string, reason: string, assets?: unknown[]) =>
      sys.call('POST', `/v1/notices/${n.id}/responses`, {
        key,
        body: assets ? { outcome: 'ASSETS_LOCATED', reason, assets } : { outcome: 'UNABLE_TO_ASSIST', reason },
      });
    expect((await answer(fr, 'Answer of France', [located({ holder: 'Holder found in Nice' })])).status).toBe(201);
    expect((await answer(es, 'Answer of Spain withheld from France')).status).toBe(201);

    const ofFrance = pagesOf((await extract(fr, n.id)).bytes).join('\n');
    expect(ofFrance).toContain(n.caseNumber);
    expect(ofFrance).toContain('H3');
    expect(ofFrance).toContain(n.subject.familyName);
    expect(ofFrance).toContain('Answer of France');
    expect(ofFrance).toContain('Holder found in Nice');
    expect(ofFrance).not.toContain('Answer of Spain');
    expect(ofFrance).not.toContain('Spain'); // not even its entry among the recipients
    expect(ofFrance).not.toContain('Review');
    expect(ofFrance).not.toContain('Findings');

    for (const key of [it_, reviewer]) {
      const whole = pagesOf((await extract(key, n.id)).bytes).join('\n');
      expect(whole).toContain('Answer of France');
      expect(whole).toContain('Answer of Spain withheld from France');
      expect(whole).toContain('Review');
      expect(whole).toContain('Findings');
    }
  });

  test('in the request’s language, whoever prints it', async () => {
    const n = await publish(sys, it_, reviewer, freshRequest({ language: 'fr', recipients: ['FR'] }));
    const pages = pagesOf((await extract(fr, n.id)).bytes);
    expect(pages[0]).toContain('Extrait de la demande');
    expect(pages[0]).toContain(`Page 1 sur ${pages.length}`);
  });

  test('a request the caller may not know is 404, as for a read; a blocked one is 409 BLOCKED to its recipients', async () => {
    const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    expectProblem(await sys.call('GET', `/v1/notices/${n.id}/extract.pdf`, { key: de }), 404);
    expect((await sys.call('GET', `/v1/notices/${n.id}/extract.pdf`, { key: de })).body.code).toBe('NOT_FOUND');
    expectProblem(await sys.call('GET', `/v1/notices/00000000-0000-4000-8000-000000000000/extract.pdf`, { key: it_ }), 404);
    const bad = await sys.call('GET', `/v1/notices/not-an-id/extract.pdf`, { key: it_ });
    expectProblem(bad, 400);
    expect((await sys.call('GET', `/v1/notices/${n.id}/extract.pdf`)).status).toBe(401);

    expect((await sys.call('POST', `/v1/notices/${n.id}/blocking`, { key: ccf, body: { reason: 'A complaint' } })).status).toBe(200);
    const blocked = await sys.call('GET', `/v1/notices/${n.id}/extract.pdf`, { key: fr });
    expectProblem(blocked, 409);
    expect(blocked.body.code).toBe('BLOCKED');
    expect((await extract(ccf, n.id)).status).toBe(200);
  });

  test('every extract is in the audit trail, its requester’s too', async () => {
    const n = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    const before = await sys.db.prisma.auditEvent.count({ where: { noticeId: n.id, type: 'READ' } });
    for (const key of [it_, reviewer, fr]) expect((await extract(key, n.id)).status).toBe(200);
    const reads = await sys.db.prisma.auditEvent.findMany({
      where: { noticeId: n.id, type: 'READ' },
      orderBy: { seq: 'asc' },
      skip: before,
    });
    expect(reads.map((e) => [e.actorRole, e.actorCountry, e.data])).toEqual([
      ['NCB', 'IT', { what: 'extract' }],
      ['REVIEWER', null, { what: 'extract' }],
      ['NCB', 'FR', { what: 'extract' }],
    ]);
    expect((await sys.call('GET', '/v1/audit/verify', { key: sys.adminKey })).body.ok).toBe(true);
  });
});
