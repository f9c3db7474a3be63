/**
 * Linked assets, with need to know: reviewers and the CCF see which request the other side is; a
 * requester learns only that a link exists (and to ask the General Secretariat), unless it made
 * both requests. Reading links reads each request they name, and is audited as such.
 */
import { allLinks, linksOf } from '../records/links';
import type { Principal, ServiceDeps } from './context';
import type { CursorCodec } from './cursors';
import type { ReadingService } from './reading';
import { forbidden } from './refusals';

/** Each request once, however many links name it. */
const eachOnce = <T extends { id: string }>(requests: T[]): T[] => [...new Map(requests.map((r) => [r.id, r])).values()];

export function linkService(deps: ServiceDeps, reading: ReadingService, cursors: CursorCodec) {
  return {
    async ofRequest(id: string, principal: Principal) {
      const notice = await reading.visible(id, principal);
      if (notice.relation === 'RECIPIENT') throw forbidden('Links are for the requesting NCB, reviewers and the CCF');
      const rows = await linksOf(deps.prisma, id);
      const seesOther = (otherRequester: string) => notice.relation !== 'REQUESTER' || otherRequester === principal.country;
      const named = rows
        .filter((l) => seesOther(l.otherRequester))
        .map((l) => ({ id: l.otherNoticeId, requestingCountry: l.otherRequester }));
      await reading.auditReads(eachOnce([notice.notice, ...named]), principal, 'links');
      return {
        items: rows.map((l) => ({
          identifierType: l.identifierType,
          detectedAt: l.detectedAt.toISOString(),
          ...(seesOther(l.otherRequester) ? { otherNoticeId: l.otherNoticeId, otherReference: l.otherReference } : {}),
        })),
      };
    },

    async all(q: { limit: number; cursor?: string }, principal: Principal) {
      const after = q.cursor ? await cursors.decode(q.cursor) : undefined;
      const rows = await allLinks(deps.prisma, q.limit, after && { detectedAt: after.at, key: after.key });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      const named = page.flatMap((l) => [{ id: l.noticeId }, { id: l.otherNoticeId }]);
      await reading.auditReads(eachOnce(named), principal, 'links');
      return {
        items: page.map((l) => ({ ...l, detectedAt: l.detectedAt.toISOString() })),
        nextCursor:
          rows.length > q.limit
            ? await cursors.encode({ at: last.detectedAt, key: `${last.noticeId}${last.otherNoticeId}${last.identifierType}` })
            : null,
      };
    },
  };
}
