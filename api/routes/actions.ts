/** What reviewers, requesters and recipients do to a request. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { idempotencyKey, IDEMPOTENCY_HEADER, routeGroup } from '../route';
import { IdParam } from '../schemas/common';
import { CancellationRequest, ClarificationRequest, DecisionRequest, ResponseRequest, WithdrawalRequest } from '../schemas/requests';
import { NoticeView } from '../schemas/views';

export function actionRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Requests');
  const { actions } = services;
  const after = (description: string) => ({ status: 200, schema: NoticeView, description });

  routes.post(
    '/notices/:id/decisions',
    {
      summary: 'Approve, reject or ask for clarification, with reasons',
      roles: ['REVIEWER'],
      params: IdParam,
      body: DecisionRequest,
      success: after('The request after the decision'),
      errors: [404, 409],
    },
    async ({ params, body, principal }) => ({ body: await actions.decide(principal, params.id, body) }),
  );

  routes.post(
    '/notices/:id/clarifications',
    {
      summary: 'Answer a clarification request, optionally changing the request',
      roles: ['NCB'],
      params: IdParam,
      body: ClarificationRequest,
      success: after('The request, back UNDER_REVIEW and screened again'),
      errors: [404, 409],
    },
    async ({ params, body, principal }) => ({ body: await actions.clarify(principal, params.id, body) }),
  );

  routes.post(
    '/notices/:id/withdrawal',
    {
      summary: 'Withdraw a request (requesting NCB), telling recipients if it was published',
      roles: ['NCB'],
      params: IdParam,
      body: WithdrawalRequest,
      success: after('The request, WITHDRAWN'),
      errors: [404, 409],
    },
    async ({ params, body, principal }) => ({ body: await actions.withdraw(principal, params.id, body) }),
  );

  routes.post(
    '/notices/:id/cancellation',
    {
      summary: 'Cancel a published request (reviewer), telling every recipient',
      roles: ['REVIEWER'],
      params: IdParam,
      body: CancellationRequest,
      success: after('The request, CANCELLED'),
      errors: [404, 409],
    },
    async ({ params, body, principal }) => ({ body: await actions.cancel(principal, params.id, body) }),
  );

  routes.post(
    '/notices/:id/responses',
    {
      summary: 'Answer a published request as a recipient: assets located, none found, or unable to assist',
      roles: ['NCB'],
      params: IdParam,
      body: ResponseRequest,
      headers: IDEMPOTENCY_HEADER,
      success: { status: 201, schema: NoticeView, description: 'The request as this recipient sees it' },
      errors: [404, 409],
    },
    async ({ params, body, principal, req }) => {
      const { responseId, view } = await actions.respond(principal, params.id, body, idempotencyKey(req));
      return { status: 201, headers: { 'X-Response-Id': responseId }, body: view };
    },
  );

  return router;
}
