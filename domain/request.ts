/**
 * What a request says: its fields, listed once. The API's schemas, the clarification's changeable
 * fields, the case record and the view all follow this list, so a field cannot be added to one and
 * forgotten in another.
 */
import type { Kind } from './model';
import { defaultResponseDays } from './time';

export interface FieldProblem {
  path: string;
  message: string;
}

export interface Money {
  amount: number;
  currency: string;
}

export interface Subject {
  familyName: string;
  givenNames?: string;
  dateOfBirth?: string;
  placeOfBirth?: string;
  sex?: string;
  nationalities?: string[];
  aliases?: { familyName: string; givenNames?: string }[];
  identityDocuments?: { type: string; number: string; issuingCountry: string }[];
}

export interface Offence {
  category: string;
  description: string;
  maxPenaltyYears: number;
  legalBasis: { type: string; reference: string; authority: string; date: string };
  assetLink: string;
}

export interface AssetSought {
  category: string;
  description: string;
  identifiers?: Record<string, string>;
  estimatedValue?: Money;
}

/** Every field of a request after its kind; a clarification may change any of them. */
export const REQUEST_FIELDS = [
  'recipients',
  'purposes',
  'subject',
  'offence',
  'assetsSought',
  'handlingCode',
  'urgency',
  'responseDays',
  'language',
] as const;
export type RequestField = (typeof REQUEST_FIELDS)[number];

export interface RequestContent {
  kind: Kind;
  /** The countries a DIFFUSION names; absent for a NOTICE. */
  recipients?: string[];
  purposes: string[];
  subject: Subject;
  offence: Offence;
  assetsSought: AssetSought[];
  handlingCode: string;
  urgency: string;
  responseDays: number;
  language: string;
}

export type RequestChanges = Partial<Pick<RequestContent, RequestField>>;

/** A NOTICE goes to every member country and names none; a DIFFUSION names at least one. */
export function kindProblems(request: { kind: Kind; recipients?: readonly string[] }): FieldProblem[] {
  if (request.kind === 'NOTICE' && request.recipients !== undefined) {
    return [{ path: 'recipients', message: 'must be omitted for a NOTICE, which goes to every member country' }];
  }
  if (request.kind === 'DIFFUSION' && request.recipients === undefined) {
    return [{ path: 'recipients', message: 'a DIFFUSION must name at least one recipient country' }];
  }
  return [];
}

/**
 * The request a clarification's changes make. A new urgency without new response days takes that
 * urgency's default, as at submission.
 */
export function applyChanges(current: RequestContent, changes: RequestChanges): RequestContent {
  const next: RequestContent = { ...current, ...changes };
  if (changes.urgency !== undefined && changes.responseDays === undefined) next.responseDays = defaultResponseDays(changes.urgency);
  return next;
}
