/**
 * What a request says: its fields, listed once. The API's schemas, the clarification's changeable
 * fields, the case record and the view all follow this list, so a field cannot be added to one and
 * forgotten in another.
 */
import type { FieldCode } from './codes';
import type { Kind } from './model';
import { choosesResponseDays, defaultResponseDays } from './time';

export interface FieldProblem {
  path: string;
  message: string;
  /** What is wrong, as a word clients act on (the message is for people reading English). */
  code?: FieldCode;
  /** The limit the value broke, where the rule has one (a length, a minimum, a number of days). */
  limit?: number;
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
  /** Days to answer; null when the urgency sets a window in hours. */
  responseDays: number | null;
  language: string;
}

export type RequestChanges = Partial<Pick<RequestContent, RequestField>>;

/** A NOTICE goes to every member country and names none; a DIFFUSION names at least one. */
export function kindProblems(request: { kind: Kind; recipients?: readonly string[] }): FieldProblem[] {
  if (request.kind === 'NOTICE' && request.recipients !== undefined) {
    return [{ path: 'recipients', code: 'KIND_RECIPIENTS', message: 'must be omitted for a NOTICE, which goes to every member country' }];
  }
  if (request.kind === 'DIFFUSION' && request.recipients === undefined) {
    return [{ path: 'recipients', code: 'KIND_RECIPIENTS', message: 'a DIFFUSION must name at least one recipient country' }];
  }
  return [];
}

/** An urgent request answers within the window its urgency sets: it may not choose its own days. */
export function windowProblems(request: { urgency: string; responseDays?: number | null }): FieldProblem[] {
  if (request.responseDays !== undefined && request.responseDays !== null && !choosesResponseDays(request.urgency)) {
    return [
      {
        path: 'responseDays',
        code: 'NO_RESPONSE_DAYS',
        message: `must be omitted for an ${request.urgency} request, whose answer window is fixed`,
      },
    ];
  }
  return [];
}

/**
 * The request a clarification's changes make. A new urgency without new response days takes that
 * urgency's window, as at submission.
 */
export function applyChanges(current: RequestContent, changes: RequestChanges): RequestContent {
  const next: RequestContent = { ...current, ...changes };
  if (changes.urgency !== undefined && changes.responseDays === undefined) next.responseDays = defaultResponseDays(changes.urgency);
  return next;
}

/** Problems with a clarification's changes against the request they change (cross-field rules only). */
export function changeProblems(current: RequestContent, changes: RequestChanges): FieldProblem[] {
  const next = applyChanges(current, changes);
  return [...kindProblems(next), ...windowProblems({ urgency: next.urgency, responseDays: changes.responseDays })];
}
