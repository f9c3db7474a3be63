/** Finding requests from the search index. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import { SearchQuery, SearchResults } from '../schemas/search';

export function searchRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();

  routeGroup(router, registry, 'Requests').get(
    '/search',
    {
      summary: 'Requests the caller may read, found by case number, reference, name, document or asset identifier',
      roles: ['NCB', 'REVIEWER', 'CCF'],
      query: SearchQuery,
      success: { status: 200, schema: SearchResults, description: 'The requests found' },
    },
    async ({ query, principal }) => ({ body: await services.search.search(principal, query.q) }),
  );

  return router;
}
