/**
 * The perimeter of the API: security headers on every answer, no caching of /v1 answers, the
 * caller's key checked before anything else (its body included), rate limits per key and per
 * client address, and every refused call handed to the security-event recorder.
 */
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import helmet from 'helmet';
import type { Principal, Services } from '../services';
import { Refusal } from '../services/refusals';
import type { SecurityEventKind } from '../services/perimeter';
import { identify } from './auth';
import { HttpProblem } from './problem';

/**
 * helmet's headers (nosniff, Referrer-Policy, HSTS, frame and cross-origin policies...) with its
 * Content-Security-Policy, which /docs (swagger-ui, scripts served from here, inline styles) lives
 * within; without upgrade-insecure-requests, which would break /docs served over plain HTTP.
 */
export const securityHeaders = (): RequestHandler =>
  helmet({
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null, frameAncestors: ["'none'"] } },
  });

/** Answers about cases and people must not linger in a browser or proxy cache. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

export const RATE_WINDOW_MS = 60_000;

/**
 * Who is calling, then whether they called too often. A valid key is counted per key; a call
 * without a valid key is counted per client address and then refused with 401 (or 429 beyond
 * the limit), before its body is read.
 */
export function authenticateAndLimit(services: Services, perMinute: number): RequestHandler[] {
  const refuseUnknown: RequestHandler = (_req, res, next) => next(res.locals.refusal);
  return [identify(services), ...rateLimits(services, perMinute), refuseUnknown];
}

/**
 * The rate limits, once the caller is known (`res.locals.principal`, or none): per key, or per
 * client address. The API and the console count in the same windows: a key has one budget.
 */
export function rateLimits(services: Services, perMinute: number): RequestHandler[] {
  const limits: Partial<Options> = {
    windowMs: RATE_WINDOW_MS,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new HttpProblem(429, `More than ${perMinute} calls a minute; try again after Retry-After seconds`)),
  };
  const perKey = rateLimit({
    ...limits,
    identifier: 'per-key',
    store: services.perimeter.callCounter(RATE_WINDOW_MS, 'key:', { keyUse: true }),
    skip: (_req, res) => !res.locals.principal,
    keyGenerator: (_req, res) => (res.locals.principal as Principal).keyId,
  });
  const perAddress = rateLimit({
    ...limits,
    identifier: 'per-address',
    store: services.perimeter.callCounter(RATE_WINDOW_MS, 'address:'),
    skip: (_req, res) => Boolean(res.locals.principal),
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
  });
  return [perKey, perAddress];
}

/** Which refused calls are security events: 401, 403, 429, and a 404 for a request hidden from the caller. */
function securityKind(err: unknown, status: number): SecurityEventKind | undefined {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 404 && err instanceof Refusal && err.hidden) return 'NOT_FOUND_HIDDEN';
  return undefined;
}

/** Queues a security event for a refused call (no database write on this path). */
export function recordRefusal(services: Services, err: unknown, status: number, req: Request, res: Response): void {
  const kind = securityKind(err, status);
  if (!kind) return;
  const principal = res.locals.principal as Principal | undefined;
  services.perimeter.security.record({
    kind,
    keyId: principal?.keyId,
    userId: principal?.userId,
    method: req.method.slice(0, 16),
    path: req.originalUrl.split('?')[0].slice(0, 300),
    ip: req.ip ?? '',
  });
}
