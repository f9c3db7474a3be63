/** GET /v1/search: what it takes and what it answers. */
import { z } from 'zod';
import * as M from '../../domain/model';
import { SEARCH_FIELDS } from '../../domain/search';

export const SearchQuery = z.strictObject({
  q: z.string().trim().min(1).max(200).openapi({
    description:
      'A case number, a reference, a name (words of the subject’s or an alias’s name, in any order; case, accents and punctuation ignored; a word of 3 letters or more may be the start of a name’s word), an identity document number or an asset identifier',
    example: 'rossi mar',
  }),
});

export const SearchResults = z
  .object({
    items: z.array(
      z.object({
        noticeId: z.uuid(),
        caseNumber: z.string(),
        reference: z.string().nullable(),
        status: z.enum(M.STATUSES),
        matched: z.array(z.enum(SEARCH_FIELDS)).openapi({ description: 'What the query matched' }),
      }),
    ),
  })
  .openapi('SearchResults', { description: 'At most 50 requests the caller may read, newest first' });
