/**
 * CSV answers (RFC 4180) for lists and the report, so evaluators and NCB managers can open them in a
 * spreadsheet as they are.
 *
 * - UTF-8 with a byte order mark: Excel reads a CSV without one in the machine's legacy code page,
 *   which turns Arabic, accents and "€" into mojibake; with it Excel, LibreOffice and Numbers all
 *   read UTF-8, and CSV parsers skip it (csv-parse's `bom` option, Python's `utf-8-sig`).
 * - A header row, then one row per JSON item, CRLF line ends, fields quoted when they hold a comma,
 *   a quote or a line break (csv-stringify does the quoting).
 * - Nested fields flattened with dots: `subject.name`. An array of plain values is one cell, its
 *   values joined with "; " (`purposes`); an array of objects is indexed from 0
 *   (`recipients.0.country`, `recipients.1.country`). null is an empty cell; an empty array or
 *   object has no column. The columns are the union over every row, in the order of the fields.
 * - Formula injection (OWASP "CSV Injection"): a text cell starting with =, +, -, @, a tab or a
 *   carriage return gets a leading apostrophe, so a spreadsheet shows it as text instead of
 *   running it. Numbers are written as numbers and are left alone.
 */
import { stringify } from 'csv-stringify/sync';
import type { Request, Response } from 'express';

export const CSV_TYPE = 'text/csv';

/** Whether the caller asked for CSV rather than JSON (Accept, weighed as HTTP says). */
export function wantsCsv(req: Request): boolean {
  return req.accepts(['application/json', CSV_TYPE]) === CSV_TYPE;
}

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  return FORMULA_START.test(value) ? `'${value}` : value;
}

const isPlain = (v: unknown) => v === null || typeof v !== 'object';

/** One row's cells by dotted path, in the order of its fields. */
function flatten(value: unknown, path: string, out: Map<string, string>): void {
  if (value === undefined) return;
  if (value === null) {
    out.set(path, '');
  } else if (Array.isArray(value)) {
    if (value.length === 0) return;
    if (value.every(isPlain)) out.set(path, value.map((v) => (v === null ? '' : cell(v as string))).join('; '));
    else value.forEach((v, i) => flatten(v, `${path}.${i}`, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, cell(value as string | number | boolean));
  }
}

/**
 * Every row's columns merged in field order: a column first met in a later row goes right after
 * the column that precedes it in that row (so `recipients.1.*` follows `recipients.0.*`).
 */
function columnsOf(rows: Map<string, string>[]): string[] {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    let previous: string | undefined;
    for (const key of row.keys()) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.splice(previous === undefined ? 0 : columns.indexOf(previous) + 1, 0, key);
      }
      previous = key;
    }
  }
  return columns;
}

/** The CSV of these JSON items: a header row and one row per item. */
export function toCsv(items: readonly object[]): string {
  const rows = items.map((item) => {
    const out = new Map<string, string>();
    flatten(item, '', out);
    return out;
  });
  const columns = columnsOf(rows);
  return stringify([columns, ...rows.map((row) => columns.map((c) => row.get(c) ?? ''))], {
    bom: true,
    record_delimiter: 'windows',
    // csv-stringify quotes only the record delimiter (CRLF); a lone LF or CR must be quoted too,
    // or spreadsheets end the row there.
    quoted_match: /[\r\n]/,
  });
}

/** Sends `items` as a CSV download named `filename`. */
export function sendCsv(res: Response, filename: string, items: readonly object[]): void {
  res
    .status(200)
    .set({
      'Content-Type': `${CSV_TYPE}; charset=utf-8; header=present`,
      'Content-Disposition': `attachment; filename="${filename}"`,
    })
    .send(toCsv(items));
}

/** The largest page a list gives, taken page after page for a CSV export. */
const CSV_PAGE = 100;

/**
 * Every item of a paged list, following `nextCursor` from `cursor` on: a CSV export is the whole
 * list the filters select, not one screenful of it.
 */
export async function allPages<T>(
  cursor: string | undefined,
  page: (cursor: string | undefined, limit: number) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const items: T[] = [];
  for (let next = cursor; ;) {
    const p = await page(next, CSV_PAGE);
    items.push(...p.items);
    if (!p.nextCursor) return items;
    next = p.nextCursor;
  }
}
