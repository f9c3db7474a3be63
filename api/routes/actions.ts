/**
 * Every action on a request, as a route: one per declaration in the action registry, with the
 * catalogue's roles and refusal codes. Nothing here knows any one action.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { ACTION_NAMES } from '../../domain/actions';
import { refusalCodesOf, rolesFor } from '../../domain/permissions';
import type { Services } from '../../services';
import { ACTIONS, takenByWorkflow } from '../../services/action-registry';
import { idempotencyKey, IDEMPOTENCY_HEADER, routeGroup } from '../route';
import { AmendmentIdParam, IdParam } from '../schemas/common';
import { NoticeView } from '../schemas/views';

export function actionRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Requests');
  for (const name of ACTION_NAMES) {
    const declared = ACTIONS[name];
    // A file is not JSON: its route is its own (routes/attachments.ts).
    if (declared.raw) continue;
    const method = declared.method === 'DELETE' ? 'delete' : 'post';
    routes[method](
      `/notices/:id/${declared.path}`,
      {
        summary: declared.summary,
        action: name,
        roles: rolesFor(name),
        params: declared.path.includes(':aid') ? AmendmentIdParam : IdParam,
        body: method === 'delete' ? undefined : declared.body,
        // Every action takes one: a repeat goes to the workflow, which answers it with the first result.
        headers: IDEMPOTENCY_HEADER,
        success: {
          status: declared.creates ? 201 : 200,
          schema: (takenByWorkflow(declared) ? declared.answers?.schema : declared.answer) ?? NoticeView,
          description: declared.after,
        },
        errors: [404, 409],
        codes: [...refusalCodesOf(name), ...(declared.codes ?? [])],
      },
      async ({ params, body, principal, req }) => {
        const taken = await services.actions.take(name, principal, params.id, body, {
          idempotencyKey: idempotencyKey(req),
          params: params as { aid?: string },
        });
        return {
          status: declared.creates ? 201 : 200,
          ...(taken.responseId ? { headers: { 'X-Response-Id': taken.responseId } } : {}),
          body: taken.view,
        };
      },
    );
  }
  return router;
}
