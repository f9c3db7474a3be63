/**
 * Need to know: who may see a request (views.ts says what each one sees of it). The requesting NCB,
 * reviewers and the CCF see it; a recipient sees a published request (and its later final state);
 * anyone else gets the same answer as for an unknown id. Every read by someone other than the
 * requester is written to the request's audit trail.
 */
import { relationOf } from '../domain/callers';
import type { Status } from '../domain/model';
import { recordAudit, auditTrail } from '../records/audit';
import type { NoticeRow } from '../records/notices';
import {
  findingsFor,
  listNotices,
  listNoticesSorted,
  loadNotice,
  noFindings,
  noticeHeader,
  responsesTo,
  type Findings,
  type ListFilter,
  type LoadedNotice,
} from '../records/queries';
import { cursorCodec, type CursorCodec } from './cursors';
import type { Principal, ServiceDeps } from './context';
import { conflict, forbidden, hidden, invalid, notFound } from './refusals';
import { actionLinks, callerRecord, type ActionLink } from './situation';
import { noticeView, seesFindings, type Relation } from './views';

export type { Relation } from './views';
/** A request as its reader sees it, with what that reader may do to it now. */
export type NoticeView = ReturnType<typeof noticeView> & { actions: ActionLink[] };

const NOT_VISIBLE = 'No request with this id is visible to this key';

/** How the caller relates to a request; undefined: it may not know the request exists. */
function relationTo(n: { requestingCountry: string; publishedAt: Date | null }, p: Principal, recipient: boolean): Relation | undefined {
  return relationOf(p, { requestingCountry: n.requestingCountry, published: n.publishedAt !== null, addressedTo: () => recipient });
}

export function readingService(deps: ServiceDeps, cursors: CursorCodec) {
  const { prisma } = deps;
  const decodeCursor = async (c: string) => {
    const p = await cursors.decode(c);
    return { createdAt: p.at, id: p.key };
  };
  // Each order signs its cursors apart: a position in one order means nothing in another.
  const byUrgency = cursorCodec(prisma, 'notices:urgency');
  const byDueAt = cursorCodec(prisma, 'notices:dueAt');

  /** A page in another order than by submission, with the cursor that follows it. */
  async function sortedPage(sort: 'urgency' | 'dueAt', filter: Omit<ListFilter, 'after' | 'oldestFirst'>, cursor?: string) {
    if (sort === 'urgency') {
      const p = cursor ? await byUrgency.decode(cursor) : undefined;
      const [urgency, id] = p ? p.key.split('|') : [];
      const rows = await listNoticesSorted(prisma, { ...filter, sort, after: p && { urgency, createdAt: p.at, id } });
      const last = rows[filter.limit - 1];
      const next = rows.length > filter.limit ? await byUrgency.encode({ at: last.createdAt, key: `${last.urgency}|${last.id}` }) : null;
      return { rows, next };
    }
    const p = cursor ? await byDueAt.decode(cursor) : undefined;
    const rows = await listNoticesSorted(prisma, { ...filter, sort, after: p && { dueAt: p.at, id: p.key } });
    const last = rows[filter.limit - 1];
    return { rows, next: rows.length > filter.limit ? await byDueAt.encode({ at: last.dueAt, key: last.id }) : null };
  }

  /**
   * The findings of these requests. Assets are located only by answers, so a request no recipient
   * has answered has none, and is not looked up.
   */
  async function findingsOf(notices: { id: string; recipients: { respondedAt: Date | null }[] }[]): Promise<Map<string, Findings>> {
    const answered = notices.filter((n) => n.recipients.some((r) => r.respondedAt !== null));
    const found = await findingsFor(
      prisma,
      answered.map((n) => n.id),
    );
    return new Map(notices.map((n) => [n.id, found.get(n.id) ?? noFindings()]));
  }

  /**
   * Every read of a request by someone other than its requester is in its audit trail (a request
   * whose requester is not given is audited whoever reads it).
   */
  async function auditReads(notices: { id: string; requestingCountry?: string }[], principal: Principal, what: string) {
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
  async function relationOf(id: string, principal: Principal) {
    const notice = await noticeHeader(prisma, id, principal.role === 'NCB' ? principal.country : null);
    if (!notice) throw notFound(NOT_VISIBLE);
    const relation = relationTo(notice, principal, notice.isRecipient);
    if (!relation) throw hidden(NOT_VISIBLE);
    return relation;
  }

  /** The caller's view of a request and how the caller relates to it; `readAs` names what was read when that read is to be audited. */
  async function viewAs(id: string, principal: Principal, readAs?: string): Promise<{ view: NoticeView; relation: Relation }> {
    const { notice, relation } = await visible(id, principal);
    if (readAs) await auditReads([notice], principal, readAs);
    const findings = seesFindings(notice, relation) ? (await findingsOf([notice])).get(id) : undefined;
    const actions = actionLinks(notice, relation, await callerRecord(deps, principal, [notice]), deps.daySeconds);
    return { view: { ...noticeView(notice, relation, findings), actions }, relation };
  }

  return {
    visible,
    relationOf,
    auditReads,
    viewAs,
    /** The caller's view of a request; `readAs` names what was read when that read is to be audited. */
    view: async (id: string, principal: Principal, readAs?: string): Promise<NoticeView> => (await viewAs(id, principal, readAs)).view,
    /** Its requester's view of a request just recorded: nothing is attached to it yet, so nothing is read again. */
    async submitted(notice: NoticeRow, principal: Principal): Promise<NoticeView> {
      const recorded = {
        ...notice,
        recipients: [],
        decisions: [],
        blockings: [],
        renewals: [],
        amendments: [],
        claimedBy: null,
        _count: { attachments: 0 },
      };
      return {
        ...noticeView(recorded, 'REQUESTER'),
        actions: actionLinks(recorded, 'REQUESTER', await callerRecord(deps, principal, []), deps.daySeconds),
      };
    },

    async list(
      principal: Principal,
      q: {
        status?: Status;
        kind?: 'NOTICE' | 'DIFFUSION';
        as?: 'REQUESTER' | 'RECIPIENT';
        /** Only requests whose renewal awaits a decision. */
        renewalRequested?: boolean;
        /** Only requests with an amendment under review. */
        amendmentPending?: boolean;
        /** Oldest first (a review queue) instead of newest first. */
        oldestFirst?: boolean;
        /** Most urgent first, oldest first (`submittedAt`), or the soonest deadline first. */
        sort?: 'urgency' | 'submittedAt' | 'dueAt';
        limit: number;
        cursor?: string;
      },
    ) {
      if (principal.role !== 'NCB' && q.as)
        throw invalid('The query is invalid', [{ path: 'query.as', code: 'NOT_FOR_ROLE', message: 'is only for NCB keys' }]);
      const country = principal.country ?? '';
      const filter = {
        status: q.status,
        kind: q.kind,
        ...(principal.role === 'NCB'
          ? q.as === 'REQUESTER'
            ? { requestingCountry: country }
            : q.as === 'RECIPIENT'
              ? { recipientCountry: country }
              : { involving: country }
          : {}),
        renewalRequested: q.renewalRequested,
        amendmentPending: q.amendmentPending,
        limit: q.limit,
      };
      const sorted = q.sort === 'urgency' || q.sort === 'dueAt' ? await sortedPage(q.sort, filter, q.cursor) : undefined;
      const rows =
        sorted?.rows ??
        (await listNotices(prisma, {
          ...filter,
          after: q.cursor ? await decodeCursor(q.cursor) : undefined,
          oldestFirst: q.oldestFirst || q.sort === 'submittedAt',
        }));
      const page = rows.slice(0, q.limit);
      const relations = page.map((n) =>
        relationTo(
          n,
          principal,
          n.recipients.some((r) => r.country === principal.country),
        )!,
      );
      const findings = await findingsOf(page.filter((n, i) => seesFindings(n, relations[i])));
      // A listed request is read as much as a fetched one: audited the same way.
      await auditReads(page, principal, 'list');
      const caller = await callerRecord(deps, principal, page);
      const items = page.map((n, i) => {
        const own = relations[i] === 'RECIPIENT' ? { ...n, recipients: n.recipients.filter((r) => r.country === principal.country) } : n;
        return { ...noticeView(own, relations[i], findings.get(n.id)), actions: actionLinks(own, relations[i], caller, deps.daySeconds) };
      });
      return {
        items,
        nextCursor: sorted
          ? sorted.next
          : rows.length > q.limit
            ? await cursors.encode({ at: page[page.length - 1].createdAt, key: page[page.length - 1].id })
            : null,
      };
    },

    async responses(id: string, principal: Principal) {
      const { notice, relation } = await visible(id, principal);
      if (relation === 'RECIPIENT' && notice.blockings.length)
        throw conflict('The request is blocked by the CCF while it examines a complaint', 'BLOCKED');
      if (relation === 'RECIPIENT' && notice.blockingUpheldAt)
        throw conflict('The CCF upheld a complaint against the request: its answers are no longer for recipients', 'BLOCKED');
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
