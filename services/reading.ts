/**
 * Need to know: who may see a request, and what each one sees of it. The requesting NCB and
 * reviewers see everything; a recipient sees a published request (and its later final state)
 * without the review, the findings or other recipients; anyone else gets the same answer as for an
 * unknown id. Every read by someone other than the requester is written to the request's audit trail.
 */
import type { Status } from '../domain/model';
import { recordAudit, auditTrail } from '../records/audit';
import { requestContent } from '../records/notices';
import { findingsFor, isRecipient, listNotices, loadNotice, responsesTo, type Findings, type LoadedNotice } from '../records/queries';
import type { Principal, ServiceDeps } from './context';
import { cursorCodec } from './cursors';
import { forbidden, hidden, invalid, notFound } from './refusals';

export type Relation = 'REQUESTER' | 'REVIEWER' | 'RECIPIENT';

const NOT_VISIBLE = 'No request with this id is visible to this key';

/** How the caller relates to a request; undefined: it may not know the request exists. */
function relationTo(n: { requestingCountry: string; publishedAt: Date | null }, p: Principal, recipient: boolean): Relation | undefined {
  if (p.role === 'REVIEWER') return 'REVIEWER';
  if (p.role !== 'NCB') return undefined;
  if (n.requestingCountry === p.country) return 'REQUESTER';
  if (n.publishedAt && recipient) return 'RECIPIENT';
  return undefined;
}

/** Findings are for the requester and reviewers, and there are none before publication. */
const seesFindings = (n: { publishedAt: Date | null }, relation: Relation) => relation !== 'RECIPIENT' && n.publishedAt !== null;

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const NO_FINDINGS: Findings = { assetsLocated: 0, byCategory: {}, estimatedValue: {} };

/** What `relation` sees of a request (a recipient's `recipients` hold its own entry only). */
function noticeView(n: LoadedNotice, relation: Relation, findings?: Findings) {
  // The countries a DIFFUSION names become its recipient entries at publication.
  const { recipients: _named, ...content } = requestContent(n);
  const base = {
    id: n.id,
    reference: n.reference,
    status: n.status as Status,
    requestingCountry: n.requestingCountry,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
    publishedAt: iso(n.publishedAt),
    expiresAt: iso(n.expiresAt),
    ...content,
    recipients: n.recipients.map((r) => ({
      country: r.country,
      status: r.status,
      dueAt: r.dueAt.toISOString(),
      respondedAt: iso(r.respondedAt),
    })),
  };
  if (relation === 'RECIPIENT') return base;
  return {
    ...base,
    // Before publication, the requester and reviewers see the countries a diffusion is meant for.
    ...(n.publishedAt ? {} : { requestedRecipients: n.requestedRecipients }),
    closure: n.closedAt ? { at: n.closedAt.toISOString(), reason: n.closureReason, grounds: n.closureGrounds } : null,
    review: {
      flags: n.flags,
      decisions: n.decisions.map((d) => ({ decision: d.decision, reason: d.reason, grounds: d.grounds, at: d.at.toISOString() })),
    },
    findings: findings ?? NO_FINDINGS,
  };
}
export type NoticeView = ReturnType<typeof noticeView>;

export function readingService(deps: ServiceDeps) {
  const { prisma } = deps;

  /** Every read of a request by someone other than its requester is in its audit trail. */
  async function auditReads(notices: { id: string; requestingCountry: string }[], principal: Principal, what: string) {
    const at = new Date();
    const read = notices.filter((n) => principal.role !== 'NCB' || n.requestingCountry !== principal.country);
    await recordAudit(prisma, ...read.map((n) => ({ noticeId: n.id, at, type: 'READ', actor: principal, data: { what } })));
  }

  /** The request if the caller may know it exists (404 otherwise), with how the caller relates to it. */
  async function visible(id: string, principal: Principal): Promise<{ notice: LoadedNotice; relation: Relation }> {
    const own = principal.role === 'NCB' ? (principal.country ?? '') : undefined;
    let notice = await loadNotice(prisma, id, own !== undefined ? { recipientCountry: own } : {});
    const relation = notice ? relationTo(notice, principal, notice.recipients.length > 0) : undefined;
    if (!notice) throw notFound(NOT_VISIBLE);
    if (!relation) throw hidden(NOT_VISIBLE);
    // The requester sees every recipient, not only the (absent) entry of its own country.
    if (relation === 'REQUESTER' && notice.publishedAt) notice = (await loadNotice(prisma, id))!;
    return { notice, relation };
  }

  /** How the caller relates to a request, without loading it whole; 404 if it may not know it. */
  async function relationOf(id: string, principal: Principal, notice: { requestingCountry: string; publishedAt: Date | null } | null) {
    const recipient = principal.role === 'NCB' && notice?.publishedAt ? await isRecipient(prisma, id, principal.country ?? '') : false;
    if (!notice) throw notFound(NOT_VISIBLE);
    const relation = relationTo(notice, principal, recipient);
    if (!relation) throw hidden(NOT_VISIBLE);
    return relation;
  }

  /** The caller's view of a request; `readAs` names what was read when that read is to be audited. */
  async function view(id: string, principal: Principal, readAs?: string): Promise<NoticeView> {
    const { notice, relation } = await visible(id, principal);
    if (readAs) await auditReads([notice], principal, readAs);
    const findings = seesFindings(notice, relation) ? (await findingsFor(prisma, [id])).get(id) : undefined;
    return noticeView(notice, relation, findings);
  }

  const cursors = cursorCodec(prisma);
  const encodeCursor = (n: { createdAt: Date; id: string }) => cursors.encode({ at: n.createdAt, key: n.id });
  async function decodeCursor(cursor: string): Promise<{ createdAt: Date; id: string }> {
    const p = await cursors.decode(cursor);
    return { createdAt: p.at, id: p.key };
  }

  return {
    visible,
    relationOf,
    view,

    async list(
      principal: Principal,
      q: { status?: Status; kind?: 'NOTICE' | 'DIFFUSION'; as?: 'REQUESTER' | 'RECIPIENT'; limit: number; cursor?: string },
    ) {
      if (principal.role !== 'NCB' && q.as) throw invalid('The query is invalid', [{ path: 'query.as', message: 'is only for NCB keys' }]);
      const country = principal.country ?? '';
      const rows = await listNotices(prisma, {
        status: q.status,
        kind: q.kind,
        ...(principal.role === 'NCB'
          ? q.as === 'REQUESTER'
            ? { requestingCountry: country }
            : q.as === 'RECIPIENT'
              ? { recipientCountry: country }
              : { involving: country }
          : {}),
        after: q.cursor ? await decodeCursor(q.cursor) : undefined,
        limit: q.limit,
      });
      const page = rows.slice(0, q.limit);
      const relations = page.map((n) =>
        relationTo(
          n,
          principal,
          n.recipients.some((r) => r.country === principal.country),
        )!,
      );
      const findings = await findingsFor(
        prisma,
        page.filter((n, i) => seesFindings(n, relations[i])).map((n) => n.id),
      );
      // A listed request is read as much as a fetched one: audited the same way.
      await auditReads(page, principal, 'list');
      const items = page.map((n, i) => {
        const own = relations[i] === 'RECIPIENT' ? { ...n, recipients: n.recipients.filter((r) => r.country === principal.country) } : n;
        return noticeView(own, relations[i], findings.get(n.id));
      });
      return { items, nextCursor: rows.length > q.limit ? await encodeCursor(page[page.length - 1]) : null };
    },

    async responses(id: string, principal: Principal) {
      const { notice, relation } = await visible(id, principal);
      const rows = await responsesTo(prisma, id, relation === 'RECIPIENT' ? principal.country! : undefined);
      await auditReads([notice], principal, 'responses');
      return {
        items: rows.map((r) => ({
          id: r.id,
          country: r.country,
          outcome: r.outcome,
          final: r.final,
          reason: r.reason,
          assets: r.assets,
          handlingCode: r.handlingCode,
          createdAt: r.createdAt.toISOString(),
          late: r.late,
        })),
      };
    },

    async events(id: string, principal: Principal) {
      const { notice, relation } = await visible(id, principal);
      if (relation === 'RECIPIENT') throw forbidden('The audit trail is for the requesting NCB and reviewers');
      await auditReads([notice], principal, 'events');
      const rows = await auditTrail(prisma, id);
      return {
        items: rows.map((e) => ({
          at: e.at.toISOString(),
          type: e.type,
          actor: {
            role: e.actorRole,
            ...(e.actorCountry ? { country: e.actorCountry } : {}),
            ...(e.actorUserId ? { userId: e.actorUserId, name: e.actorName } : {}),
            ...(e.actorKeyId ? { keyId: e.actorKeyId } : {}),
          },
          data: e.data,
          hash: e.hash,
        })),
      };
    },
  };
}
export type ReadingService = ReturnType<typeof readingService>;
