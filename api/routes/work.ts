/** What waits for the caller, whatever its role. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import { WorkList } from '../schemas/work';

export function workRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  routeGroup(router, registry, 'Work').get(
    '/work',
    {
      summary: "What waits for the caller: each kind of its role's work with its count, and the requests (keys, webhooks) concerned",
      roles: ['NCB', 'REVIEWER', 'CCF', 'ADMIN'],
      success: { status: 200, schema: WorkList, description: 'Counts and items, kind after kind, the most pressing first within a kind' },
    },
    async ({ principal }) => ({ body: await services.work.of(principal) }),
  );
  return router;
}
