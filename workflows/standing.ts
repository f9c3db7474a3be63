/**
 * A request's workflow state as the action catalogue sees it: who a caller is to the request, and
 * where the request stands. Worked out from the workflow's own state only (it trusts no caller).
 */
import type { Caller, Situation } from '../domain/actions';
import { relationOf } from '../domain/callers';
import { type Actor, personOf } from '../domain/model';
import { reassessmentAt } from '../domain/time';
import { dueOf } from './schedule';
import type { NoticeState } from './state';

/** The caller as the catalogue sees it. */
export function callerOf(s: NoticeState, actor: Actor): Caller {
  const relation = relationOf(actor, {
    requestingCountry: s.requestingCountry,
    published: s.reference !== undefined,
    addressedTo: (country) => s.recipients.includes(country),
  });
  // Approvals are counted per person (per key for actors recorded before people existed).
  return { role: actor.role, relation, userId: personOf(actor) };
}

/** Where the request stands, for the catalogue; `actor`'s own entry when it is a recipient. */
export function situationOf(s: NoticeState, actor: Actor, o: { closing: boolean; daySeconds: number }): Situation {
  const country = actor.role === 'NCB' ? actor.country : undefined;
  const owes = country && s.recipients.includes(country);
  return {
    status: s.status,
    blocked: s.blockedSince !== undefined,
    renewalRequested: s.renewalRequested ?? false,
    reassessmentDue: s.expiresAt !== undefined && Date.now() >= reassessmentAt(s.expiresAt, o.daySeconds),
    approvedBy: s.approvals,
    amendment: s.amendment && { approvedBy: s.amendment.approvals },
    claimedBy: s.claim?.userId,
    own: owes ? { final: !s.pendingFinal.includes(country), dueAt: dueOf(s, country) ?? Number.MAX_SAFE_INTEGER } : undefined,
    closing: o.closing,
    now: Date.now(),
  };
}
