/**
 * What waits for the caller (`GET /v1/work`): for each kind of work its role has, how many and
 * which. Each kind is one function in WORK below, under its role: a new kind of work (an
 * amendment decided, a deletion to confirm) is one more entry there, and nothing else changes.
 *
 * Every kind stays within what its role may read (services/reading.ts): an NCB's kinds are its own
 * requests and those published to it, and a recipient is not sent to a request the CCF has
 * blocked, where it can do nothing. Items name requests by id, case number and reference only;
 * the requests a reviewer or the CCF is sent to are audited as reads, as a list's are.
 */
import { CLARIFICATION_WINDOW_DAYS, days, DELETION_REMINDER_DAYS, reassessmentAt } from '../domain/time';
import type { Role } from '../domain/model';
import { deletionsToConfirm } from '../records/follow-up';
import { keyIdsOf } from '../records/keys';
import { unreadForReviewer } from '../records/messages';
import * as records from '../records/work';
import type { Principal, ServiceDeps } from './context';
import type { ReadingService } from './reading';
import { approvalKeys } from './situation';

/** Within this many scaled hours a recipient's deadline is DUE_SOON. */
export const DUE_SOON_HOURS = 72;
/** Within this many scaled days a key is KEYS_EXPIRING. */
export const KEY_EXPIRY_WARNING_DAYS = 14;

export interface WorkItem {
  kind: string;
  /** The request it is about (every kind but the ADMIN's). */
  noticeId?: string;
  caseNumber?: string;
  reference?: string | null;
  /** When it is due, if it has a date. */
  dueAt?: string;
  /** A key about to expire (KEYS_EXPIRING). */
  keyId?: string;
  label?: string | null;
  /** A country whose webhook deliveries failed (DELIVERIES_FAILING), and how many. */
  country?: string;
  failed?: number;
}

interface Context {
  deps: ServiceDeps;
  principal: Principal;
  now: Date;
}

/** An item as a finder gives it: with the request's requesting country, for the audit of reads. */
type Found = WorkItem & { requestingCountry?: string };
type Finder = (c: Context) => Promise<Found[]>;

const named = (kind: string, n: records.Named, dueAt?: Date | null): Found => ({
  kind,
  requestingCountry: n.requestingCountry,
  noticeId: n.id,
  caseNumber: n.caseNumber,
  reference: n.reference,
  ...(dueAt ? { dueAt: dueAt.toISOString() } : {}),
});

const country = (c: Context) => c.principal.country ?? '';

/** The requests under review, with whether the caller approved each in this round: read once per call, shared by three kinds. */
const reviewQueues = new WeakMap<Context, ReturnType<typeof readReviewQueue>>();
function reviewQueue(c: Context) {
  let queue = reviewQueues.get(c);
  if (!queue) reviewQueues.set(c, (queue = readReviewQueue(c)));
  return queue;
}

async function readReviewQueue(c: Context) {
  const [rows, keys] = await Promise.all([records.underReview(c.deps.prisma), keyIdsOf(c.deps.prisma, c.principal.userId)]);
  return rows.map((n) => ({ ...n, approvedByMe: approvalKeys(n).some((k) => keys.has(k)) }));
}

/** Each role's kinds of work, in the order the start page shows them. */
export const WORK: Record<Role, Record<string, Finder>> = {
  NCB: {
    async CLARIFICATION_ASKED(c) {
      const rows = await records.clarificationsAsked(c.deps.prisma, country(c));
      return rows.map((n) => {
        const asked = n.decisions[0]?.at;
        return named('CLARIFICATION_ASKED', n, asked && new Date(asked.getTime() + days(CLARIFICATION_WINDOW_DAYS, c.deps.daySeconds)));
      });
    },
    async REASSESSMENT_DUE(c) {
      const rows = await records.renewable(c.deps.prisma, country(c));
      return rows
        .filter((n) => c.now.getTime() >= reassessmentAt(n.expiresAt!.getTime(), c.deps.daySeconds))
        .map((n) => named('REASSESSMENT_DUE', n, n.expiresAt));
    },
    /** Answers the requester has not read: its RESPONSE_RECEIVED notifications not marked read. */
    async NEW_ANSWERS(c) {
      return (await records.unreadAbout(c.deps.prisma, country(c), 'RESPONSE_RECEIVED')).map((n) => named('NEW_ANSWERS', n));
    },
    /** Amendments decided that the requester has not read of: its AMENDMENT_DECIDED notifications not marked read. */
    async AMENDMENT_DECIDED(c) {
      return (await records.unreadAbout(c.deps.prisma, country(c), 'AMENDMENT_DECIDED')).map((n) => named('AMENDMENT_DECIDED', n));
    },
    async TO_ACKNOWLEDGE(c) {
      const rows = await records.owedAnswers(c.deps.prisma, country(c), { status: 'PENDING', dueAt: { gt: c.now } });
      return rows.map((r) => named('TO_ACKNOWLEDGE', r.notice, r.dueAt));
    },
    async DUE_SOON(c) {
      const until = new Date(c.now.getTime() + days(DUE_SOON_HOURS / 24, c.deps.daySeconds));
      const rows = await records.owedAnswers(c.deps.prisma, country(c), { dueAt: { gt: c.now, lte: until } });
      return rows.map((r) => named('DUE_SOON', r.notice, r.dueAt));
    },
    async OVERDUE(c) {
      const rows = await records.owedAnswers(c.deps.prisma, country(c), { dueAt: { lte: c.now } });
      return rows.map((r) => named('OVERDUE', r.notice, r.dueAt));
    },
    async UNREAD_MESSAGES(c) {
      return (await records.unreadAbout(c.deps.prisma, country(c), 'MESSAGE')).map((n) => named('UNREAD_MESSAGES', n));
    },
    /** Ended requests (withdrawn, cancelled, expired) the caller's country has not confirmed deleting; due when the reminder goes. */
    async DELETION_TO_CONFIRM(c) {
      const rows = await deletionsToConfirm(c.deps.prisma, country(c));
      return rows.map(({ notice: n }) =>
        named('DELETION_TO_CONFIRM', n, n.closedAt && new Date(n.closedAt.getTime() + days(DELETION_REMINDER_DAYS, c.deps.daySeconds))),
      );
    },
  },
  REVIEWER: {
    /** Not approved by the caller in this round, and not claimed by another reviewer. */
    async TO_DECIDE(c) {
      const rows = await reviewQueue(c);
      return rows
        .filter((n) => !n.approvedByMe && (n.claimedByUserId === null || n.claimedByUserId === c.principal.userId))
        .map((n) => named('TO_DECIDE', n));
    },
    async AWAITING_SECOND_REVIEWER(c) {
      return (await reviewQueue(c)).filter((n) => n.approvedByMe).map((n) => named('AWAITING_SECOND_REVIEWER', n));
    },
    async CLAIMED_BY_ME(c) {
      return (await reviewQueue(c)).filter((n) => n.claimedByUserId === c.principal.userId).map((n) => named('CLAIMED_BY_ME', n));
    },
    async RENEWALS_TO_DECIDE(c) {
      return (await records.renewalsToDecide(c.deps.prisma)).map((n) => named('RENEWALS_TO_DECIDE', n, n.expiresAt));
    },
    async AMENDMENTS_TO_DECIDE(c) {
      return (await records.amendmentsToDecide(c.deps.prisma)).map((n) => named('AMENDMENTS_TO_DECIDE', n));
    },
    async UNREAD_MESSAGES(c) {
      const unread = await unreadForReviewer(c.deps.prisma, c.principal.userId);
      return (
        await records.namedNotices(
          c.deps.prisma,
          unread.map((u) => u.noticeId),
        )
      ).map((n) => named('UNREAD_MESSAGES', n));
    },
  },
  CCF: {
    async BLOCKINGS_TO_DECIDE(c) {
      return (await records.blockingsToDecide(c.deps.prisma)).map((b) => named('BLOCKINGS_TO_DECIDE', b.notice, b.decisionDueAt));
    },
  },
  ADMIN: {
    async KEYS_EXPIRING(c) {
      const until = new Date(c.now.getTime() + days(KEY_EXPIRY_WARNING_DAYS, c.deps.daySeconds));
      const rows = await records.keysExpiring(c.deps.prisma, c.now, until);
      return rows.map((k) => ({ kind: 'KEYS_EXPIRING', keyId: k.id, label: k.label ?? k.user.name, dueAt: k.expiresAt!.toISOString() }));
    },
    async DELIVERIES_FAILING(c) {
      return (await records.failingDeliveries(c.deps.prisma)).map((d) => ({ kind: 'DELIVERIES_FAILING', ...d }));
    },
  },
};

/** The kinds of work `role` has, in their order. */
export const workKinds = (role: Role): string[] => Object.keys(WORK[role]);

export function workService(deps: ServiceDeps, reading: ReadingService) {
  return {
    /** Every kind of the caller's role with its count (0 included), and the items, kind after kind. */
    async of(principal: Principal, now = new Date()) {
      const c: Context = { deps, principal, now };
      const kinds = Object.entries(WORK[principal.role]);
      const found = await Promise.all(kinds.map(([, find]) => find(c)));
      const read = new Map(
        found.flat().flatMap((i) => (i.noticeId ? [[i.noticeId, { id: i.noticeId, requestingCountry: i.requestingCountry }]] : [])),
      );
      // A requester's own requests are left out by auditReads; every other request named is a read.
      await reading.auditReads([...read.values()], principal, 'work');
      const items = found.flat().map(({ requestingCountry: _, ...item }) => item);
      return { counts: Object.fromEntries(kinds.map(([kind], i) => [kind, found[i].length])), items };
    },
  };
}
