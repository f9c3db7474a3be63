/**
 * Finding requests by case number, reference, the subject's and aliases' names, identity documents
 * and the identifiers of the assets sought or located, among those the caller may read (the list's
 * need to know), and by what the caller may see of them: a recipient from whom the CCF withholds a
 * request finds it by its case number or reference only, and no recipient by what was located. Each request found is a read, audited as one.
 */
import { relationOf } from '../domain/callers';
import { LINKABLE_IDENTIFIERS } from '../domain/assets';
import type { Status } from '../domain/model';
import { searchQuery, type SearchField } from '../domain/search';
import { identifierDigests } from '../records/links';
import { searchRequests } from '../records/search';
import type { Principal, ServiceDeps } from './context';
import type { ReadingService } from './reading';
import { invalid } from './refusals';

/** The most a search answers: a longer list is a sign to search for more. */
export const SEARCH_LIMIT = 50;

/** What a recipient may still find a withheld request by. */
const NOT_PERSONAL: readonly SearchField[] = ['caseNumber', 'reference'];
/**
 * What no recipient finds a request by: an identifier some recipient located. Which one is not
 * recorded with its digest, and a recipient sees no other country's answers.
 */
const OTHERS_ANSWERS: readonly SearchField[] = ['assetsLocated.identifiers'];

export interface SearchItem {
  noticeId: string;
  caseNumber: string;
  reference: string | null;
  status: Status;
  matched: SearchField[];
}

export function searchService(deps: ServiceDeps, reading: ReadingService) {
  const { prisma } = deps;
  return {
    async search(principal: Principal, q: string): Promise<{ items: SearchItem[] }> {
      const query = searchQuery(q);
      if (!query) throw invalid('The query is invalid', [{ path: 'query.q', code: 'FORMAT', message: 'must hold a letter or a digit' }]);
      // The query taken as each kind of identifier, in the form links compare: its digest finds the asset.
      const digests = await identifierDigests(prisma, [{ identifiers: Object.fromEntries(LINKABLE_IDENTIFIERS.map((t) => [t, q])) }]);
      const hits = await searchRequests(prisma, {
        query,
        digests,
        involving: principal.role === 'NCB' ? (principal.country ?? '') : undefined,
        limit: SEARCH_LIMIT,
      });
      const items: (SearchItem & { requestingCountry: string })[] = [];
      for (const h of hits) {
        const relation = relationOf(principal, {
          requestingCountry: h.requestingCountry,
          published: h.published,
          addressedTo: () => h.addressed,
        });
        if (!relation) continue;
        const withheld = relation === 'RECIPIENT' && (h.blocked || h.upheld);
        const matched = withheld
          ? h.matched.filter((f) => NOT_PERSONAL.includes(f))
          : relation === 'RECIPIENT'
            ? h.matched.filter((f) => !OTHERS_ANSWERS.includes(f))
            : h.matched;
        if (matched.length === 0) continue;
        items.push({
          noticeId: h.id,
          caseNumber: h.caseNumber,
          reference: h.reference,
          status: h.status as Status,
          matched,
          requestingCountry: h.requestingCountry,
        });
      }
      await reading.auditReads(
        items.map((i) => ({ id: i.noticeId, requestingCountry: i.requestingCountry })),
        principal,
        'search',
      );
      return { items: items.map(({ requestingCountry: _, ...item }) => item) };
    },
  };
}
export type SearchService = ReturnType<typeof searchService>;
