/** Requests: submission, and reading them under need to know. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { ACTION_NAMES } from '../../domain/actions';
import type { Services } from '../../services';
import { ACTIONS, actionMethod } from '../../services/action-registry';
import { allPages, wantsCsv } from '../csv';
import { idempotencyKey, IDEMPOTENCY_HEADER, routeGroup } from '../route';
import { IdParam } from '../schemas/common';
import { OutcomeList } from '../schemas/outcomes';
import { NoticeRequest } from '../schemas/requests';
import { EventList, NoticeList, NoticeListQuery, NoticeView, ResponseList } from '../schemas/views';

const READERS = ['NCB', 'REVIEWER', 'CCF'] as const;

/**
 * Everything done to a request given its id: where an answer carrying a request leads (OpenAPI
 * links): its reads, and every action of the registry.
 */
const ON_A_REQUEST: Record<string, string> = {
  read: 'GET /notices/:id',
  responses: 'GET /notices/:id/responses',
  outcomes: 'GET /notices/:id/outcomes',
  events: 'GET /notices/:id/events',
  links: 'GET /notices/:id/links',
  extract: 'GET /notices/:id/extract.pdf',
  messages: 'GET /notices/:id/messages',
  attachments: 'GET /notices/:id/attachments',
  attachment: 'GET /notices/:id/attachments/:aid',
  ...Object.fromEntries(ACTION_NAMES.map((name) => [name, `${actionMethod(name)} /notices/:id/${ACTIONS[name].path}`])),
};
const linksFrom = (pointer: string) =>
  Object.fromEntries(Object.entries(ON_A_REQUEST).map(([name, to]) => [name, { to, parameters: { id: `$response.body#${pointer}` } }]));

export function noticeRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Requests');
  const { submission, reading } = services;

  routes.post(
    '/notices',
    {
      summary: 'Submit a Silver Notice or Diffusion request',
      roles: ['NCB'],
      body: NoticeRequest,
      headers: IDEMPOTENCY_HEADER,
      success: { status: 201, schema: NoticeView, description: 'The request, SUBMITTED (screening follows at once)' },
      errors: [409],
      links: linksFrom('/id'),
    },
    async ({ body, principal, req }) => ({ body: await submission.submit(principal, body, idempotencyKey(req)) }),
  );

  routes.get(
    '/notices',
    {
      summary: 'Requests the caller may see, newest first',
      roles: READERS,
      query: NoticeListQuery,
      success: { status: 200, schema: NoticeList, description: 'A page of requests' },
      links: linksFrom('/items/0/id'),
      csv: 'With `Accept: text/csv`: every request the filters select (all pages from `cursor` on, `limit` ignored), one row per `items` entry',
    },
    async ({ query, principal, req }) =>
      wantsCsv(req)
        ? {
            csv: {
              filename: 'notices.csv',
              items: await allPages(query.cursor, (cursor, limit) => reading.list(principal, { ...query, cursor, limit })),
            },
          }
        : { body: await reading.list(principal, query) },
  );

  routes.get(
    '/notices/:id',
    {
      summary: 'A request, as the caller may see it',
      roles: READERS,
      params: IdParam,
      success: { status: 200, schema: NoticeView, description: 'The request' },
      errors: [404],
      links: linksFrom('/id'),
    },
    async ({ params, principal }) => ({ body: await reading.view(params.id, principal, 'notice') }),
  );

  routes.get(
    '/notices/:id/responses',
    {
      summary: 'Answers: all for the requester and reviewers, its own for a recipient',
      roles: READERS,
      params: IdParam,
      success: { status: 200, schema: ResponseList, description: 'Answers, oldest first' },
      errors: [404],
    },
    async ({ params, principal }) => ({ body: await reading.responses(params.id, principal) }),
  );

  routes.get(
    '/notices/:id/outcomes',
    {
      summary:
        "Outcomes reported by the requester: all for the requester, reviewers and the CCF; a recipient's own country's for a recipient",
      roles: READERS,
      params: IdParam,
      success: { status: 200, schema: OutcomeList, description: 'Outcomes, by date' },
      errors: [404],
    },
    async ({ params, principal }) => ({ body: await services.outcomes.list(params.id, principal) }),
  );

  routes.get(
    '/notices/:id/events',
    {
      summary: 'The audit trail of a request, oldest first (requester and reviewers)',
      roles: READERS,
      params: IdParam,
      success: { status: 200, schema: EventList, description: 'Audit events' },
      errors: [404],
    },
    async ({ params, principal }) => ({ body: await reading.events(params.id, principal) }),
  );

  return router;
}
