/** A request on paper: its PDF extract, for what the caller may read of it. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import { IdParam } from '../schemas/common';

export const PDF_TYPE = 'application/pdf';

export function extractRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Requests');

  routes.get(
    '/notices/:id/extract.pdf',
    {
      summary:
        'The request as a PDF document: what the caller may read of it, in its language, case number, reference and handling code on every page (audited)',
      roles: ['NCB', 'REVIEWER', 'CCF'],
      params: IdParam,
      success: { status: 200, contentType: PDF_TYPE, description: 'The extract (A4 pages)' },
      errors: [404, 409],
      codes: ['BLOCKED'],
    },
    async ({ params, principal }) => {
      const { caseNumber, bytes } = await services.extract.pdf(params.id, principal);
      return { file: { contentType: PDF_TYPE, filename: `${caseNumber}.pdf`, bytes } };
    },
  );

  return router;
}
