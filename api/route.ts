/**
 * One way to declare a route: its schemas parse the request (the parsed values are what the handler
 * gets) and document it in the OpenAPI registry at the same time.
 */
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Role } from '../domain/model';
import type { PrismaClient } from '../prisma/database';
import { authenticate, type Principal } from './auth';
import { HttpProblem, forbidden, zodFieldErrors } from './problem';

type Schema = z.ZodTypeAny;
type Out<S> = S extends Schema ? z.output<S> : undefined;

export interface RouteSpec<B, Q, P> {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  tag: string;
  /** Roles allowed (every /v1 route needs a key). */
  roles: Role[];
  body?: B;
  query?: Q;
  params?: P;
  success: { status: number; schema?: Schema; description: string };
  /** Error statuses this route can answer, for the documentation. */
  errors?: number[];
  headers?: Record<string, string>;
}

export interface RouteContext<B, Q, P> {
  req: Request;
  res: Response;
  body: Out<B>;
  query: Out<Q>;
  params: Out<P>;
  principal: Principal;
}

export type RouteResult = { status?: number; body?: unknown; headers?: Record<string, string> } | void;

export function addRoute<
  B extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  P extends Schema | undefined = undefined,
>(
  router: Router,
  registry: OpenAPIRegistry,
  prisma: PrismaClient,
  spec: RouteSpec<B, Q, P>,
  handler: (ctx: RouteContext<B, Q, P>) => Promise<RouteResult>,
): void {
  const fullPath = `/v1${spec.path}`;
  registry.registerPath(openApiPath(spec, fullPath));
  router[spec.method](spec.path, async (req, res) => {
    const principal: Principal = await authenticate(prisma, req.headers.authorization);
    if (!spec.roles.includes(principal.role)) {
      throw forbidden(`This action is for ${spec.roles.join(' or ')} keys; this key is ${principal.role}`);
    }
    const params = parse(spec.params, req.params, 'path');
    const query = parse(spec.query, req.query, 'query');
    const body = parse(spec.body, spec.body ? req.body : undefined, 'body');
    const result = await handler({ req, res, body, query, params, principal } as RouteContext<B, Q, P>);
    const status = (result && result.status) ?? spec.success.status;
    if (result && result.headers) res.set(result.headers);
    if (result && result.body !== undefined) res.status(status).json(result.body);
    else res.status(status).end();
  });
}

function parse(schema: Schema | undefined, value: unknown, where: 'path' | 'query' | 'body'): never {
  if (!schema) return undefined as never;
  const parsed = schema.safeParse(where === 'body' && value === undefined ? undefined : value);
  if (!parsed.success) {
    if (where === 'body' && value === undefined) throw new HttpProblem(400, 'A JSON body is required');
    const label = where === 'body' ? 'The body' : where === 'query' ? 'The query' : 'The path';
    throw new HttpProblem(400, `${label} is invalid`, zodFieldErrors(parsed.error, where === 'body' ? undefined : where));
  }
  return parsed.data as never;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed input; `errors` lists each invalid field',
  401: 'No key, an unknown key or a revoked key',
  403: 'The caller may not do this',
  404: 'No such resource, or the caller may not know it exists',
  409: 'The action does not fit the current state',
  413: 'Body over 1 MB',
  415: 'Body is not JSON',
};

function openApiPath(spec: RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined>, fullPath: string): RouteConfig {
  const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
  const errorStatuses = new Set<number>([401, 403, ...(spec.body || spec.query || spec.params ? [400] : []), ...(spec.errors ?? [])]);
  if (spec.body) {
    errorStatuses.add(413);
    errorStatuses.add(415);
  }
  return {
    method: spec.method,
    path: fullPath.replace(/:(\w+)/g, '{$1}'),
    summary: spec.summary,
    tags: [spec.tag],
    security: [{ bearerKey: [] }],
    description: `Roles: ${spec.roles.join(', ')}`,
    request: {
      ...(spec.params ? { params: spec.params as never } : {}),
      ...(spec.query ? { query: spec.query as never } : {}),
      ...(spec.body ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
      ...(spec.headers
        ? {
            headers: z.object(
              Object.fromEntries(
                Object.entries(spec.headers).map(([name, description]) => [name, z.string().max(255).optional().openapi({ description })]),
              ),
            ),
          }
        : {}),
    },
    responses: {
      [spec.success.status]: {
        description: spec.success.description,
        ...(spec.success.schema ? { content: { 'application/json': { schema: spec.success.schema } } } : {}),
      },
      ...Object.fromEntries([...errorStatuses].sort().map((s) => [s, { description: DESCRIPTIONS[s] ?? 'Error', content: problem }])),
    },
  };
}
