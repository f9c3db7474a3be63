/** Users and their API keys (ADMIN). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { routeGroup } from '../route';
import { KeyIdParam, UserIdParam } from '../schemas/common';
import {
  ApiKeyList,
  ApiKeyRequest,
  CreatedApiKey,
  IdentityLink,
  IdentityLinkRequest,
  User,
  UserList,
  UserRequest,
} from '../schemas/people';

export function peopleRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Users and keys');
  const { people } = services;

  routes.post(
    '/users',
    {
      summary: 'Create a user: a named person with one role (and a country for an NCB)',
      roles: ['ADMIN'],
      body: UserRequest,
      success: { status: 201, schema: User, description: 'The new user' },
      links: { disable: { to: 'DELETE /users/:id', parameters: { id: '$response.body#/id' } } },
    },
    async ({ body, principal }) => ({ body: await people.createUser(principal, body) }),
  );
  routes.get(
    '/users',
    { summary: 'List users, disabled ones included', roles: ['ADMIN'], success: { status: 200, schema: UserList, description: 'Users' } },
    async () => ({ body: await people.users() }),
  );
  routes.delete(
    '/users/:id',
    {
      summary: 'Disable a user; every key of that user stops working at once, until the user is enabled again',
      roles: ['ADMIN'],
      params: UserIdParam,
      success: { status: 204, description: 'Disabled' },
      errors: [404, 409],
    },
    async ({ params, principal }) => void (await people.disableUser(principal, params.id)),
  );
  routes.post(
    '/users/:id/enable',
    {
      summary:
        'Enable a disabled user again: its keys that are neither revoked nor expired work again at once (an enabled user is left as it is)',
      roles: ['ADMIN'],
      params: UserIdParam,
      success: { status: 200, schema: User, description: 'The user, enabled' },
      errors: [404],
      links: { disable: { to: 'DELETE /users/:id', parameters: { id: '$response.body#/id' } } },
    },
    async ({ params, principal }) => ({ body: await people.enableUser(principal, params.id) }),
  );

  routes.put(
    '/users/:id/identity',
    {
      summary:
        "Link the user's identity at the OpenID provider (single sign-on), by its subject or a verified e-mail address; it replaces the user's previous link",
      roles: ['ADMIN'],
      params: UserIdParam,
      body: IdentityLinkRequest,
      success: { status: 200, schema: IdentityLink, description: 'The link' },
      links: { unlink: { to: 'DELETE /users/:id/identity', parameters: { id: '$response.body#/userId' } } },
      errors: [404, 409],
      codes: ['SSO_OFF', 'IDENTITY_TAKEN', 'USER_DISABLED'],
    },
    async ({ params, body, principal }) => ({ body: await services.oidc.link(principal, params.id, body) }),
  );
  routes.get(
    '/users/:id/identity',
    {
      summary: "The user's linked identity at the OpenID provider",
      roles: ['ADMIN'],
      params: UserIdParam,
      success: { status: 200, schema: IdentityLink, description: 'The link' },
      errors: [404],
    },
    async ({ params }) => ({ body: await services.oidc.identity(params.id) }),
  );
  routes.delete(
    '/users/:id/identity',
    {
      summary: "Unlink the user's identity at the OpenID provider; its console sessions end at once",
      roles: ['ADMIN'],
      params: UserIdParam,
      success: { status: 204, description: 'Unlinked' },
      errors: [404, 409],
      codes: ['LAST_ADMIN'],
    },
    async ({ params, principal }) => void (await services.oidc.unlink(principal, params.id)),
  );

  routes.post(
    '/api-keys',
    {
      summary: 'Create an API key for a user (the secret is shown only in this answer)',
      roles: ['ADMIN'],
      body: ApiKeyRequest,
      success: { status: 201, schema: CreatedApiKey, description: 'The new key' },
      links: {
        revoke: { to: 'DELETE /api-keys/:id', parameters: { id: '$response.body#/id' } },
        disableItsUser: { to: 'DELETE /users/:id', parameters: { id: '$response.body#/userId' } },
      },
      errors: [409],
    },
    async ({ body, principal }) => ({ body: await people.createKey(principal, body) }),
  );
  routes.get(
    '/api-keys',
    {
      summary: 'List API keys not revoked (without secrets)',
      roles: ['ADMIN'],
      success: { status: 200, schema: ApiKeyList, description: 'Keys' },
    },
    async () => ({ body: await people.keys() }),
  );
  routes.delete(
    '/api-keys/:id',
    {
      summary: 'Revoke an API key; it stops working at once',
      roles: ['ADMIN'],
      params: KeyIdParam,
      success: { status: 204, description: 'Revoked' },
      errors: [404, 409],
    },
    async ({ params, principal }) => void (await people.revokeKey(principal, params.id)),
  );

  return router;
}
