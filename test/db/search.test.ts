/**
 * Case numbers and the search index in the database: requests recorded before them get their
 * numbers from the migration and their terms at the next start, and a search is answered from
 * indexes, never by reading every row.
 */
import type { Database } from '../../prisma/database';
import { applyMigrations } from '../../prisma/migrate';
import { searchQuery } from '../../domain/search';
import { indexUnindexed, searchRequests, searchStatement } from '../../records/search';
import { createTestDatabase, insertPublishedRequests } from '../support/database';

const BEFORE = '20261201090000_key_change_notifications';

/** Requests as the code before case numbers wrote them: `rows` of [country, createdAt, family name]. */
const oldRequests = (rows: [string, string, string][]) =>
  rows
    .map(
      ([country, at, name], i) =>
        `('00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}', 'NOTICE', 'UNDER_REVIEW', '${country}', gen_random_uuid(), '${at}', '${at}',
          '{}', '{}', '{}', '{"familyName": "${name}", "givenNames": "Ana"}', '{}', '[]', 'H0', 'NORMAL', 'en', '{}')`,
    )
    .join(',\n');
const COLUMNS = `(id, kind, status, "requestingCountry", "createdByKeyId", "createdAt", "updatedAt",
  "closureGrounds", "requestedRecipients", purposes, subject, offence, "assetsSought", "handlingCode", urgency, language, flags)`;

describe('requests recorded before case numbers', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(() => db?.close());

  test('are numbered per country and year in submission order, their counters continue, their notifications carry the number', async () => {
    await applyMigrations(db.adapterFactory, BEFORE);
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "Notice" ${COLUMNS} VALUES ${oldRequests([
        ['IT', '2025-12-31T23:59:59Z', 'Ibáñez'],
        ['IT', '2025-03-01T10:00:00Z', 'Rossi'],
        ['FR', '2026-01-02T00:00:00Z', 'Martin'],
        ['IT', '2026-01-01T00:00:00Z', 'Bianchi'],
      ])}`,
    );
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "Notification" ("dedupeKey", country, type, "noticeId", at) VALUES ('d1', 'IT', 'DECISION', '00000000-0000-4000-8000-000000000004', now())`,
    );

    await applyMigrations(db.adapterFactory);

    const numbers = await db.prisma.notice.findMany({ select: { id: true, caseNumber: true }, orderBy: { id: 'asc' } });
    expect(numbers.map((n) => n.caseNumber)).toEqual(['IT-2025-00002', 'IT-2025-00001', 'FR-2026-00001', 'IT-2026-00001']);
    const counters = await db.prisma.caseCounter.findMany({ orderBy: [{ country: 'asc' }, { year: 'asc' }] });
    expect(counters).toEqual([
      { country: 'FR', year: 2026, last: 1 },
      { country: 'IT', year: 2025, last: 2 },
      { country: 'IT', year: 2026, last: 1 },
    ]);
    expect((await db.prisma.notification.findFirstOrThrow()).caseNumber).toBe('IT-2026-00001');

    // Their names are folded as a search folds them, by the same code, when the system starts.
    expect(await indexUnindexed(db.prisma, 3)).toBe(4);
    expect(await indexUnindexed(db.prisma)).toBe(0);
    const hits = await searchRequests(db.prisma, { query: searchQuery('ibane')!, digests: [], limit: 10 });
    expect(hits.map((h) => [h.caseNumber, h.matched])).toEqual([['IT-2025-00002', ['subject.name']]]);
  });
});

describe('a search', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase();
    // 5,000 requests, each found by a name of its own and its prefixes.
    await insertPublishedRequests(db.prisma, 5000);
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "SearchTerm" ("noticeId", field, entry, term)
      SELECT id, 'subject.name', 0, left('n' || md5(id::text), k) FROM "Notice", generate_series(3, 9) k`);
    await db.prisma.$executeRawUnsafe(`INSERT INTO "Recipient" ("noticeId", country, "dueAt") SELECT id, 'FR', now() FROM "Notice"`);
    await db.prisma.$executeRawUnsafe('ANALYZE');
  });
  afterAll(() => db?.close());

  test('is answered from the indexes of terms, case numbers and references, not by reading every row', async () => {
    const [{ term }] = await db.prisma.$queryRawUnsafe<{ term: string }[]>(
      `SELECT term FROM "SearchTerm" WHERE length(term) = 9 ORDER BY term LIMIT 1`,
    );
    const plan = async (q: string) => {
      const statement = searchStatement({ query: searchQuery(q)!, digests: [], involving: 'FR', limit: 50 });
      const rows = await db.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${statement.text}`, ...statement.values);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    const byName = await plan(term);
    expect(byName).toMatch(/Index (Only )?Scan using "?SearchTerm_term_field_idx"?|Bitmap Index Scan on "?SearchTerm_term_field_idx"?/);
    expect(await plan('IT-2026-17')).toMatch(/Notice_caseNumber_key/);
    expect(await plan('SN-2026-17')).toMatch(/Notice_reference_key/);
    for (const q of [term, 'IT-2026-17', 'SN-2026-17']) expect(await plan(q)).not.toMatch(/Seq Scan on "?(SearchTerm|Notice)"?/);

    const args = { digests: [], involving: 'FR', limit: 50 };
    expect(await searchRequests(db.prisma, { ...args, query: searchQuery(term)! })).toHaveLength(1);
    const byNumber = await searchRequests(db.prisma, { ...args, query: searchQuery('IT 2026 17')! });
    expect(byNumber.map((h) => [h.caseNumber, h.matched, h.addressed])).toEqual([['IT-2026-00017', ['caseNumber'], true]]);
  });
});
