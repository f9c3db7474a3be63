/**
 * CSV exports: `GET /v1/notices` and `GET /v1/reports/pilot` with `Accept: text/csv`, read back by a
 * CSV parser as a spreadsheet would open them, and compared cell by cell with the JSON.
 */
import { parse } from 'csv-parse/sync';
import { expectProblem, failOnServerErrors, freshRequest, publish, submit, waitForStatus } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, fr: string, reviewer: string, admin: string;

const HOSTILE_ALIASES = [
  { familyName: 'DOE, JOHN', givenNames: 'THE "FOX"' },
  { familyName: 'LINE\nBREAK' },
  { familyName: 'عبد الله', givenNames: 'محمد' },
  { familyName: '=HYPERLINK("http://attacker.example","x")', givenNames: '+1+2' },
  { familyName: '@SUM(A1)', givenNames: '-3' },
];

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES'], 40);
  [it_, fr, reviewer, admin] = await sys.keys('IT', 'FR', 'REVIEWER', 'ADMIN');
  const hostile = freshRequest();
  const submitted = [
    await submit(sys, it_, { ...hostile, subject: { ...hostile.subject, familyName: '=1+2', aliases: HOSTILE_ALIASES } }),
    await submit(sys, fr, freshRequest({ recipients: ['IT'] })),
  ];
  await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  // Screened before the comparisons begin: nothing changes between the JSON and the CSV read.
  for (const n of submitted) await waitForStatus(sys, n.id, reviewer, 'UNDER_REVIEW');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

/** The raw answer: headers and bytes, the byte order mark kept (Response.text() would drop it). */
async function raw(path: string, key: string, accept: string) {
  const res = await fetch(`${sys.baseUrl}${path}`, { headers: { authorization: `Bearer ${key}`, accept } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function csvOf(path: string, key: string): Promise<{ header: string[]; rows: string[][]; text: string }> {
  const res = await raw(path, key, 'text/csv');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
  expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z-]+\.csv"$/);
  expect(res.headers.get('vary')).toMatch(/accept/i);
  // UTF-8 with a BOM, so Excel does not read it in the legacy code page.
  expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = res.bytes.toString('utf8');
  const [header, ...rows] = parse(text, { bom: true, relax_column_count: false }) as string[][];
  return { header, rows, text };
}

/** What a cell shows for a JSON value: text guarded against formulas, plain arrays joined with "; ". */
const shown = (v: unknown): string =>
  v === null || v === undefined
    ? ''
    : Array.isArray(v)
      ? v.map(shown).join('; ')
      : typeof v === 'string' && /^[=+\-@\t\r]/.test(v)
        ? `'${v}`
        : String(v);

const at = (item: unknown, column: string): unknown =>
  column.split('.').reduce<unknown>((v, k) => (v === null || v === undefined ? undefined : (v as Record<string, unknown>)[k]), item);

/** Every leaf of a JSON item as a dotted path: arrays of plain values are one leaf, arrays of objects indexed. */
function leaves(v: unknown, path = ''): string[] {
  if (v === null || typeof v !== 'object') return [path];
  if (Array.isArray(v)) {
    if (v.length === 0) return [];
    return v.every((x) => x === null || typeof x !== 'object') ? [path] : v.flatMap((x, i) => leaves(x, `${path}.${i}`));
  }
  return Object.entries(v).flatMap(([k, x]) => (x === undefined ? [] : leaves(x, path ? `${path}.${k}` : k)));
}

/** The CSV holds exactly these JSON items: one row each, every leaf in its column, nothing else. */
function expectSameRows(csv: { header: string[]; rows: string[][] }, items: object[]): void {
  expect(new Set(csv.header).size).toBe(csv.header.length);
  expect(csv.rows).toHaveLength(items.length);
  items.forEach((item, i) => {
    for (const leaf of leaves(item)) expect(csv.header).toContain(leaf);
    csv.header.forEach((column, j) => expect([column, csv.rows[i][j]]).toEqual([column, shown(at(item, column))]));
  });
}

async function allJsonPages(key: string, query: string): Promise<object[]> {
  const items: object[] = [];
  let cursor: string | null = null;
  do {
    const res = await sys.call('GET', `/v1/notices?limit=2${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

describe('GET /v1/notices as CSV', () => {
  test("a reviewer's CSV is every page of the JSON list, row for row and field for field", async () => {
    const json = await allJsonPages(reviewer, '');
    expect(json.length).toBe(4);
    const csv = await csvOf('/v1/notices?limit=2', reviewer);
    expectSameRows(csv, json);
    expect(csv.header).toEqual(
      expect.arrayContaining(['id', 'subject.familyName', 'recipients.0.country', 'recipients.1.dueAt', 'purposes']),
    );
    // Nested columns stay beside their siblings: the second recipient's right after the first's.
    expect(csv.header.indexOf('recipients.1.country')).toBeGreaterThan(csv.header.indexOf('recipients.0.delayReason'));
    expect(csv.header.indexOf('recipients.1.country')).toBeLessThan(csv.header.indexOf('blocking'));
  });

  test('a comma, a quote, a line break, Arabic and formulas survive; formulas arrive as text', async () => {
    const csv = await csvOf('/v1/notices', it_);
    const col = (name: string) => csv.header.indexOf(name);
    const row = csv.rows.find((r) => r[col('subject.familyName')] === "'=1+2")!;
    expect(row).toBeDefined();
    const alias = (i: number, f: string) => row[col(`subject.aliases.${i}.${f}`)];
    expect(alias(0, 'familyName')).toBe('DOE, JOHN');
    expect(alias(0, 'givenNames')).toBe('THE "FOX"');
    expect(alias(1, 'familyName')).toBe('LINE\nBREAK');
    expect(alias(2, 'familyName')).toBe('عبد الله');
    expect(alias(2, 'givenNames')).toBe('محمد');
    expect(alias(3, 'familyName')).toBe(`'=HYPERLINK("http://attacker.example","x")`);
    expect(alias(3, 'givenNames')).toBe("'+1+2");
    expect(alias(4, 'familyName')).toBe("'@SUM(A1)");
    expect(alias(4, 'givenNames')).toBe("'-3");
    expect(row[col('purposes')]).toBe('LOCATE; IDENTIFY');
    // RFC 4180: CRLF between records; the line break inside a name is quoted, not a record end.
    expect(csv.text).toContain('\r\n');
    expect(csv.text).toContain('"LINE\nBREAK"');
  });

  test('the filters apply as in JSON, and need to know holds: a recipient sees its own entry only', async () => {
    const mine = await csvOf('/v1/notices?as=REQUESTER&status=PUBLISHED', it_);
    expectSameRows(mine, await allJsonPages(it_, '&as=REQUESTER&status=PUBLISHED'));
    expect(mine.rows).toHaveLength(2);
    const inbox = await csvOf('/v1/notices?as=RECIPIENT', fr);
    expectSameRows(inbox, await allJsonPages(fr, '&as=RECIPIENT'));
    expect(inbox.rows).toHaveLength(2);
    expect(inbox.header).not.toContain('recipients.1.country');
    expect(inbox.header).not.toContain('review.flags');
    expect(new Set(inbox.rows.map((r) => r[inbox.header.indexOf('recipients.0.country')]))).toEqual(new Set(['FR']));
  });

  test('JSON stays the default; bad input is still a JSON problem', async () => {
    for (const accept of ['*/*', 'application/json', 'text/csv;q=0.5, application/json']) {
      const res = await raw('/v1/notices', reviewer, accept);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
    expectProblem(await sys.call('GET', '/v1/notices?status=NOPE', { key: reviewer, headers: { accept: 'text/csv' } }), 400);
    expectProblem(await sys.call('GET', '/v1/notices?cursor=forged', { key: reviewer, headers: { accept: 'text/csv' } }), 400);
    expectProblem(await sys.call('GET', '/v1/notices', { headers: { accept: 'text/csv' } }), 401);
  });
});

describe('GET /v1/reports/pilot as CSV', () => {
  test('one row under a header row, the same figures as the JSON', async () => {
    const json = (await sys.call('GET', '/v1/reports/pilot', { key: admin })).body;
    const csv = await csvOf('/v1/reports/pilot', reviewer);
    const { generatedAt: _when, ...figures } = json;
    expect(csv.rows).toHaveLength(1);
    expectSameRows(
      { header: csv.header.filter((c) => c !== 'generatedAt'), rows: [csv.rows[0].filter((_, j) => csv.header[j] !== 'generatedAt')] },
      [figures],
    );
    const col = (name: string) => csv.rows[0][csv.header.indexOf(name)];
    expect(col('requests.total')).toBe('4');
    expect(col('requests.byStatus.PUBLISHED')).toBe('2');
    expect(col('requests.byRequestingCountry.IT')).toBe('3');
    expect(Date.parse(col('generatedAt'))).not.toBeNaN();
  });

  test('an NCB is refused as in JSON', async () => {
    expectProblem(await sys.call('GET', '/v1/reports/pilot', { key: it_, headers: { accept: 'text/csv' } }), 403);
  });
});

test('/openapi.json offers text/csv for both', async () => {
  const doc = (await sys.call('GET', '/openapi.json')).body;
  for (const path of ['/v1/notices', '/v1/reports/pilot']) {
    const content = doc.paths[path].get.responses['200'].content;
    expect(Object.keys(content)).toEqual(['application/json', 'text/csv']);
    expect(content['text/csv'].schema.type).toBe('string');
  }
});
