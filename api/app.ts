/**
 * The Express application: HTTP in, services, HTTP out. Built here and listened on elsewhere
 * (system/), so tests import it.
 */
import crypto from 'node:crypto';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { consoleRoutes } from '../console/app';
import { FIELD_CODES, REFUSAL_CODES } from '../domain/codes';
import type { Services } from '../services';
import type { TrustProxy } from '../system/config';
import { httpMetrics } from './http-metrics';
import { allowedMethods, methodNotAllowed } from './methods';
import { authenticateAndLimit, noStore, recordRefusal, securityHeaders } from './perimeter';
import { attachmentRoutes } from './routes/attachments';
import { HttpProblem, problemBody, toProblem } from './problem';
import { actionRoutes } from './routes/actions';
import { adminRoutes } from './routes/admin';
import { extractRoutes } from './routes/extract';
import { identifierRoutes } from './routes/identifiers';
import { messageRoutes } from './routes/messages';
import { linkRoutes } from './routes/links';
import { noticeRoutes } from './routes/notices';
import { operationRoutes } from './routes/operations';
import { passkeyRoutes } from './routes/passkeys';
import { peopleRoutes } from './routes/people';
import { reportRoutes } from './routes/reports';
import { searchRoutes } from './routes/search';
import { workRoutes } from './routes/work';
import { securityRoutes } from './routes/security';
import { webhookRoutes } from './routes/webhooks';

/** A code list as the document shows it: one line per code with its meaning. */
const meanings = (codes: Record<string, string>) =>
  Object.entries(codes)
    .map(([code, meaning]) => `- \`${code}\`: ${meaning}`)
    .join('\n');

export interface AppDeps {
  services: Services;
  log: Logger;
  /** Calls a minute allowed per key, and per client address for calls without a valid key. */
  rateLimitPerMinute: number;
  /** Express's `trust proxy` (SILVER_TRUST_PROXY): unset, X-Forwarded-For is nobody's word and `req.ip` is the TCP peer. */
  trustProxy?: TrustProxy;
}

export function buildApp({ services, log, rateLimitPerMinute, trustProxy = false }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Before anything reads req.ip: rate limits, security events and the request log all take the client from it.
  app.set('trust proxy', trustProxy);
  app.use(httpMetrics(services));
  app.use(securityHeaders());
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: req.url, remoteAddress: (req.raw as Request).ip }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );

  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from POST /v1/api-keys',
  });
  registry.registerComponent('schemas', 'Problem', {
    type: 'object',
    required: ['type', 'title', 'status', 'code'],
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      code: {
        type: 'string',
        enum: Object.keys(REFUSAL_CODES),
        description: `Why the call was refused, as a stable word to act on:\n\n${meanings(REFUSAL_CODES)}`,
      },
      detail: { type: 'string' },
      errors: {
        type: 'array',
        items: {
          type: 'object',
          required: ['path', 'message', 'code'],
          properties: {
            path: { type: 'string' },
            message: { type: 'string' },
            code: {
              type: 'string',
              enum: Object.keys(FIELD_CODES),
              description: `What is wrong with the field:\n\n${meanings(FIELD_CODES)}`,
            },
          },
        },
      },
    },
  });

  app.use(operationRoutes(services, registry));

  // The key first, then the body: an unauthenticated call learns nothing from how its body is judged.
  const v1 = express.Router();
  v1.use(noStore, ...authenticateAndLimit(services, rateLimitPerMinute));
  v1.use(allowedMethods(registry)); // OPTIONS: what a path has, whatever body comes with it
  // Before the JSON parser: an upload's body is the file, read by its own parser up to its own limit.
  v1.use(attachmentRoutes(services, registry));
  v1.use(requireJsonWhenBody, express.json({ limit: '1mb', strict: true, type: () => true }));
  v1.use(peopleRoutes(services, registry));
  v1.use(passkeyRoutes(services, registry));
  v1.use(adminRoutes(services, registry));
  v1.use(noticeRoutes(services, registry));
  v1.use(actionRoutes(services, registry));
  v1.use(messageRoutes(services, registry));
  v1.use(extractRoutes(services, registry));
  v1.use(linkRoutes(services, registry));
  v1.use(searchRoutes(services, registry));
  v1.use(workRoutes(services, registry));
  v1.use(identifierRoutes(services, registry));
  v1.use(reportRoutes(services, registry));
  v1.use(securityRoutes(services, registry));
  v1.use(webhookRoutes(services, registry));
  v1.use(methodNotAllowed(registry));
  app.use('/v1', v1);

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Silver Notice workflow engine',
      version: '1.0.0',
      description:
        'Silver Notice and Silver Diffusion asset-tracing requests: submission by NCBs, legal review by the General Secretariat, ' +
        'publication to member countries and their responses. Errors are application/problem+json (RFC 9457).',
    },
    servers: [{ url: '/' }],
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Silver Notice API' }));
  // The web console (console/): pages at /, on the same services.
  app.use(consoleRoutes(services, { rateLimitPerMinute }));

  app.use(methodNotAllowed(registry, { '/openapi.json': ['get'] }));
  app.use((req, _res, next) => next(new HttpProblem(404, `No route ${req.method} ${req.path}`)));
  app.use(async (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let p = toProblem(err);
    // A failure no driver names is still the database's outage when the database does not answer either.
    if (p.status === 500) p = toProblem(await services.recheckOutage(err));
    if (p.status === 503) req.log?.warn({ err }, 'a part the system depends on is not answering');
    else if (p.status >= 500) req.log?.error({ err }, 'request failed');
    recordRefusal(services, err, p.status, req, res);
    if (res.headersSent) return;
    if (p.retryAfter) res.set('Retry-After', String(p.retryAfter));
    res
      .status(p.status)
      .type('application/problem+json')
      .send(JSON.stringify(problemBody(p.status, p.detail, p.errors, p.code)));
  });
  return app;
}

/**
 * Bodies must be JSON: checked before parsing so a form post or a file upload is a 415, not a
 * confusing 400. A body-less request passes through.
 */
function requireJsonWhenBody(req: Request, _res: Response, next: NextFunction) {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json') && !req.is('application/*+json')) {
    next(new HttpProblem(415, 'The body must be JSON (Content-Type: application/json)'));
    return;
  }
  // JSON is UTF-8 here: another declared charset (utf-16, latin1...) is 415, not a confusing 400.
  if (hasBody && /;\s*charset\s*=\s*(?!"?utf-8"?\s*(;|$))/i.test(req.headers['content-type'] ?? '')) {
    next(new HttpProblem(415, 'The body must be UTF-8 JSON'));
    return;
  }
  next();
}
