/** The links between requests that chase the same asset. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import { IdParam } from '../schemas/common';
import { LinkList, LinkListQuery, NoticeLinks } from '../schemas/views';

export function linkRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Requests');

  routes.get(
    '/notices/:id/links',
    {
      summary: 'Other requests chasing an asset with the same identifier',
      roles: ['REVIEWER', 'CCF', 'NCB'],
      params: IdParam,
      success: { status: 200, schema: NoticeLinks, description: 'Links, newest first' },
      errors: [404],
    },
    async ({ params, principal }) => ({ body: await services.links.ofRequest(params.id, principal) }),
  );
  routes.get(
    '/links',
    {
      summary: 'Every link between requests, newest first',
      roles: ['REVIEWER', 'CCF'],
      query: LinkListQuery,
      success: { status: 200, schema: LinkList, description: 'A page of links' },
    },
    async ({ query, principal }) => ({ body: await services.links.all(query, principal) }),
  );

  return router;
}
