/**
 * What retention erases. SILVER_RETENTION_DAYS after a request ended, its personal data go:
 * the subject, names, documents, asset holders and addresses, identifiers and every free-text
 * description, reason and message. What the pilot's evaluation needs stays: reference, dates,
 * states, counts, categories and values.
 */
import type { LocatedAsset } from './assets';
import type { AssetSought, Offence } from './request';

/** An offence without its facts: its category, seriousness and the kind and date of its legal basis. */
export function purgedOffence(
  o: Offence,
): Pick<Offence, 'category' | 'maxPenaltyYears'> & { legalBasis: Pick<Offence['legalBasis'], 'type' | 'date'> } {
  return { category: o.category, maxPenaltyYears: o.maxPenaltyYears, legalBasis: { type: o.legalBasis.type, date: o.legalBasis.date } };
}

export function purgedAssetSought(a: AssetSought): Pick<AssetSought, 'category' | 'estimatedValue'> {
  return { category: a.category, ...(a.estimatedValue ? { estimatedValue: a.estimatedValue } : {}) };
}

/** A located asset as statistics need it: what kind, in which country, worth how much, under what measure. */
export function purgedLocatedAsset(a: LocatedAsset) {
  return {
    category: a.category,
    location: { country: a.location.country },
    ...(a.estimatedValue ? { estimatedValue: a.estimatedValue } : {}),
    ...(a.measures ? { measures: a.measures } : {}),
    ...(a.source ? { source: { reliability: a.source.reliability, accuracy: a.source.accuracy } } : {}),
  };
}

/** How long a request's personal data outlive its end. */
export function retentionSpan(retentionDays: number, daySeconds: number): number {
  return Math.round(retentionDays * daySeconds * 1000);
}
