/** Reading a request's threads (writing in them is an action: api/routes/actions.ts). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import { IdParam } from '../schemas/common';
import { MessageList, ThreadQuery } from '../schemas/messages';

export function messageRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Requests');
  routes.get(
    '/notices/:id/messages',
    {
      summary:
        "The messages of the request's threads the caller takes part in, oldest first: the GS thread (requester, reviewers; the CCF reads) with the review's questions and answers, and each recipient's thread with the requester",
      roles: ['NCB', 'REVIEWER', 'CCF'],
      params: IdParam,
      query: ThreadQuery,
      success: { status: 200, schema: MessageList, description: 'The messages' },
      errors: [403, 404],
      codes: ['NOT_YOUR_THREAD'],
    },
    async ({ params, query, principal }) => ({ body: await services.messages.list(params.id, principal, query.thread) }),
  );
  return router;
}
