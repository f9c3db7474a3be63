/**
 * One way to declare a route: its schemas parse the request (the parsed values are what the handler
 * gets) and document it in the OpenAPI registry at the same time. The caller is already
 * authenticated (auth.ts runs before any body is read); the route checks its role.
 */
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { ActionName } from '../domain/actions';
import { REFUSAL_CODES, type RefusalCode } from '../domain/codes';
import type { Role } from '../domain/model';
import type { Principal } from '../services';
import { principalOf } from './auth';
import { CSV_TYPE, sendCsv } from './csv';
import { HttpProblem, zodFieldErrors } from './problem';

type Schema = z.ZodTypeAny;
type Out<S> = S extends Schema ? z.output<S> : undefined;

type Method = 'get' | 'post' | 'put' | 'delete';

export interface RouteSpec<B, Q, P> {
  summary: string;
  /** Roles allowed (every /v1 route needs a key). */
  roles: readonly Role[];
  body?: B;
  query?: Q;
  params?: P;
  /** `contentType`: a document (a PDF...) instead of JSON, answered as the handler's `file`. */
  success: { status: number; schema?: Schema; description: string; contentType?: string };
  /** Error statuses this route can answer, for the documentation. */
  errors?: number[];
  /** The catalogue's action this route takes, if it is one. */
  action?: ActionName;
  /** Refusal codes this route can answer with besides those every route has, for the documentation. */
  codes?: RefusalCode[];
  /** Request headers it reads: name -> description and the values it takes. */
  headers?: Record<string, { description: string; pattern: RegExp }>;
  /**
   * OpenAPI links from the success answer to the operations it leads to (name -> `METHOD /path`
   * and the parameters taken from the answer, e.g. `{ id: '$response.body#/id' }`): what a client,
   * or a fuzzer's stateful phase, can do next with what it got.
   */
  links?: Record<string, { to: string; parameters: Record<string, string> }>;
  /** The success answer also comes as CSV (`Accept: text/csv`, api/csv.ts): what it holds, for the documentation. */
  csv?: string;
}

export interface RouteContext<B, Q, P> {
  req: Request;
  res: Response;
  body: Out<B>;
  query: Out<Q>;
  params: Out<P>;
  principal: Principal;
}

export type RouteResult = {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  csv?: { filename: string; items: readonly object[] };
  /** A document answered as it is, shown by the browser (`inline`) under this file name. */
  file?: { contentType: string; filename: string; bytes: Buffer };
} | void;

type Handler<B, Q, P> = (ctx: RouteContext<B, Q, P>) => Promise<RouteResult>;
type AddRoute = <
  B extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  P extends Schema | undefined = undefined,
>(
  path: string,
  spec: RouteSpec<B, Q, P>,
  handler: Handler<B, Q, P>,
) => void;

/**
 * The routes of one resource (one OpenAPI tag): `routes.get(path, spec, handler)` and so on. Each
 * is mounted on `router` under /v1 and documented in `registry`.
 */
export function routeGroup(router: Router, registry: OpenAPIRegistry, tag: string): Record<Method, AddRoute> {
  const add =
    (method: Method): AddRoute =>
    (path, spec, handler) =>
      addRoute(router, registry, method, path, tag, spec, handler);
  return { get: add('get'), post: add('post'), put: add('put'), delete: add('delete') };
}

function addRoute<B extends Schema | undefined, Q extends Schema | undefined, P extends Schema | undefined>(
  router: Router,
  registry: OpenAPIRegistry,
  method: Method,
  path: string,
  tag: string,
  spec: RouteSpec<B, Q, P>,
  handler: Handler<B, Q, P>,
): void {
  registry.registerPath(openApiPath(method, `/v1${path}`, tag, spec));
  router[method](path, async (req, res) => {
    const principal = principalOf(res);
    if (!spec.roles.includes(principal.role)) {
      throw new HttpProblem(
        403,
        `This action is for ${spec.roles.join(' or ')} keys; this key is ${principal.role}`,
        undefined,
        'FORBIDDEN',
      );
    }
    const params = parse(spec.params, req.params, 'path');
    const query = parse(spec.query, req.query, 'query');
    const body = parse(spec.body, spec.body ? req.body : undefined, 'body');
    const result = await handler({ req, res, body, query, params, principal } as RouteContext<B, Q, P>);
    const status = (result && result.status) ?? spec.success.status;
    if (result && result.headers) res.set(result.headers);
    if (spec.csv) res.vary('Accept');
    if (result && result.csv) return sendCsv(res, result.csv.filename, result.csv.items);
    if (result && result.file) {
      res.status(status).type(result.file.contentType).attachment(result.file.filename);
      res.set('Content-Disposition', res.get('Content-Disposition')!.replace(/^attachment/, 'inline'));
      return void res.send(result.file.bytes);
    }
    if (result && result.body !== undefined) res.status(status).json(result.body);
    else res.status(status).end();
  });
}

/** 1 to 255 visible ASCII characters: the values an Idempotency-Key takes (and the document says). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header, if any. */
export function idempotencyKey(req: Request): string | undefined {
  const header = req.headers['idempotency-key'];
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (!IDEMPOTENCY_KEY.test(value)) throw new HttpProblem(400, 'The Idempotency-Key header must be 1 to 255 visible ASCII characters');
  return value;
}

export const IDEMPOTENCY_HEADER = {
  'Idempotency-Key': {
    description: 'Repeat a request safely: the same key and body return the first result; another body is 409',
    pattern: IDEMPOTENCY_KEY,
  },
};

function parse(schema: Schema | undefined, value: unknown, where: 'path' | 'query' | 'body'): never {
  if (!schema) return undefined as never;
  const parsed = schema.safeParse(value);
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
  429: 'More calls than the rate limit allows; `Retry-After` says when to try again',
  503: 'The database or the workflow service is not answering for now; `Retry-After` says when to try again',
};

/** A route's OpenAPI operationId, from its method and path: POST /notices/:id/decisions -> postNoticesByIdDecisions. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((s) => (s.startsWith(':') || s.startsWith('{') ? `By-${s.replace(/[:{}]/g, '')}` : s))
    .flatMap((s) => s.split('-'));
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function openApiPath(
  method: Method,
  fullPath: string,
  tag: string,
  spec: RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined>,
): RouteConfig {
  const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
  const errorStatuses = new Set<number>([
    401,
    403,
    429,
    503,
    ...(spec.body || spec.query || spec.params ? [400] : []),
    ...(spec.errors ?? []),
  ]);
  if (spec.body) {
    errorStatuses.add(413);
    errorStatuses.add(415);
  }
  return {
    method,
    path: fullPath.replace(/:(\w+)/g, '{$1}'),
    operationId: operationIdOf(method, fullPath.replace(/^\/v1/, '')),
    summary: spec.summary,
    tags: [tag],
    security: [{ bearerKey: [] }],
    description: [
      `Roles: ${spec.roles.join(', ')}`,
      ...(spec.action ? [`Listed in a view's \`actions\` as \`${spec.action}\` when the caller may take it now.`] : []),
      ...(spec.codes?.length ? [`Refusal codes: ${spec.codes.map((c) => `\`${c}\` (${REFUSAL_CODES[c]})`).join('; ')}.`] : []),
    ].join('\n\n'),
    request: {
      ...(spec.params ? { params: spec.params as never } : {}),
      ...(spec.query ? { query: spec.query as never } : {}),
      ...(spec.body ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
      ...(spec.headers
        ? {
            headers: z.object(
              Object.fromEntries(
                Object.entries(spec.headers).map(([name, { description, pattern }]) => [
                  name,
                  z.string().regex(pattern).optional().openapi({ description }),
                ]),
              ),
            ),
          }
        : {}),
    },
    responses: {
      [spec.success.status]: {
        description: spec.success.description,
        ...(spec.success.contentType ? { content: { [spec.success.contentType]: { schema: { type: 'string', format: 'binary' } } } } : {}),
        ...(spec.success.schema
          ? {
              content: {
                'application/json': { schema: spec.success.schema },
                ...(spec.csv ? { [CSV_TYPE]: { schema: { type: 'string', description: spec.csv } } } : {}),
              },
            }
          : {}),
        ...(spec.links
          ? {
              links: Object.fromEntries(
                Object.entries(spec.links).map(([name, { to, parameters }]) => {
                  const [toMethod, toPath] = to.split(' ');
                  return [name, { operationId: operationIdOf(toMethod, toPath), parameters }];
                }),
              ),
            }
          : {}),
      },
      ...Object.fromEntries([...errorStatuses].sort().map((s) => [s, { description: DESCRIPTIONS[s] ?? 'Error', content: problem }])),
    },
  };
}
