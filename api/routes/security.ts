/** What the perimeter keeps for administrators: refused calls, and the check of the audit trail. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import { AuditVerification, SecurityEventList, SecurityEventQuery } from '../schemas/security';

export function securityRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Security');

  routes.get(
    '/security-events',
    {
      summary: 'Refused calls (401, 403, 429, and 404 for a request hidden from the caller), newest first',
      roles: ['ADMIN'],
      query: SecurityEventQuery,
      success: { status: 200, schema: SecurityEventList, description: 'A page of refused calls' },
    },
    async ({ query }) => ({ body: await services.perimeter.security.list(query) }),
  );

  routes.get(
    '/audit/verify',
    {
      summary: "Check the audit trail's hash chain: an event edited, deleted, inserted or moved in the database breaks it",
      roles: ['ADMIN'],
      success: { status: 200, schema: AuditVerification, description: 'The outcome of the check' },
    },
    async () => ({ body: await services.verifyAudit() }),
  );

  return router;
}
