/**
 * Identifiers written in free text (the facts of a request): every IBAN, IMO number, LEI, BIC,
 * wallet address and VIN that passes its register's check (identifiers.ts), each once, in order.
 */
import { BASE58_BITCOIN_MAX, checkIdentifier, ibanLength, type CheckedIdentifier } from './identifiers';

/** The kind of asset each identifier names, for offering one found in the facts as an asset sought. */
export const ASSET_CATEGORY_OF: Record<CheckedIdentifier, string> = {
  iban: 'BANK_ACCOUNT',
  bic: 'BANK_ACCOUNT',
  lei: 'COMPANY',
  imo: 'VESSEL',
  vin: 'VEHICLE',
  walletAddress: 'CRYPTOASSET',
};

export interface FoundIdentifier {
  type: CheckedIdentifier;
  /** As the text writes it. */
  value: string;
  /** The checked form, the one compared across requests. */
  normalised: string;
}

interface Span extends FoundIdentifier {
  start: number;
  end: number;
}

/** What separates an IBAN's groups in print: a space of some width, or a hyphen. */
const GROUP_SEPARATOR = /[ \u00a0\u2007\u2009\u202f-]/;
const ALNUM = /[A-Za-z0-9]/;

/** IBANs in print or compact: from a country code and check digits, exactly that country's length. */
function* ibansIn(text: string): Generator<Span> {
  for (const m of text.matchAll(/(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}/g)) {
    const start = m.index;
    const length = ibanLength(m[0].slice(0, 2));
    if (!length) continue;
    let chars = '';
    let i = start;
    while (i < text.length && chars.length < length) {
      if (ALNUM.test(text[i])) chars += text[i++];
      else if (chars.length > 0 && GROUP_SEPARATOR.test(text[i]) && ALNUM.test(text[i + 1] ?? '')) i++;
      else break;
    }
    if (chars.length !== length || ALNUM.test(text[i] ?? '')) continue;
    const checked = checkIdentifier('iban', chars)!;
    if (checked.ok) yield { type: 'iban', value: text.slice(start, i), normalised: checked.normalised, start, end: i };
  }
}

/** Matches of a pattern that pass a type's check. */
function* checkedMatches(text: string, type: CheckedIdentifier, pattern: RegExp, accept = (_s: string) => true): Generator<Span> {
  for (const m of text.matchAll(pattern)) {
    if (!accept(m[0])) continue;
    const checked = checkIdentifier(type, m[0])!;
    if (checked.ok) yield { type, value: m[0], normalised: checked.normalised, start: m.index, end: m.index + m[0].length };
  }
}

/**
 * IMO numbers after their label ("IMO 9074729", "IMO No. 9074729", French and Spanish "OMI"): a bare
 * 7-digit number is as likely a phone number or an amount.
 */
function* imosIn(text: string): Generator<Span> {
  for (const m of text.matchAll(/(?<![A-Za-z])(IMO|OMI)(?![A-Za-z])([^0-9\n]{0,20}?)(?<![0-9])([0-9]{7})(?![0-9])/gi)) {
    const [whole, label, gap, digits] = m;
    if (!checkIdentifier('imo', digits)!.ok) continue;
    const labelled = label.toUpperCase() === 'IMO' && (gap === '' || gap === ' ');
    const start = labelled ? m.index : m.index + whole.length - digits.length;
    yield { type: 'imo', value: labelled ? whole : digits, normalised: digits, start, end: m.index + whole.length };
  }
}

/**
 * BICs after their label ("BIC", "SWIFT", "code BIC :", "BIC/SWIFT"), in capitals: unlabelled, an
 * upper-case surname or word of 8 letters often reads as one (MARTINEZ: bank MART, Niger, EZ).
 */
function* bicsIn(text: string): Generator<Span> {
  const label =
    /(?<![A-Za-z])(?:BIC|SWIFT)(?![A-Za-z])(?:[^A-Za-z0-9\n]{0,3}(?:BIC|SWIFT|code|c[oó]digo)(?![A-Za-z]))*[^A-Za-z0-9\n]{0,3}/gi;
  for (const m of text.matchAll(label)) {
    const rest = /^([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)(?![A-Za-z0-9])/.exec(
      text.slice(m.index + m[0].length, m.index + m[0].length + 12),
    );
    if (!rest) continue;
    const checked = checkIdentifier('bic', rest[1])!;
    const start = m.index + m[0].length;
    if (checked.ok) yield { type: 'bic', value: rest[1], normalised: checked.normalised, start, end: start + rest[1].length };
  }
}

const hasLetter = (s: string) => /[A-Z]/i.test(s);
const hasDigit = (s: string) => /\d/.test(s);

/**
 * The valid identifiers in free text, each once (by type and checked form), in the order they
 * appear. Only what passes its check is found, so a reference number or a word shaped like an
 * identifier is left out unless its check digits happen to hold (about 1 in 97 for an LEI). The
 * first reading of a stretch of text wins: an IBAN is not also read as an LEI.
 */
export function findIdentifiers(text: string): FoundIdentifier[] {
  const bounded = (body: string, flags = 'g') => new RegExp(`(?<![A-Za-z0-9])${body}(?![A-Za-z0-9])`, flags);
  const readings: Iterable<Span>[] = [
    ibansIn(text),
    checkedMatches(text, 'walletAddress', bounded('0x[0-9a-fA-F]{40}')),
    checkedMatches(text, 'walletAddress', bounded('bc1[02-9ac-hj-np-z]{6,87}', 'gi')),
    checkedMatches(text, 'walletAddress', bounded(`[13][1-9A-HJ-NP-Za-km-z]{25,${BASE58_BITCOIN_MAX - 1}}`)),
    // Upper case as issued; with a letter, which a 20-digit account or reference number lacks.
    checkedMatches(text, 'lei', bounded('[A-Z0-9]{18}[0-9]{2}'), hasLetter),
    bicsIn(text),
    imosIn(text),
    // Letters and digits both: a 17-digit number or a 17-letter word is not a VIN.
    checkedMatches(text, 'vin', bounded('[A-HJ-NPR-Z0-9]{17}'), (s) => hasLetter(s) && hasDigit(s)),
  ];
  const taken: Span[] = [];
  for (const reading of readings) {
    for (const span of reading) {
      if (!taken.some((t) => span.start < t.end && t.start < span.end)) taken.push(span);
    }
  }
  const seen = new Set<string>();
  return taken
    .sort((a, b) => a.start - b.start)
    .filter((s) => {
      const key = `${s.type}|${s.normalised}`;
      return !seen.has(key) && (seen.add(key), true);
    })
    .map(({ type, value, normalised }) => ({ type, value, normalised }));
}
