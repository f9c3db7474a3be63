/**
 * What else happens to a published request: recipients acknowledge it or put their deadline back,
 * the CCF blocks it and decides, the requester asks for a renewal and a reviewer decides; and the
 * links between requests that chase the same asset.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import { IdParam } from '../schemas/common';
import {
  AcknowledgementRequest,
  BlockingDecisionRequest,
  BlockingRequest,
  DelayRequest,
  RenewalDecisionRequest,
  RenewalRequest,
} from '../schemas/requests';
import { LinkList, LinkListQuery, NoticeLinks, NoticeView } from '../schemas/views';

export function dutyRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Requests');
  const { actions } = services;
  const after = (description: string) => ({ status: 200, schema: NoticeView, description });

  routes.post(
    '/notices/:id/acknowledgement',
    {
      summary: 'Acknowledge a published request (recipient), saying when an answer may come',
      roles: ['NCB'],
      params: IdParam,
      body: AcknowledgementRequest,
      success: after('The request, this recipient ACKNOWLEDGED'),
      errors: [404, 409],
    },
    async ({ params, body, principal }) => ({ body: await actions.acknowledge(principal, params.id, body) }),
  );
  routes.post(
    '/notices/:id/delay',
    {
      summary: "Put back this recipient's deadline, with the reason (the requester is told)",
      roles: ['NCB'],
      params: IdParam,
      body: DelayRequest,
      success: after('The request, this recipient DELAYED to its new deadline'),
      errors: [404, 409],
    },
    async ({ params, body, principal }) => ({ body: await actions.delay(principal, params.id, body) }),
  );
  routes.post(
    '/notices/:id/blocking',
    {
      summary: 'Block a published request while the CCF examines a complaint; every clock stops',
      roles: ['CCF'],
      params: IdParam,
      body: BlockingRequest,
      success: after('The request, blocked'),
      errors: [404, 409],
    },
    async ({ params, body, principal }) => ({ body: await actions.block(principal, params.id, body) }),
  );
  routes.post(
    '/notices/:id/blocking/decision',
    {
      summary: 'Decide a blocking: UPHELD cancels the request, DISMISSED resumes it',
      roles: ['CCF'],
      params: IdParam,
      body: BlockingDecisionRequest,
      success: after('The request after the decision'),
      errors: [404, 409],
    },
    async ({ params, body, principal }) => ({ body: await actions.decideBlocking(principal, params.id, body) }),
  );
  routes.post(
    '/notices/:id/renewal',
    {
      summary: 'Ask for a renewal in the six months before expiry (requesting NCB)',
      roles: ['NCB'],
      params: IdParam,
      body: RenewalRequest,
      success: after('The request, its renewal REQUESTED'),
      errors: [404, 409],
    },
    async ({ params, body, principal }) => ({ body: await actions.requestRenewal(principal, params.id, body) }),
  );
  routes.post(
    '/notices/:id/renewal/decision',
    {
      summary: 'Decide a renewal: APPROVE moves the expiry five years on',
      roles: ['REVIEWER'],
      params: IdParam,
      body: RenewalDecisionRequest,
      success: after('The request after the decision'),
      errors: [404, 409],
    },
    async ({ params, body, principal }) => ({ body: await actions.decideRenewal(principal, params.id, body) }),
  );

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
