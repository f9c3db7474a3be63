/** Administration: API keys, pilot settings, member countries. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import { ApiKeyList, ApiKeyRequest, Countries, CreatedApiKey, Pilot, PilotRequest } from '../schemas/admin';
import { KeyIdParam } from '../schemas/common';

export function adminRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Administration');
  const { admin } = services;
  const everyone = ['ADMIN', 'REVIEWER', 'NCB'] as const;

  routes.post(
    '/api-keys',
    {
      summary: 'Create an API key (the secret is shown only in this answer)',
      roles: ['ADMIN'],
      body: ApiKeyRequest,
      success: { status: 201, schema: CreatedApiKey, description: 'The new key' },
    },
    async ({ body, principal }) => ({ body: await admin.createKey(principal, body) }),
  );
  routes.get(
    '/api-keys',
    {
      summary: 'List API keys (without secrets)',
      roles: ['ADMIN'],
      success: { status: 200, schema: ApiKeyList, description: 'Active keys' },
    },
    async () => ({ body: await admin.keys() }),
  );
  routes.delete(
    '/api-keys/:id',
    {
      summary: 'Revoke an API key; it stops working at once',
      roles: ['ADMIN'],
      params: KeyIdParam,
      success: { status: 204, description: 'Revoked' },
      errors: [404, 409],
    },
    async ({ params, principal }) => void (await admin.revokeKey(principal, params.id)),
  );

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
