/** Asset identifiers found in free text. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import { ExtractedIdentifiers, ExtractRequest } from '../schemas/identifiers';

export function identifierRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();

  routeGroup(router, registry, 'Identifiers').post(
    '/identifiers/extract',
    {
      summary: 'The valid asset identifiers found in a text',
      roles: ['NCB', 'REVIEWER'],
      body: ExtractRequest,
      success: { status: 200, schema: ExtractedIdentifiers, description: 'The identifiers found' },
    },
    async ({ body, principal }) => ({ body: services.identifiers.extract(principal, body.text) }),
  );

  return router;
}
