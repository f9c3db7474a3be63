/**
 * Telling one asset from another. A recipient may report the same villa in an interim answer and
 * again in its final one: it is one asset, counted once, with the latest report's value.
 */
import { checkIdentifier } from './identifiers';

export interface ReportedAsset {
  category: string;
  description: string;
  identifiers?: Record<string, string>;
  location: { country: string; address?: string };
}

/** An asset as a recipient reports it. */
export interface LocatedAsset extends ReportedAsset {
  estimatedValue?: { amount: number; currency: string };
  holder?: string;
  measures?: string;
  source?: { register: string; reliability: string; accuracy: number };
}

/** An identifier as registers write it in many ways: case, spaces and punctuation do not count. */
export function normalizeIdentifier(value: string): string {
  return value
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * What makes a located asset the same asset in two answers of one recipient: its identifiers when
 * it has any, else its category, description and location.
 */
export function assetIdentity(asset: ReportedAsset): string {
  const ids = Object.entries(asset.identifiers ?? {})
    .map(([type, value]) => [type.toLowerCase(), comparedForm(BY_LOWER_CASE.get(type.toLowerCase()), value)] as const)
    .filter(([, value]) => value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (ids.length) return `${asset.category}|${ids.map(([type, value]) => `${type}=${value}`).join('|')}`;
  const text = (s = '') => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return `${asset.category}|${text(asset.description)}|${asset.location.country}|${text(asset.location.address)}`;
}

/**
 * The types of identifier an asset may carry, and no other: each tells one asset from every other
 * across requests, and where two requests share one, they are linked.
 */
export const LINKABLE_IDENTIFIERS = [
  'iban',
  'accountNumber',
  'vin',
  'imo',
  'registration',
  'walletAddress',
  'landRegistryId',
  'companyNumber',
  'lei',
  'bic',
] as const;
export type LinkableIdentifier = (typeof LINKABLE_IDENTIFIERS)[number];

// Requests recorded before only these names were accepted may spell them in another case.
const BY_LOWER_CASE = new Map<string, LinkableIdentifier>(LINKABLE_IDENTIFIERS.map((t) => [t.toLowerCase(), t]));

/**
 * The form in which an identifier is compared: the checked form where its standard defines a check
 * (an IMO number without its "IMO " prefix, an Ethereum address in one case), then without case,
 * spaces or punctuation. An identifier that fails its check (recorded before checks existed) is
 * compared as it was then.
 */
function comparedForm(type: LinkableIdentifier | undefined, raw: string): string {
  const checked = type && checkIdentifier(type, raw);
  return normalizeIdentifier(checked && checked.ok ? checked.normalised : raw);
}

/** The linkable identifiers of some assets, normalised, each once: an IBAN written with spaces or without is one. */
export function linkableIdentifiers(
  assets: readonly { identifiers?: Record<string, string> }[],
): { type: LinkableIdentifier; value: string }[] {
  const found = new Map<string, { type: LinkableIdentifier; value: string }>();
  const add = (type: LinkableIdentifier, value: string) => found.set(`${type}|${value}`, { type, value });
  for (const asset of assets) {
    for (const [key, raw] of Object.entries(asset.identifiers ?? {})) {
      const type = BY_LOWER_CASE.get(key.toLowerCase());
      const value = type ? comparedForm(type, raw) : '';
      if (!type || !value) continue;
      add(type, value);
      // Before IMO numbers were checked, "IMO 9074729" was compared as IMO9074729: requests that
      // kept that form still meet the bare number through it.
      if (type === 'imo' && /^\d{7}$/.test(value)) add(type, `IMO${value}`);
    }
  }
  return [...found.values()];
}
