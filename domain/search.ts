/**
 * What a request is found by, and what a search asks for. Names are compared folded (case,
 * accents and punctuation do not count: "Núñez-Ortiz" is "nunez ortiz"), word by word, and a word
 * of 3 letters or more may be the start of a name's word ("ross" finds ROSSI). Documents, case
 * numbers and references are compared compacted (no case, spaces or punctuation). Asset
 * identifiers, sought or located, are looked up by their keyed digests (records/links.ts), never
 * stored here in clear.
 *
 * A request's terms hold each word with every prefix of 3 letters or more, so that a search asks
 * only for equal terms: a plain index answers it, whatever the database's collation.
 */
import type { Subject } from './request';

/** The shortest start of a word that finds it. */
export const PREFIX_MIN = 3;

export const SEARCH_FIELDS = [
  'caseNumber',
  'reference',
  'subject.name',
  'aliases.name',
  'identityDocuments.number',
  'assetsSought.identifiers',
  'assetsLocated.identifiers',
] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/**
 * Latin letters that Unicode does not decompose into a base letter and a mark, spelt as people
 * without them type them: "Łopata" is found as "lopata", "Søren" as "soren", "Straße" as "strasse".
 */
const UNDECOMPOSED: Record<string, string> = { ł: 'l', ø: 'o', đ: 'd', ð: 'd', ħ: 'h', ı: 'i', ŧ: 't', æ: 'ae', œ: 'oe', ß: 'ss', þ: 'th' };

/** Lower case, accents and other marks dropped, anything but letters and digits a space. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[łøđðħıŧæœßþ]/g, (c) => UNDECOMPOSED[c])
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const APOSTROPHES = /['’ʼ‘`]/g;

/** The words of a folded text, each once. */
export const words = (text: string): string[] => [...new Set(fold(text).split(' ').filter(Boolean))];

/** A document number, case number or reference as compared: folded, without spaces. */
export const compacted = (text: string): string => fold(text).replace(/ /g, '');

/** A word and each of its starts of PREFIX_MIN letters or more. */
function withPrefixes(word: string): string[] {
  const letters = [...word];
  if (letters.length <= PREFIX_MIN) return [word];
  return letters.slice(PREFIX_MIN - 1).map((_, i) => letters.slice(0, PREFIX_MIN + i).join(''));
}

export interface SearchTermRow {
  field: SearchField;
  /** Which name or document of the field. */
  entry: number;
  term: string;
}

/** The terms a request's subject is found by: its name, its aliases' names and its documents. */
export function subjectTerms(subject: Partial<Subject> | null | undefined): SearchTermRow[] {
  if (!subject) return [];
  const rows: SearchTermRow[] = [];
  const name = (field: SearchField, entry: number, n: { familyName?: string; givenNames?: string }) => {
    const written = `${n.familyName ?? ''} ${n.givenNames ?? ''}`;
    // O'Brien is found as "o brien", "brien" and "obrien": an apostrophe is as often left out as spaced.
    const all = new Set([...words(written), ...words(written.replace(APOSTROPHES, ''))]);
    for (const w of all) for (const term of withPrefixes(w)) rows.push({ field, entry, term });
  };
  name('subject.name', 0, subject);
  (subject.aliases ?? []).forEach((alias, i) => name('aliases.name', i, alias));
  (subject.identityDocuments ?? []).forEach((doc, i) => {
    const term = compacted(doc.number ?? '');
    if (term) rows.push({ field: 'identityDocuments.number', entry: i, term });
  });
  // A name that repeats a word gives its prefixes twice: each term once per entry.
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${r.field}|${r.entry}|${r.term}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** What a query asks for; null when it holds no letter or digit. */
export interface SearchQuery {
  /** Each must be a word, or the start of a word, of one and the same name. */
  words: string[];
  /** The query without case, spaces or punctuation: a document number or an identifier. */
  compact: string;
  /** The case number it spells (`IT-2026-00007` from "it 2026 7"), if any. */
  caseNumber?: string;
  /** The reference it spells (`SN-2026-000001`), if any. */
  reference?: string;
}

export function searchQuery(q: string): SearchQuery | null {
  const compact = compacted(q);
  if (!compact) return null;
  const upper = compact.toUpperCase();
  const cn = /^([A-Z]{2})(\d{4})(\d{1,6})$/.exec(upper);
  const ref = /^(SN|SD)(\d{4})(\d{1,7})$/.exec(upper);
  return {
    words: words(q),
    compact,
    ...(cn ? { caseNumber: caseNumberOf(cn[1], Number(cn[2]), Number(cn[3])) } : {}),
    ...(ref ? { reference: `${ref[1]}-${ref[2]}-${ref[3].padStart(6, '0')}` } : {}),
  };
}

/** `IT-2026-00007`: the requesting country, the year of submission and its number in that year. */
export function caseNumberOf(country: string, year: number, nth: number): string {
  return `${country}-${year}-${String(nth).padStart(5, '0')}`;
}
