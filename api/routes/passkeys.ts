/** The sign-in policy and users' passkeys (ADMIN); users add and remove their own at the console. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import { UserIdParam } from '../schemas/common';
import { PasskeyList, SignInPolicy, SignInPolicyRequest } from '../schemas/passkeys';

export function passkeyRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Users and keys');
  const { passkeys } = services;

  routes.get(
    '/sign-in-policy',
    {
      summary: 'How people sign in at the console: whether a passkey is required of everyone',
      roles: ['ADMIN'],
      success: { status: 200, schema: SignInPolicy, description: 'The policy' },
    },
    async () => ({ body: await passkeys.policy() }),
  );
  routes.put(
    '/sign-in-policy',
    {
      summary: 'Require (or stop requiring) a passkey of everyone signing in at the console with a key',
      roles: ['ADMIN'],
      body: SignInPolicyRequest,
      success: { status: 200, schema: SignInPolicy, description: 'The policy' },
    },
    async ({ body, principal }) => ({ body: await passkeys.setPolicy(principal, body) }),
  );
  routes.get(
    '/users/:id/passkeys',
    {
      summary: "A user's passkeys",
      roles: ['ADMIN'],
      params: UserIdParam,
      success: { status: 200, schema: PasskeyList, description: 'Passkeys' },
      errors: [404],
    },
    async ({ params }) => ({ body: await passkeys.ofUser(params.id) }),
  );
  routes.delete(
    '/users/:id/passkeys',
    {
      summary: "Remove every passkey of a user (one was lost): the user's next sign-in goes on without one, or registers one when required",
      roles: ['ADMIN'],
      params: UserIdParam,
      success: { status: 204, description: 'Removed' },
      errors: [404],
    },
    async ({ params, principal }) => void (await passkeys.reset(principal, params.id)),
  );

  return router;
}
