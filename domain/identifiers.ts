/**
 * Identifiers checked as their registers check them, and found in free text. A recipient searches
 * its registers for exactly what a request says: an IBAN with one digit wrong finds nothing, and
 * the link to the request holding the right one is never made. Where a standard defines a check,
 * an identifier must pass it; the form that passes is the one compared across requests.
 *
 * Pure and bundle-safe: the libraries used here are plain JavaScript (no I/O, no Node built-ins
 * under a bundler's browser conditions).
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { bech32, bech32m } from 'bech32';

// Both ship a CommonJS build, but declare their types as ES modules only, which a CommonJS file
// under `module: node16` may not import: required, typed by their declarations.
/* eslint-disable @typescript-eslint/no-require-imports */
const bs58check = (require('bs58check') as typeof import('bs58check', { with: { 'resolution-mode': 'import' } })).default;
const { getCountrySpecifications, isValidBIC } = require('ibantools') as typeof import('ibantools', {
  with: { 'resolution-mode': 'import' },
});
/* eslint-enable @typescript-eslint/no-require-imports */

/** The types whose standard defines a check; the other linkable types are taken as written. */
export const CHECKED_IDENTIFIERS = ['iban', 'imo', 'lei', 'bic', 'walletAddress', 'vin'] as const;
export type CheckedIdentifier = (typeof CHECKED_IDENTIFIERS)[number];

export type IdentifierCheck =
  | { ok: true; normalised: string }
  | {
      ok: false;
      /** `FORMAT`: not even shaped like one; `CHECKSUM`: shaped like one, but its check fails (a mistyped character). */
      code: 'FORMAT' | 'CHECKSUM';
      message: string;
    };

const ok = (normalised: string): IdentifierCheck => ({ ok: true, normalised });
const format = (message: string): IdentifierCheck => ({ ok: false, code: 'FORMAT', message });
const checksum = (message: string): IdentifierCheck => ({ ok: false, code: 'CHECKSUM', message });

/** Registers print IBANs, LEIs and VINs in groups: spaces, hyphens and dots between characters do not count. */
const compact = (value: string) =>
  value
    .normalize('NFKC')
    .replace(/[\s.-]/g, '')
    .toUpperCase();

/** ISO 7064 MOD 97-10 over digits and letters (A = 10 ... Z = 35), as IBANs and LEIs use it. */
function mod97(s: string): number {
  let rest = 0;
  for (const c of s) {
    const n = c >= 'A' ? c.charCodeAt(0) - 55 : Number(c);
    rest = (n > 9 ? rest * 100 + n : rest * 10 + n) % 97;
  }
  return rest;
}

const IBAN_COUNTRIES = getCountrySpecifications();

/** ISO 13616: a country that has IBANs, that country's length, and mod 97. */
function checkIban(value: string): IdentifierCheck {
  const iban = compact(value);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) {
    return format('must be an IBAN: a country code, two check digits and the account, e.g. DE89 3704 0044 0532 0130 00');
  }
  const length = IBAN_COUNTRIES[iban.slice(0, 2)]?.chars;
  if (!length) return format(`must be an IBAN: ${iban.slice(0, 2)} is not a country that has IBANs`);
  if (iban.length !== length) return format(`must be an IBAN of ${length} characters for ${iban.slice(0, 2)}`);
  // Check digits 00, 01 and 99 are never issued, though 01 and 98 give the same remainder.
  const digits = Number(iban.slice(2, 4));
  if (digits < 2 || digits > 98 || mod97(iban.slice(4) + iban.slice(0, 4)) !== 1) {
    return checksum('fails the IBAN check (ISO 13616, mod 97): a character is wrong or two are swapped');
  }
  return ok(iban);
}

/** IMO ship numbers: 7 digits, the last the sum of the first six weighted 7 to 2, modulo 10; "IMO " may precede them. */
function checkImo(value: string): IdentifierCheck {
  const m = /^(?:IMO\s?)?(\d{7})$/i.exec(value.normalize('NFKC').trim());
  if (!m) return format('must be an IMO number: 7 digits, optionally after "IMO ", e.g. IMO 9074729');
  return imoCheckDigitHolds(m[1]) ? ok(m[1]) : checksum('fails the IMO check digit: a digit is wrong or two are swapped');
}

function imoCheckDigitHolds(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(digits[i]) * (7 - i);
  return sum % 10 === Number(digits[6]);
}

/** ISO 17442: 18 letters or digits, then two check digits (mod 97, as an IBAN's). */
function checkLei(value: string): IdentifierCheck {
  const lei = compact(value);
  if (!/^[A-Z0-9]{18}\d{2}$/.test(lei)) return format('must be an LEI: 18 letters or digits and 2 check digits, e.g. 506700GE1G29325QX363');
  return mod97(lei) === 1 ? ok(lei) : checksum('fails the LEI check (ISO 17442, mod 97): a character is wrong or two are swapped');
}

/** ISO 9362: institution (4 letters), a known country, location (2), optional branch (3). No check digit. */
function checkBic(value: string): IdentifierCheck {
  const bic = value.normalize('NFKC').replace(/\s/g, '').toUpperCase();
  return isValidBIC(bic) ? ok(bic) : format('must be a BIC: 8 or 11 letters and digits with a known country code, e.g. DEUTDEFF');
}

/** ISO 3779: 17 letters and digits, never I, O or Q (they read as 1 and 0). */
function checkVin(value: string): IdentifierCheck {
  const vin = compact(value);
  return /^[A-HJ-NPR-Z0-9]{17}$/.test(vin) ? ok(vin) : format('must be a VIN: 17 letters and digits, none of I, O and Q');
}

const BECH32_ALPHABET = /^[02-9ac-hj-np-z]+$/;
const BASE58_ALPHABET = /^[1-9A-HJ-NP-Za-km-z]+$/;
/** Bitcoin's base58check addresses are 26 to 35 characters; longer ones beginning 1 or 3 are other chains' keys (Solana's, say). */
export const BASE58_BITCOIN_MAX = 35;

/**
 * Wallet addresses where they say which checksum they carry: Bitcoin's (`1`, `3`: base58check;
 * `bc1`: bech32 for witness version 0, bech32m above, BIP-173 and BIP-350) and Ethereum's (`0x` and
 * 40 hex digits: EIP-55 when in mixed case; all one case carries no checksum). Any other chain's
 * address is taken as written.
 */
function checkWallet(value: string): IdentifierCheck {
  const address = value.normalize('NFKC').trim();
  if (/^0x/i.test(address)) return checkEthereum(address.slice(2));
  if (/^bc1/i.test(address)) return checkSegwit(address);
  if (/^[13]/.test(address) && address.length <= BASE58_BITCOIN_MAX) return checkBase58(address);
  return address ? ok(address) : format('must not be empty');
}

function checkEthereum(hex: string): IdentifierCheck {
  if (!/^[0-9a-fA-F]{40}$/.test(hex)) return format('must be 0x and 40 hexadecimal digits');
  const lower = hex.toLowerCase();
  if (hex !== lower && hex !== hex.toUpperCase() && !eip55Holds(hex)) {
    return checksum('fails the EIP-55 checksum (the case of its letters): a character is wrong');
  }
  return ok(`0x${lower}`);
}

/** EIP-55: a letter is upper case exactly where the keccak-256 of the lower-case address has a nibble of 8 or more. */
function eip55Holds(hex: string): boolean {
  const lower = hex.toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(lower));
  for (let i = 0; i < 40; i++) {
    if (lower[i] < 'a') continue;
    const nibble = (hash[i >> 1] >> (i % 2 === 0 ? 4 : 0)) & 0x0f;
    if ((hex[i] !== lower[i]) !== nibble >= 8) return false;
  }
  return true;
}

function checkSegwit(address: string): IdentifierCheck {
  const lower = address.toLowerCase();
  const data = lower.slice(3);
  if ((address !== lower && address !== address.toUpperCase()) || !BECH32_ALPHABET.test(data) || address.length > 90 || data.length < 7) {
    return format('must be a bech32 address: bc1 and the letters and digits of its alphabet, all in one case');
  }
  const classic = bech32.decodeUnsafe(lower, 90);
  const modern = bech32m.decodeUnsafe(lower, 90);
  const decoded = classic ?? modern;
  if (!decoded) return checksum('fails the bech32 checksum: a character is wrong');
  const [version, ...words] = decoded.words;
  const program = bech32.fromWordsUnsafe(words);
  if (version > 16 || !program || program.length < 2 || program.length > 40 || (version === 0 && ![20, 32].includes(program.length))) {
    return format('must be a segwit address: its witness version or program length is not one Bitcoin defines');
  }
  // BIP-350: version 0 carries a bech32 checksum, every later version bech32m; the other kind is a wrong checksum.
  if ((version === 0) !== (classic !== undefined)) return checksum('fails the bech32 checksum: a character is wrong');
  return ok(lower);
}

function checkBase58(address: string): IdentifierCheck {
  if (!BASE58_ALPHABET.test(address) || address.length < 26) {
    return format('must be a Bitcoin address: 26 to 35 base58 characters (no 0, O, I or l)');
  }
  const payload = bs58check.decodeUnsafe(address);
  if (!payload) return checksum('fails the base58check checksum: a character is wrong');
  return payload.length === 21 ? ok(address) : format('must be a Bitcoin address: a version byte and a 20-byte hash');
}

const CHECKS: Record<CheckedIdentifier, (value: string) => IdentifierCheck> = {
  iban: checkIban,
  imo: checkImo,
  lei: checkLei,
  bic: checkBic,
  walletAddress: checkWallet,
  vin: checkVin,
};

/** The check of an identifier's type, or undefined when its standard defines none (an account number, say). */
export function checkIdentifier(type: string, value: string): IdentifierCheck | undefined {
  return Object.hasOwn(CHECKS, type) ? CHECKS[type as CheckedIdentifier](value) : undefined;
}

/** How many characters an IBAN of this country has (undefined: the country has no IBANs). */
export function ibanLength(country: string): number | undefined {
  return IBAN_COUNTRIES[country.toUpperCase()]?.chars ?? undefined;
}
