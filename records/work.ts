/**
 * What waits for someone, read from the record: each function finds the requests (or keys, or
 * webhooks) of one kind of work, most pressing first. services/work.ts says which kinds each role
 * has and what each means.
 */
import type { NotificationType } from '../domain/model';
import type { Db, Prisma } from './db';

/** A request as a work item names it. */
const NAMED = { id: true, caseNumber: true, reference: true, requestingCountry: true } as const;
export interface Named {
  id: string;
  caseNumber: string;
  reference: string | null;
  requestingCountry: string;
}

/** A published request its recipients can act on: not blocked, not being withdrawn or cancelled. */
const ACTIONABLE: Prisma.NoticeWhereInput = { status: 'PUBLISHED', blockings: { none: { decidedAt: null } } };

export function clarificationsAsked(db: Db, country: string) {
  return db.notice.findMany({
    where: { requestingCountry: country, status: 'CLARIFICATION_REQUESTED' },
    select: {
      ...NAMED,
      decisions: { where: { decision: 'REQUEST_CLARIFICATION' }, orderBy: { at: 'desc' }, take: 1, select: { at: true } },
    },
    orderBy: { createdAt: 'asc' },
  });
}

/** Published requests of `country` without a renewal awaiting a decision (the caller sees which are in their last months). */
export function renewable(db: Db, country: string) {
  return db.notice.findMany({
    where: { ...ACTIONABLE, requestingCountry: country, expiresAt: { not: null }, renewals: { none: { decidedAt: null } } },
    select: { ...NAMED, expiresAt: true },
    orderBy: { expiresAt: 'asc' },
  });
}

/** Requests `country` has unread notifications of `type` about (answers, messages). */
export async function unreadAbout(db: Db, country: string, type: NotificationType): Promise<Named[]> {
  const unread = await db.notification.findMany({
    where: { country, type, readAt: null },
    select: { noticeId: true },
    distinct: ['noticeId'],
  });
  if (unread.length === 0) return [];
  return db.notice.findMany({
    where: { id: { in: unread.map((n) => n.noticeId) } },
    select: NAMED,
    orderBy: { createdAt: 'asc' },
  });
}

/** `country`'s entries as a recipient that owe a final answer, with `where` on the entry; soonest deadline first. */
export function owedAnswers(db: Db, country: string, where: Prisma.RecipientWhereInput = {}) {
  return db.recipient.findMany({
    where: { country, final: false, notice: ACTIONABLE, ...where },
    select: { dueAt: true, notice: { select: NAMED } },
    orderBy: { dueAt: 'asc' },
  });
}

/** Requests under review with their decisions (the current round's approvals are worked out from them), most urgent first. */
export function underReview(db: Db) {
  return db.notice.findMany({
    where: { status: { in: ['SUBMITTED', 'UNDER_REVIEW'] } },
    select: {
      ...NAMED,
      status: true,
      claimedByUserId: true,
      decisions: { orderBy: { at: 'asc' }, select: { decision: true, reviewerKeyId: true } },
    },
    orderBy: [{ urgency: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }],
  });
}

export function renewalsToDecide(db: Db) {
  return db.notice.findMany({
    where: { status: 'PUBLISHED', renewals: { some: { decidedAt: null } } },
    select: { ...NAMED, expiresAt: true },
    orderBy: { expiresAt: 'asc' },
  });
}

export function amendmentsToDecide(db: Db) {
  return db.notice.findMany({
    where: { status: 'PUBLISHED', amendments: { some: { status: 'UNDER_REVIEW' } } },
    select: NAMED,
    orderBy: { createdAt: 'asc' },
  });
}

export function blockingsToDecide(db: Db) {
  return db.blocking.findMany({
    where: { decidedAt: null },
    select: { decisionDueAt: true, notice: { select: NAMED } },
    orderBy: { decisionDueAt: 'asc' },
  });
}

/** Keys that still work and stop working before `until`. */
export function keysExpiring(db: Db, now: Date, until: Date) {
  return db.apiKey.findMany({
    where: { revokedAt: null, expiresAt: { gt: now, lte: until }, user: { disabledAt: null } },
    select: { id: true, label: true, expiresAt: true, user: { select: { name: true } } },
    orderBy: { expiresAt: 'asc' },
  });
}

/** Countries whose webhook has deliveries that failed for good, with how many. */
export async function failingDeliveries(db: Db) {
  const rows = await db.webhookDelivery.groupBy({ by: ['country'], where: { status: 'FAILED' }, _count: { _all: true } });
  return rows.map((r) => ({ country: r.country, failed: r._count._all })).sort((a, b) => a.country.localeCompare(b.country));
}

export function namedNotices(db: Db, ids: string[]): Promise<Named[]> {
  return db.notice.findMany({ where: { id: { in: ids } }, select: NAMED });
}
