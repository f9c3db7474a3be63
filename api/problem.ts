/**
 * Errors as application/problem+json (RFC 9457). Services refuse with a `Refusal`; the final error
 * handler turns it, zod and body-parser errors into one shape. Anything else is a 500 (and logged).
 */
import { ZodError } from 'zod';
import type { FieldProblem } from '../domain/request';
import { unavailablePart } from '../services/outages';
import { Refusal, type RefusalKind } from '../services/refusals';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const STATUS_OF: Record<RefusalKind, number> = { INVALID: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409 };

/** An HTTP-only refusal (a route or media type the API does not have). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail?: string,
    readonly errors?: FieldProblem[],
  ) {
    super(detail ?? TITLES[status] ?? 'Error');
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldProblem[];
}

export function problemBody(status: number, detail?: string, errors?: FieldProblem[]): ProblemBody {
  return {
    type: status >= 500 ? 'about:blank' : `https://silver-notice.example/problems/${status}`,
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    ...(errors && errors.length ? { errors } : {}),
  };
}

const MAX_FIELD_ERRORS = 100;
const clip = (path: string) => (path.length > 300 ? `${path.slice(0, 300)}…` : path);

export function zodFieldErrors(err: ZodError, prefix?: string): FieldProblem[] {
  // An unknown field is reported at its own path, one entry per field.
  const issues = err.issues.flatMap((i): { path: PropertyKey[]; message: string }[] =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: [...i.path, k], message: 'is not a known field' })) : [i],
  );
  // A hostile body can break thousands of rules, or name a field with a huge key: keep answers small.
  const errors = issues.slice(0, MAX_FIELD_ERRORS).map((i) => ({
    path: clip([prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== '').join('.') || '(root)'),
    message: i.message,
  }));
  if (issues.length > MAX_FIELD_ERRORS) {
    errors.push({ path: '(root)', message: `and ${issues.length - MAX_FIELD_ERRORS} more errors not listed` });
  }
  return errors;
}

/** Seconds a caller is asked to wait when the database or Temporal is not answering. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;
const OUTAGE_DETAIL = {
  database: 'The database is not answering; try again after Retry-After seconds',
  temporal:
    'The workflow service is not answering; try again after Retry-After seconds (an action may still take effect: read the request before repeating it)',
};

/** Maps any error to a status, detail and field errors (and, for an outage, when to try again). */
export function toProblem(err: unknown): { status: number; detail?: string; errors?: FieldProblem[]; retryAfter?: number } {
  if (err instanceof Refusal) return { status: STATUS_OF[err.kind], detail: err.detail, errors: err.problems };
  if (err instanceof HttpProblem) return { status: err.status, detail: err.detail, errors: err.errors };
  if (err instanceof ZodError) return { status: 400, detail: 'The request is invalid', errors: zodFieldErrors(err) };
  const e = err as { type?: string; status?: number };
  // body-parser (express.json)
  if (e?.type === 'entity.too.large') return { status: 413, detail: 'The body is larger than 1 MB' };
  if (e?.type === 'entity.parse.failed') return { status: 400, detail: 'The body is not valid JSON' };
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
    return { status: 415, detail: 'The body must be UTF-8 JSON' };
  if (e?.type === 'request.aborted') return { status: 400, detail: 'The request was aborted' };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return { status: e.status, detail: (err as Error).message };
  const part = unavailablePart(err);
  if (part) return { status: 503, detail: OUTAGE_DETAIL[part], retryAfter: OUTAGE_RETRY_AFTER_SECONDS };
  return { status: 500, detail: 'An unexpected error occurred; it has been logged' };
}
