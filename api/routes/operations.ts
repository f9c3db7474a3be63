/** Health, readiness and metrics: no key needed. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../services';

export function operationRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const Health = z.object({ status: z.string() });
  const Readiness = Health.extend({ checks: z.object({ database: z.enum(['ok', 'not ready']), temporal: z.enum(['ok', 'not ready']) }) });

  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'The process is alive',
    tags: ['Operations'],
    responses: { 200: { description: 'Alive', content: { 'application/json': { schema: Health } } } },
  });
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  registry.registerPath({
    method: 'get',
    path: '/readyz',
    summary: 'The database and Temporal both answer',
    tags: ['Operations'],
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: Readiness } } },
      503: { description: 'Not ready; `checks` says which part is not answering', content: { 'application/json': { schema: Readiness } } },
    },
  });
  router.get('/readyz', async (_req, res) => {
    const { database, temporal } = await services.readiness(3000);
    const word = (ok: boolean) => (ok ? 'ok' : 'not ready');
    res.status(database && temporal ? 200 : 503).json({
      status: database && temporal ? 'ready' : 'not ready',
      checks: { database: word(database), temporal: word(temporal) },
    });
  });

  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics: HTTP answers, requests by status and kind, overdue recipients, webhook deliveries, the worker',
    tags: ['Operations'],
    responses: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } } },
  });
  router.get('/metrics', async (_req, res) => {
    const text = await services.metrics.text();
    res.set('Cache-Control', 'no-store').type(services.metrics.contentType).send(text);
  });

  return router;
}
