/** Administration: pilot settings, member countries. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { ROLES } from '../../domain/model';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import { Countries, Pilot, PilotRequest } from '../schemas/admin';

export function adminRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Administration');
  const { admin } = services;
  const everyone = ROLES;

  routes.get(
    '/pilot',
    { summary: 'Pilot settings and quota use', roles: everyone, success: { status: 200, schema: Pilot, description: 'The pilot' } },
    async () => ({ body: await admin.pilot() }),
  );
  routes.put(
    '/pilot',
    {
      summary: 'Replace the pilot settings',
      roles: ['ADMIN'],
      body: PilotRequest,
      success: { status: 200, schema: Pilot, description: 'The pilot' },
    },
    async ({ body, principal }) => ({ body: await admin.setPilot(principal, body) }),
  );
  routes.get(
    '/countries',
    {
      summary: 'The 196 INTERPOL member countries',
      roles: everyone,
      success: { status: 200, schema: Countries, description: 'Member countries' },
    },
    async () => ({ body: await admin.countries() }),
  );

  return router;
}
