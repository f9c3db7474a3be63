/**
 * The vocabulary of a Silver Notice request, shared by every layer, the workflow included.
 * Pure data and pure functions only: the workflow bundle imports this module.
 */

/** CCF: the Commission for the Control of INTERPOL's Files, the data-protection supervisor. */
export const ROLES = ['ADMIN', 'REVIEWER', 'NCB', 'CCF'] as const;
export type Role = (typeof ROLES)[number];

export const KINDS = ['NOTICE', 'DIFFUSION'] as const;
export type Kind = (typeof KINDS)[number];

/** The states a request passes through, then the final ones: from a final state nothing moves. */
export const OPEN_STATUSES = ['SUBMITTED', 'UNDER_REVIEW', 'CLARIFICATION_REQUESTED', 'PUBLISHED'] as const;
export const FINAL_STATUSES = ['COMPLETED', 'EXPIRED', 'REJECTED', 'LAPSED', 'WITHDRAWN', 'CANCELLED'] as const;
export const STATUSES = [...OPEN_STATUSES, ...FINAL_STATUSES] as const;
export type Status = (typeof STATUSES)[number];

export function isFinal(status: Status): boolean {
  return (FINAL_STATUSES as readonly Status[]).includes(status);
}

export const PURPOSES = ['LOCATE', 'IDENTIFY', 'OBTAIN_INFORMATION', 'MONITOR'] as const;
export const SEXES = ['M', 'F', 'X', 'U'] as const;
export const DOCUMENT_TYPES = ['PASSPORT', 'NATIONAL_ID', 'DRIVING_LICENCE', 'OTHER'] as const;
export const OFFENCE_CATEGORIES = [
  'FRAUD',
  'CORRUPTION',
  'DRUG_TRAFFICKING',
  'MONEY_LAUNDERING',
  'ORGANIZED_CRIME',
  'ENVIRONMENTAL_CRIME',
  'ARMS_TRAFFICKING',
  'HUMAN_TRAFFICKING',
  'CYBERCRIME',
  'TAX_CRIME',
  'OTHER',
] as const;
export const LEGAL_BASIS_TYPES = ['INVESTIGATION', 'ARREST_WARRANT', 'INDICTMENT', 'CONVICTION', 'RESTRAINT_ORDER'] as const;
export const ASSET_CATEGORIES = [
  'REAL_ESTATE',
  'BANK_ACCOUNT',
  'VEHICLE',
  'VESSEL',
  'AIRCRAFT',
  'COMPANY',
  'CRYPTOASSET',
  'CASH',
  'LUXURY_GOODS',
  'OTHER',
] as const;
export const HANDLING_CODES = ['H0', 'H1', 'H2', 'H3'] as const;
/** URGENT_DIRECT: urgent, and the data are directly accessible to the recipient. */
export const URGENCIES = ['NORMAL', 'URGENT', 'URGENT_DIRECT'] as const;
export type Urgency = (typeof URGENCIES)[number];
export const LANGUAGES = ['en', 'fr', 'es', 'ar'] as const;

export const DECISIONS = ['APPROVE', 'REJECT', 'REQUEST_CLARIFICATION'] as const;
export const RENEWAL_DECISIONS = ['APPROVE', 'REJECT'] as const;
export type RenewalDecision = (typeof RENEWAL_DECISIONS)[number];
export const BLOCKING_OUTCOMES = ['UPHELD', 'DISMISSED'] as const;
export type BlockingOutcome = (typeof BLOCKING_OUTCOMES)[number];

/** What followed a request in a recipient country, as its requester reports it. */
export const OUTCOME_MEASURES = ['FROZEN', 'SEIZED', 'CONFISCATED', 'RETURNED', 'MLA_SENT'] as const;
export type OutcomeMeasure = (typeof OUTCOME_MEASURES)[number];
export type DecisionKind = (typeof DECISIONS)[number];
export const GROUNDS = ['ARTICLE_2', 'ARTICLE_3', 'INSUFFICIENT_DATA', 'NOT_SERIOUS_OFFENCE', 'DUPLICATE', 'OTHER'] as const;
export type Ground = (typeof GROUNDS)[number];

export const OUTCOMES = ['ASSETS_LOCATED', 'NO_ASSETS_FOUND', 'UNABLE_TO_ASSIST'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const MEASURES = ['NONE', 'FROZEN', 'SEIZED'] as const;
export const RELIABILITY = ['A', 'B', 'C', 'X'] as const;

export const RECIPIENT_STATUSES = ['PENDING', 'ACKNOWLEDGED', 'DELAYED', 'RESPONDED', 'OVERDUE'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export const NOTIFICATION_TYPES = [
  // to recipients
  'PUBLISHED',
  'REMINDER',
  'OVERDUE',
  'WITHDRAWN',
  'CANCELLED',
  'BLOCKED',
  'UNBLOCKED',
  'RENEWED',
  'AMENDED',
  'EXPIRED',
  'DELETION_REMINDER',
  // to the requester
  'DECISION',
  'RESPONSE_RECEIVED',
  'DELAY',
  'REASSESSMENT_DUE',
  'LINK_DETECTED',
  'AMENDMENT_DECIDED',
  // to the other side of a thread
  'MESSAGE',
  // to those who may read a file attached, the uploader's country apart
  'ATTACHED',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Screening flags; any flag means two different reviewers must approve. */
export const FLAGS = [
  'ARTICLE_3_RISK',
  'POSSIBLE_DUPLICATE',
  'INCONSISTENT_DATES',
  'INCOMPLETE_IDENTITY',
  'LEGAL_BASIS_IN_FUTURE',
  'SUBJECT_IS_MINOR',
] as const;
export type Flag = (typeof FLAGS)[number];

/** Who did something: stored with every audit event and passed to the workflow with every action. */
export interface Actor {
  role: Role;
  country?: string | null;
  keyId: string;
  /** The person behind the key (actors recorded before people existed have none). */
  userId?: string;
  name?: string;
}

/** Who acted, as four-eyes and claims count people: the user, or the key for an actor without one. */
export const personOf = (actor: Actor): string => actor.userId ?? actor.keyId;
