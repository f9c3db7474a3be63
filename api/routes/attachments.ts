/**
 * Files attached to a request. The upload is the catalogue's ATTACH, but its body is the file
 * itself, not JSON: it has its own route, parser and size limit, documented from the action's
 * declaration. Downloads answer the stored bytes as they came, never to be rendered in place.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { refusalCodesOf, rolesFor } from '../../domain/permissions';
import { uploadProblem, type AttachmentType } from '../../domain/attachments';
import type { Services } from '../../services';
import { ACTIONS } from '../../services/action-registry';
import { principalOf } from '../auth';
import { HttpProblem, zodFieldErrors } from '../problem';
import { idempotencyKey, IDEMPOTENCY_HEADER, operationIdOf, routeGroup } from '../route';
import { AttachmentList, AttachmentParams, AttachmentQuery, AttachmentView } from '../schemas/attachments';
import { IdParam } from '../schemas/common';

const READERS = ['NCB', 'REVIEWER', 'CCF'] as const;
const declared = ACTIONS.ATTACH;
const raw = declared.raw!;
const MIB = 1024 * 1024;

/** `filename*` as RFC 6266 and RFC 8187 write it: any name, percent-encoded UTF-8, with an ASCII fallback. */
function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** A file as downloaded (API and console): its bytes as stored, to be saved, never rendered in place. */
export function sendAttachment(res: Response, file: { contentType: string; filename: string; content: Uint8Array }): void {
  res
    .status(200)
    .set({
      'Content-Type': file.contentType,
      'Content-Length': String(file.content.byteLength),
      'Content-Disposition': contentDisposition(file.filename),
      'X-Content-Type-Options': 'nosniff',
      // A file never runs as a page, even opened in a tab.
      'Content-Security-Policy': "default-src 'none'; sandbox",
    })
    .end(Buffer.from(file.content));
}

/**
 * Only a caller who may attach gets its body read: its role, and a request it may know (404
 * otherwise, before up to 10 MiB are taken in); the media type is checked before a byte is read.
 */
function admitUpload(services: Services) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const principal = principalOf(res);
    if (!rolesFor('ATTACH').includes(principal.role))
      return next(new HttpProblem(403, `This action is for ${rolesFor('ATTACH').join(' or ')} keys; this key is ${principal.role}`));
    const params = IdParam.safeParse(req.params);
    if (!params.success) return next(new HttpProblem(400, 'The path is invalid', zodFieldErrors(params.error, 'path')));
    await services.reading.relationOf(params.data.id, principal);
    if (!req.is([...raw.types])) return next(new HttpProblem(415, `The file must be sent as one of ${raw.types.join(', ')}`));
    next();
  };
}

/** The file, up to the limit; a larger one is a 413 that says the limit. */
function readFile(): express.RequestHandler {
  const parse = express.raw({ limit: raw.limit, type: [...raw.types] });
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if ((err as { type?: string } | undefined)?.type !== 'entity.too.large') return next(err);
      const detail = `The file is larger than ${raw.limit / MIB} MiB`;
      next(new HttpProblem(413, detail, [{ path: '(body)', message: detail, code: 'TOO_BIG', limit: raw.limit }], 'TOO_LARGE'));
    });
}

export function attachmentRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const routes = routeGroup(router, registry, 'Attachments');
  const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
  const problems = (statuses: Record<number, string>) =>
    Object.fromEntries(Object.entries(statuses).map(([s, description]) => [s, { description, content: problem }]));

  registry.registerPath({
    method: 'post',
    path: `/v1/notices/{id}/${declared.path}`,
    operationId: operationIdOf('post', `/notices/:id/${declared.path}`),
    summary: declared.summary,
    tags: ['Attachments'],
    security: [{ bearerKey: [] }],
    description: [
      `Roles: ${rolesFor('ATTACH').join(', ')}`,
      "Listed in a view's `actions` as `ATTACH` when the caller may take it now.",
      `At most ${raw.limit / MIB} MiB; the type is checked against the file's first bytes.`,
      `Refusal codes: ${[...refusalCodesOf('ATTACH'), 'CONTENT_MISMATCH', 'TOO_LARGE', 'IDEMPOTENCY_MISMATCH'].map((c) => `\`${c}\``).join(', ')}.`,
    ].join('\n\n'),
    request: {
      params: IdParam,
      query: AttachmentQuery,
      headers: z.object(
        Object.fromEntries(
          Object.entries(IDEMPOTENCY_HEADER).map(([name, h]) => [
            name,
            z.string().regex(h.pattern).optional().openapi({ description: h.description }),
          ]),
        ),
      ),
      body: {
        required: true,
        content: Object.fromEntries(raw.types.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])),
      },
    },
    responses: {
      201: { description: declared.after, content: { 'application/json': { schema: AttachmentView } } },
      ...problems({
        400: 'A file name that cannot be kept, or no file',
        401: 'No key, an unknown key or a revoked key',
        403: 'The caller may not attach files to this request',
        404: 'No such request, or the caller may not know it exists',
        409: 'The request has ended, has 20 attachments, or the Idempotency-Key came with another file',
        413: `The file is larger than ${raw.limit / MIB} MiB`,
        415: `Not ${raw.types.join(', ')}, or the file is not what its Content-Type says (CONTENT_MISMATCH)`,
        429: 'More calls than the rate limit allows',
        503: 'The database is not answering for now',
      }),
    },
  });
  router.post(`/notices/:id/${declared.path}`, admitUpload(services), readFile(), async (req, res) => {
    const params = IdParam.safeParse(req.params);
    const query = AttachmentQuery.safeParse(req.query);
    if (!params.success) throw new HttpProblem(400, 'The path is invalid', zodFieldErrors(params.error, 'path'));
    if (!query.success) throw new HttpProblem(400, 'The query is invalid', zodFieldErrors(query.error, 'query'));
    const content: unknown = req.body;
    const contentType = req.is([...raw.types]) as string;
    const bytes = Buffer.isBuffer(content) ? content : Buffer.alloc(0);
    const problem = uploadProblem({ filename: query.data.filename, contentType, content: bytes }, 'query.filename');
    if (problem?.kind === 'NAME') throw new HttpProblem(400, 'The file name cannot be kept', problem.problems);
    if (problem?.kind === 'EMPTY')
      throw new HttpProblem(400, 'The body must be the file', [{ path: '(body)', message: 'A file is required', code: 'REQUIRED' }]);
    if (problem) throw new HttpProblem(415, `The file is not ${contentType}: its first bytes say otherwise`, undefined, 'CONTENT_MISMATCH');
    const stored = await services.attachments.upload(
      principalOf(res),
      params.data.id,
      {
        filename: query.data.filename,
        contentType: contentType as AttachmentType,
        shared: query.data.shared !== 'false',
        content: bytes as Uint8Array<ArrayBuffer>,
      },
      { idempotencyKey: idempotencyKey(req) },
    );
    res.status(201).json(stored);
  });

  routes.get(
    `/notices/:id/${declared.path}`,
    {
      summary: "The request's attachments the caller may read (a recipient: its own, and the requester's shared ones)",
      roles: READERS,
      params: IdParam,
      success: { status: 200, schema: AttachmentList, description: 'The attachments, oldest first, without their bytes' },
      errors: [404],
    },
    async ({ params, principal }) => ({ body: { items: await services.attachments.list(principal, params.id) } }),
  );

  registry.registerPath({
    method: 'get',
    path: `/v1/notices/{id}/${declared.path}/{aid}`,
    operationId: operationIdOf('get', `/notices/:id/${declared.path}/:aid`),
    summary: 'Download an attachment: the bytes as they were uploaded (each download is audited)',
    tags: ['Attachments'],
    security: [{ bearerKey: [] }],
    description: `Roles: ${READERS.join(', ')}`,
    request: { params: AttachmentParams },
    responses: {
      200: {
        description: 'The file, with `Content-Disposition: attachment` and `X-Content-Type-Options: nosniff`',
        content: Object.fromEntries(raw.types.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])),
      },
      ...problems({
        400: 'An id that is not a UUID',
        401: 'No key, an unknown key or a revoked key',
        403: 'The caller’s role may not read attachments',
        404: 'No such attachment, or the caller may not read it',
        429: 'More calls than the rate limit allows',
        503: 'The database is not answering for now',
      }),
    },
  });
  router.get(`/notices/:id/${declared.path}/:aid`, async (req, res) => {
    const principal = principalOf(res);
    if (!(READERS as readonly string[]).includes(principal.role))
      throw new HttpProblem(403, 'Attachments are read by NCB, REVIEWER and CCF keys');
    const params = AttachmentParams.safeParse(req.params);
    if (!params.success) throw new HttpProblem(400, 'The path is invalid', zodFieldErrors(params.error, 'path'));
    sendAttachment(res, await services.attachments.download(principal, params.data.id, params.data.aid));
  });
  return router;
}
