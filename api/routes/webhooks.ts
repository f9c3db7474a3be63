/** Webhooks per country (Standard Webhooks) and their deliveries. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import {
  DeliveryList,
  DeliveryParam,
  DeliveryQuery,
  RetryAccepted,
  Webhook,
  WebhookCountryParam,
  WebhookRequest,
  WebhookSecret,
} from '../schemas/webhooks';

export function webhookRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Webhooks');
  const { webhooks } = services;

  routes.put(
    '/webhooks/:country',
    {
      summary: "Set the country's webhook: its notifications are also POSTed there, signed (Standard Webhooks)",
      roles: ['ADMIN'],
      params: WebhookCountryParam,
      body: WebhookRequest,
      success: { status: 200, schema: WebhookSecret, description: 'The webhook and its new signing secret (shown only here)' },
    },
    async ({ params, body, principal }) => ({ body: await webhooks.put(principal, params.country, body.url) }),
  );
  routes.get(
    '/webhooks/:country',
    {
      summary: "The country's webhook, without its secret",
      roles: ['ADMIN'],
      params: WebhookCountryParam,
      errors: [404],
      success: { status: 200, schema: Webhook, description: 'The webhook' },
    },
    async ({ params }) => ({ body: await webhooks.get(params.country) }),
  );
  routes.delete(
    '/webhooks/:country',
    {
      summary: "Remove the country's webhook; deliveries still being tried are cancelled",
      roles: ['ADMIN'],
      params: WebhookCountryParam,
      errors: [404],
      success: { status: 204, description: 'Removed' },
    },
    async ({ params, principal }) => {
      await webhooks.remove(principal, params.country);
    },
  );
  routes.get(
    '/webhooks/:country/deliveries',
    {
      summary: "The country's webhook deliveries and each attempt (status code, time, outcome), newest first",
      roles: ['ADMIN', 'NCB'],
      params: WebhookCountryParam,
      query: DeliveryQuery,
      success: { status: 200, schema: DeliveryList, description: 'A page of deliveries' },
    },
    async ({ params, query, principal }) => ({ body: await webhooks.deliveries(principal, params.country, query) }),
  );
  routes.post(
    '/webhooks/:country/deliveries/:id/retry',
    {
      summary: 'Send a delivery again now (with the same webhook-id)',
      roles: ['ADMIN'],
      params: DeliveryParam,
      errors: [404, 409],
      success: { status: 202, schema: RetryAccepted, description: 'Being sent' },
    },
    async ({ params, principal }) => ({ body: await webhooks.retry(principal, params.country, params.id) }),
  );

  return router;
}
