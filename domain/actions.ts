/**
 * The action catalogue: for every action on a request, who may take it (role and relation to the
 * request), when (states and situation), and the codes it is refused with. The services ask it
 * before sending an action, the workflow's validators ask it again (the workflow trusts no
 * caller), and every view asks it for the `actions` its reader may take now, all through
 * domain/permissions.ts. A rule about who or when lives here and nowhere else.
 */
import type { RefusalCode } from './codes';
import { MAX_ATTACHMENTS } from './attachments';
import { STATUSES, type Role, type Status } from './model';

export const ACTION_NAMES = [
  'DECIDE',
  'CLARIFY',
  'WITHDRAW',
  'CANCEL',
  'RESPOND',
  'ACKNOWLEDGE',
  'DELAY',
  'BLOCK',
  'DECIDE_BLOCKING',
  'REQUEST_RENEWAL',
  'DECIDE_RENEWAL',
  'CLAIM',
  'RELEASE',
  'AMEND',
  'DECIDE_AMENDMENT',
  'ATTACH',
  'CONFIRM_DELETION',
  'RECORD_OUTCOME',
  'MESSAGE',
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** How a caller stands to a request. */
export type Relation = 'REQUESTER' | 'REVIEWER' | 'CCF' | 'RECIPIENT';

/** What the request is doing now, as far as the rules need to know. Times are epoch ms. */
export interface Situation {
  status: Status;
  /** The CCF has it blocked (a blocking awaits its decision). */
  blocked: boolean;
  /** A renewal awaits a reviewer's decision. */
  renewalRequested: boolean;
  /** Its last six months of validity have begun. */
  reassessmentDue: boolean;
  /** The users who approved in the current review round. */
  approvedBy: readonly string[];
  /** An amendment awaits reviewers' decisions, with the users who approved it so far. */
  amendment?: { approvedBy: readonly string[] };
  /** The reviewer who holds the review's claim (a user id), if one does. */
  claimedBy?: string;
  /** How many files are attached to it (known to the record only: the workflow keeps none). */
  attachments?: number;
  /** The caller's own entry, when it is a recipient; `deletionConfirmed`: it confirmed deleting the ended request. */
  own?: { final: boolean; dueAt: number; deletionConfirmed?: boolean };
  /** It has been published (it may have ended since). */
  published?: boolean;
  /** A closing action is under way (only the workflow knows). */
  closing?: boolean;
  now: number;
}

export interface Caller {
  role: Role;
  /** Undefined: the caller has no relation to the request (e.g. an NCB it does not concern). */
  relation?: Relation;
  userId: string;
  /** The caller means to take a claim over from whoever holds it (a claim's `takeOver`). */
  takingOver?: boolean;
}

export interface Refused {
  /** FORBIDDEN: not this caller's to do (403); CONFLICT: not now (409). */
  kind: 'FORBIDDEN' | 'CONFLICT';
  code: RefusalCode;
  message: string;
}

interface ActionRule {
  /** Who may take it. */
  relations: readonly Relation[];
  /** The states it fits. */
  states: readonly Status[];
  /** Why it does not fit the situation, beyond the state (undefined: it fits). */
  unless?: (s: Situation, caller: Caller) => Refused | undefined;
  /** What the caller is told when the relation is missing. */
  notYours: { code: RefusalCode; message: string };
}

/** A refusal because of the request's state or situation (409). */
export const conflict = (code: RefusalCode, message: string): Refused => ({ kind: 'CONFLICT', code, message });
const notBlocked = (s: Situation) =>
  s.blocked ? conflict('BLOCKED', 'The request is blocked by the CCF while it examines a complaint') : undefined;
const first =
  (...checks: ((s: Situation, c: Caller) => Refused | undefined)[]) =>
  (s: Situation, c: Caller) => {
    for (const check of checks) {
      const refused = check(s, c);
      if (refused) return refused;
    }
    return undefined;
  };
const notClosing = (s: Situation) => (s.closing ? conflict('CLOSING', 'The request is being closed') : undefined);
/** A reviewer's claim keeps others from the review until it is released, decided or taken over. */
const notClaimedByOther = (s: Situation, c: Caller) =>
  s.claimedBy !== undefined && s.claimedBy !== c.userId && !c.takingOver
    ? conflict('CLAIMED_BY_OTHER', 'Another reviewer has claimed this request; take it over, with a reason, to act on it')
    : undefined;
const REVIEW_STATES = ['SUBMITTED', 'UNDER_REVIEW'] as const satisfies readonly Status[];
const stillOwing = (s: Situation) =>
  s.own?.final ? conflict('ALREADY_ANSWERED', 'This recipient has already sent its final answer') : undefined;

/** The ends after which each recipient owes a confirmation that it deleted the request. */
export const DELETION_STATES = ['WITHDRAWN', 'CANCELLED', 'EXPIRED'] as const satisfies readonly Status[];
const PUBLISHED_OR_ENDED = ['PUBLISHED', 'COMPLETED', 'WITHDRAWN', 'CANCELLED', 'EXPIRED'] as const satisfies readonly Status[];

const REQUESTER_ONLY = { code: 'NOT_REQUESTER', message: 'Only the requesting NCB can do this' } as const;
const RECIPIENT_ONLY = { code: 'NOT_RECIPIENT', message: 'Only a recipient of this request can do this' } as const;
const REVIEWERS_ONLY = { code: 'FORBIDDEN', message: 'This is for reviewers' } as const;
const CCF_ONLY = { code: 'FORBIDDEN', message: 'This is for the CCF' } as const;

export const CATALOGUE: Record<ActionName, ActionRule> = {
  DECIDE: {
    relations: ['REVIEWER'],
    // While screening runs, a decision is taken and waits for the flags.
    states: REVIEW_STATES,
    notYours: REVIEWERS_ONLY,
    unless: first(
      (s, c) => notClaimedByOther(s, { ...c, takingOver: false }),
      (s, c) =>
        s.approvedBy.includes(c.userId)
          ? conflict('ALREADY_APPROVED', 'This reviewer has already approved; a second approval must come from a different reviewer')
          : undefined,
    ),
  },
  CLARIFY: { relations: ['REQUESTER'], states: ['CLARIFICATION_REQUESTED'], notYours: REQUESTER_ONLY },
  WITHDRAW: {
    relations: ['REQUESTER'],
    states: ['SUBMITTED', 'UNDER_REVIEW', 'CLARIFICATION_REQUESTED', 'PUBLISHED'],
    notYours: REQUESTER_ONLY,
    unless: notClosing,
  },
  CANCEL: { relations: ['REVIEWER'], states: ['PUBLISHED'], notYours: REVIEWERS_ONLY, unless: notClosing },
  RESPOND: {
    relations: ['RECIPIENT'],
    states: ['PUBLISHED'],
    notYours: RECIPIENT_ONLY,
    // After its final answer a recipient may still add one while the request is open (assets found late).
    unless: first(notBlocked, notClosing),
  },
  ACKNOWLEDGE: {
    relations: ['RECIPIENT'],
    states: ['PUBLISHED'],
    notYours: RECIPIENT_ONLY,
    unless: first(notBlocked, notClosing, stillOwing),
  },
  DELAY: {
    relations: ['RECIPIENT'],
    states: ['PUBLISHED'],
    notYours: RECIPIENT_ONLY,
    unless: first(notBlocked, notClosing, stillOwing, (s) =>
      s.own && s.now >= s.own.dueAt
        ? conflict('DEADLINE_PASSED', 'The deadline has passed: it can no longer be put back, and the answer will be late')
        : undefined,
    ),
  },
  BLOCK: {
    relations: ['CCF'],
    states: ['PUBLISHED'],
    notYours: CCF_ONLY,
    unless: first(notClosing, (s) => (s.blocked ? conflict('ALREADY_BLOCKED', 'The request is already blocked') : undefined)),
  },
  DECIDE_BLOCKING: {
    relations: ['CCF'],
    // A blocking outlives a withdrawal or a cancellation: the CCF still decides it.
    states: ['PUBLISHED', 'WITHDRAWN', 'CANCELLED'],
    notYours: CCF_ONLY,
    unless: (s) => (s.blocked ? undefined : conflict('NOT_BLOCKED', 'The request is not blocked: there is no blocking to decide')),
  },
  REQUEST_RENEWAL: {
    relations: ['REQUESTER'],
    states: ['PUBLISHED'],
    notYours: REQUESTER_ONLY,
    unless: first(notBlocked, (s) => {
      if (s.renewalRequested) return conflict('RENEWAL_PENDING', 'A renewal has already been requested and awaits a decision');
      if (!s.reassessmentDue)
        return conflict('RENEWAL_NOT_DUE', 'A renewal can be requested only in the last six months before the request expires');
      return undefined;
    }),
  },
  DECIDE_RENEWAL: {
    relations: ['REVIEWER'],
    states: ['PUBLISHED'],
    notYours: REVIEWERS_ONLY,
    unless: (s) => (s.renewalRequested ? undefined : conflict('NO_RENEWAL_REQUESTED', 'No renewal has been requested')),
  },
  CLAIM: {
    relations: ['REVIEWER'],
    states: REVIEW_STATES,
    notYours: REVIEWERS_ONLY,
    unless: first(
      (s, c) => (s.claimedBy === c.userId ? conflict('ALREADY_CLAIMED', 'This reviewer holds the claim already') : undefined),
      notClaimedByOther,
      // A reviewer who approved may not decide again: a claim would only keep the second reviewer out.
      (s, c) => (s.approvedBy.includes(c.userId) ? conflict('ALREADY_APPROVED', 'This reviewer has already approved') : undefined),
    ),
  },
  RELEASE: {
    relations: ['REVIEWER'],
    states: REVIEW_STATES,
    notYours: REVIEWERS_ONLY,
    unless: (s, c) => {
      if (s.claimedBy === undefined) return conflict('NOT_CLAIMED', 'Nobody holds a claim on this request');
      return s.claimedBy === c.userId ? undefined : conflict('CLAIMED_BY_OTHER', 'Only the reviewer who holds the claim can release it');
    },
  },
  AMEND: {
    relations: ['REQUESTER'],
    states: ['PUBLISHED'],
    notYours: REQUESTER_ONLY,
    unless: first(notBlocked, notClosing, (s) =>
      s.amendment ? conflict('AMENDMENT_PENDING', 'An amendment is under review already: it must be decided first') : undefined,
    ),
  },
  DECIDE_AMENDMENT: {
    relations: ['REVIEWER'],
    states: ['PUBLISHED'],
    notYours: REVIEWERS_ONLY,
    unless: first(notBlocked, notClosing, (s, c) => {
      if (!s.amendment) return conflict('NO_AMENDMENT_PENDING', 'No amendment awaits a decision');
      if (s.amendment.approvedBy.includes(c.userId))
        return conflict(
          'ALREADY_APPROVED',
          'This reviewer has already approved the amendment; a second approval must come from a different reviewer',
        );
      return undefined;
    }),
  },
  ATTACH: {
    // The requester may attach from submission on (reviewers need the court order); a recipient once
    // the request reaches it. Nothing is added to a request that has ended.
    relations: ['REQUESTER', 'RECIPIENT'],
    states: ['SUBMITTED', 'UNDER_REVIEW', 'CLARIFICATION_REQUESTED', 'PUBLISHED'],
    notYours: { code: 'FORBIDDEN', message: 'Only the requesting NCB and the recipients can attach files' },
    unless: first(notBlocked, (s) =>
      (s.attachments ?? 0) >= MAX_ATTACHMENTS
        ? conflict('TOO_MANY_ATTACHMENTS', `A request has at most ${MAX_ATTACHMENTS} attachments`)
        : undefined,
    ),
  },
  MESSAGE: {
    // Which thread a message goes to depends on its body (its `country`): the write checks it.
    relations: ['REQUESTER', 'RECIPIENT', 'REVIEWER'],
    // Every state, final ones too: after the end people still ask about the deletion of the data,
    // or why a request was rejected.
    states: STATUSES,
    notYours: { code: 'FORBIDDEN', message: 'Only the requesting NCB, its recipients and the reviewers write in its threads' },
    // A recipient of a blocked request is shown only the blocking: it waits for the CCF like the clocks.
    unless: (s, c) => (c.relation === 'RECIPIENT' ? notBlocked(s) : undefined),
  },
  CONFIRM_DELETION: {
    relations: ['RECIPIENT'],
    states: DELETION_STATES,
    notYours: RECIPIENT_ONLY,
    unless: (s) =>
      s.own?.deletionConfirmed ? conflict('ALREADY_CONFIRMED', 'This recipient has confirmed the deletion already') : undefined,
  },
  RECORD_OUTCOME: {
    relations: ['REQUESTER'],
    // A request withdrawn before publication ends WITHDRAWN too: it has nothing to follow up.
    states: PUBLISHED_OR_ENDED,
    notYours: REQUESTER_ONLY,
    unless: (s) => (s.published === false ? conflict('WRONG_STATE', 'Outcomes follow a published request only') : undefined),
  },
};
