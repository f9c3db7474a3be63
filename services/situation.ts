/**
 * The catalogue's questions asked of the case record: where a request stands for a given caller,
 * so that the services refuse what the workflow would refuse, and every view lists what its reader
 * may do now. The workflow asks the same catalogue of its own state.
 */
import { type ActionName, type Caller, type Relation, type Situation } from '../domain/actions';
import { actionsOpenTo, refusalOf } from '../domain/permissions';
import type { Status } from '../domain/model';
import { reassessmentAt } from '../domain/time';
import { keyIdsOf } from '../records/keys';
import type { LoadedNotice } from '../records/queries';
import { actionHref, actionMethod } from './action-registry';
import type { Principal, ServiceDeps } from './context';

type Recorded = Pick<
  LoadedNotice,
  'status' | 'expiresAt' | 'recipients' | 'decisions' | 'blockings' | 'renewals' | 'claimedByUserId' | 'amendments' | 'publishedAt'
> & { _count?: { attachments: number } };

/** The keys of the reviewers who approved in the current review round (a clarification starts a new one). */
export function approvalKeys(n: { decisions: readonly { decision: string; reviewerKeyId: string }[] }): string[] {
  const lastRound = n.decisions.map((d) => d.decision).lastIndexOf('REQUEST_CLARIFICATION');
  return n.decisions
    .slice(lastRound + 1)
    .filter((d) => d.decision === 'APPROVE')
    .map((d) => d.reviewerKeyId);
}

const pendingAmendment = (n: Recorded) => n.amendments.find((a) => a.status === 'UNDER_REVIEW');

/** What the catalogue needs to know about the caller beyond its key: the keys it has held (reviewers only). */
export interface CallerRecord {
  principal: Principal;
  heldKeys: ReadonlySet<string>;
}

/**
 * The caller, with the keys it has held when that matters: only a reviewer's, and only when one of
 * these requests has an approval of this round made with a key other than the one calling (a
 * person with several keys). Otherwise no query: lists and views stay one read.
 */
export async function callerRecord(deps: ServiceDeps, principal: Principal, requests: readonly Recorded[]): Promise<CallerRecord> {
  const otherKeys = principal.role === 'REVIEWER' && requests.some((n) => approvalKeys(n).some((k) => k !== principal.keyId));
  return { principal, heldKeys: otherKeys ? await keyIdsOf(deps.prisma, principal.userId) : new Set([principal.keyId]) };
}

export function situationOf(n: Recorded, caller: CallerRecord, daySeconds: number, now = Date.now()): Situation {
  const { principal } = caller;
  const own = principal.role === 'NCB' ? n.recipients.find((r) => r.country === principal.country) : undefined;
  const renewal = n.renewals[0];
  const pending = pendingAmendment(n);
  return {
    status: n.status as Status,
    blocked: n.blockings.length > 0,
    renewalRequested: renewal !== undefined && renewal.decidedAt === null,
    reassessmentDue: n.expiresAt !== null && now >= reassessmentAt(n.expiresAt.getTime(), daySeconds),
    approvedBy: approvalKeys(n).some((k) => caller.heldKeys.has(k)) ? [principal.userId] : [],
    amendment: pending && { approvedBy: pending.approvedBy.filter((u) => u === principal.userId) },
    claimedBy: n.claimedByUserId ?? undefined,
    attachments: n._count?.attachments,
    own: own && { final: own.final, dueAt: own.dueAt.getTime(), deletionConfirmed: own.deletionConfirmedAt !== null },
    published: n.publishedAt !== null,
    now,
  };
}

const callerOf = (principal: Principal, relation: Relation | undefined): Caller => ({
  role: principal.role,
  relation,
  userId: principal.userId,
});

/**
 * Why the caller may not take `action` on the request as recorded (undefined: it may). What depends
 * on the time (a deadline passed, a renewal's window open) is left to the workflow, whose clock
 * runs the request's deadlines: the record cannot say it better, and must not say it otherwise.
 */
export function recordedRefusal(
  action: ActionName,
  n: Recorded,
  relation: Relation,
  caller: CallerRecord,
  daySeconds: number,
  takingOver = false,
) {
  const s = situationOf(n, caller, daySeconds);
  const timeless: Situation = { ...s, reassessmentDue: true, own: s.own && { ...s.own, dueAt: Number.POSITIVE_INFINITY } };
  return refusalOf(action, { ...callerOf(caller.principal, relation), takingOver }, timeless);
}

export interface ActionLink {
  name: ActionName;
  method: 'POST' | 'DELETE';
  href: string;
}

/** What the caller may do to the request now, as its view lists it. */
export function actionLinks(n: Recorded & { id: string }, relation: Relation, caller: CallerRecord, daySeconds: number): ActionLink[] {
  // A claim another reviewer holds may be taken over: CLAIM is listed (it then needs `takeOver`).
  const asCaller = { ...callerOf(caller.principal, relation), takingOver: true };
  return actionsOpenTo(asCaller, situationOf(n, caller, daySeconds)).map((name) => ({
    name,
    method: actionMethod(name),
    href: actionHref(name, n.id, pendingAmendment(n)?.id),
  }));
}
