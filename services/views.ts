/**
 * What each caller sees of a request. The requester, reviewers and the CCF see everything; a
 * recipient sees the published request without its review, its findings, the other recipients or
 * the reasons given for its renewal or its end; nothing but the fact of a blocking while the CCF
 * has it blocked; and nothing but the fact and time of its end once the CCF has upheld the
 * blocking. After retention has erased its personal data, the subject is gone and the rest keeps
 * only categories, dates and values.
 */
import type { Status } from '../domain/model';
import { URGENT_DIRECT_HOURS } from '../domain/time';
import { requestContent } from '../records/notices';
import type { Findings, LoadedNotice } from '../records/queries';

export type Relation = 'REQUESTER' | 'REVIEWER' | 'CCF' | 'RECIPIENT';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const NO_FINDINGS: Findings = { assetsLocated: 0, byCategory: {}, estimatedValue: {} };

/** Findings are for the requester, reviewers and the CCF, and there are none before publication. */
export const seesFindings = (n: { publishedAt: Date | null }, relation: Relation) => relation !== 'RECIPIENT' && n.publishedAt !== null;

/** The latest renewal; its reasons are not for recipients. */
function renewalView(r: LoadedNotice['renewals'][number] | undefined, relation: Relation) {
  if (!r) return null;
  const seen = {
    status: r.decision === 'APPROVE' ? 'APPROVED' : r.decision === 'REJECT' ? 'REJECTED' : 'REQUESTED',
    requestedAt: r.requestedAt.toISOString(),
    decidedAt: iso(r.decidedAt),
  };
  return relation === 'RECIPIENT' ? seen : { ...seen, reason: r.reason, decisionReason: r.decisionReason };
}

/** Amendments; a recipient sees those approved, without reasons, flags or the other countries added. */
function amendmentViews(list: LoadedNotice['amendments'], relation: Relation) {
  return list
    .filter((a) => relation !== 'RECIPIENT' || a.status === 'APPROVED')
    .map((a) => {
      const changes = a.changes as { add?: Record<string, unknown>; legalBasis?: unknown };
      const seen = { id: a.id, status: a.status, submittedAt: a.submittedAt.toISOString(), decidedAt: iso(a.decidedAt) };
      if (relation === 'RECIPIENT') {
        const { recipients: _others, ...add } = changes.add ?? {};
        return { ...seen, reason: null, changes: { ...changes, add } };
      }
      return { ...seen, reason: a.reason, changes, flags: a.flags, approvals: a.approvedBy.length, decisionReason: a.decisionReason };
    });
}

/**
 * Whether the CCF keeps the request from this reader: a recipient, while a complaint is examined or
 * once one is upheld, knows only the request's bare identity (none of its content, threads or files).
 */
export const withheldFrom = (n: LoadedNotice, relation: Relation): boolean =>
  relation === 'RECIPIENT' && (n.blockings.length > 0 || n.blockingUpheldAt !== undefined);

export function noticeView(n: LoadedNotice, relation: Relation, findings?: Findings) {
  if (relation === 'RECIPIENT' && n.blockingUpheldAt) {
    // An upheld complaint obliges recipients to delete the request: they keep only the fact and time
    // of its end (which the closing step right after the decision records).
    const at = n.closedAt ?? n.blockingUpheldAt;
    return { id: n.id, caseNumber: n.caseNumber, reference: n.reference, status: n.status as Status, closure: { at: at.toISOString() } };
  }
  const blocking = n.blockings[0];
  if (relation === 'RECIPIENT' && blocking) {
    return {
      id: n.id,
      caseNumber: n.caseNumber,
      reference: n.reference,
      status: n.status as Status,
      blocking: { since: blocking.since.toISOString() },
    };
  }
  // The countries a DIFFUSION names become its recipient entries at publication.
  const { recipients: _named, ...content } = requestContent(n);
  const base = {
    id: n.id,
    caseNumber: n.caseNumber,
    reference: n.reference,
    status: n.status as Status,
    requestingCountry: n.requestingCountry,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
    publishedAt: iso(n.publishedAt),
    expiresAt: iso(n.expiresAt),
    purgedAt: iso(n.purgedAt),
    ...content,
    subject: n.purgedAt ? null : content.subject,
    responseHours: content.responseDays === null ? URGENT_DIRECT_HOURS : content.responseDays * 24,
    recipients: n.recipients.map((r) => ({
      country: r.country,
      status: r.status,
      final: r.final,
      dueAt: r.dueAt.toISOString(),
      respondedAt: iso(r.respondedAt),
      acknowledgedAt: iso(r.acknowledgedAt),
      expectedBy: iso(r.expectedBy),
      delayReason: r.delayReason,
      deletionConfirmedAt: iso(r.deletionConfirmedAt),
    })),
    blocking: null as null | { since: string; reason?: string | null; decisionDueAt?: string },
    renewal: renewalView(n.renewals[0], relation),
    amendments: amendmentViews(n.amendments, relation),
  };
  if (relation === 'RECIPIENT') return base;
  return {
    ...base,
    blocking: blocking
      ? { since: blocking.since.toISOString(), reason: blocking.reason, decisionDueAt: blocking.decisionDueAt.toISOString() }
      : null,
    // Before publication, the requester and reviewers see the countries a diffusion is meant for.
    ...(n.publishedAt ? {} : { requestedRecipients: n.requestedRecipients }),
    closure: n.closedAt ? { at: n.closedAt.toISOString(), reason: n.closureReason, grounds: n.closureGrounds } : null,
    review: {
      flags: n.flags,
      decisions: n.decisions.map((d) => ({ decision: d.decision, reason: d.reason, grounds: d.grounds, at: d.at.toISOString() })),
      claimedBy:
        n.claimedByUserId && n.claimedAt
          ? { userId: n.claimedByUserId, name: n.claimedBy?.name ?? null, at: n.claimedAt.toISOString() }
          : null,
    },
    findings: findings ?? NO_FINDINGS,
  };
}
export type NoticeView = ReturnType<typeof noticeView>;
