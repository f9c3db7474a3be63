/**
 * Errors as application/problem+json (RFC 9457). Services refuse with a `Refusal`; the final error
 * handler turns it, zod and body-parser errors into one shape. Anything else is a 500 (and logged).
 * Every problem carries a `code`, and every field error one of the field codes (domain/codes.ts):
 * what clients and the console act on.
 */
import { ZodError, type z } from 'zod';
import type { FieldCode, RefusalCode } from '../domain/codes';
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

/** The code a problem of this status carries when nothing more precise is known. */
const CODE_OF_STATUS: Record<number, RefusalCode> = {
  400: 'VALIDATION',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'WRONG_STATE',
  413: 'TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};
const codeOfStatus = (status: number): RefusalCode => CODE_OF_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION');

/** An HTTP-only refusal (a route or media type the API does not have). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail?: string,
    readonly errors?: FieldProblem[],
    readonly code: RefusalCode = codeOfStatus(status),
  ) {
    super(detail ?? TITLES[status] ?? 'Error');
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: RefusalCode;
  detail?: string;
  errors?: (FieldProblem & { code: FieldCode })[];
}

const PROBLEM_TYPE_BASE = 'https://silver-notice.example/problems/';

export function problemBody(
  status: number,
  detail?: string,
  errors?: FieldProblem[],
  code: RefusalCode = codeOfStatus(status),
): ProblemBody {
  return {
    type: `${PROBLEM_TYPE_BASE}${status}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    ...(detail ? { detail } : {}),
    ...(errors && errors.length ? { errors: errors.map((e) => ({ ...e, code: e.code ?? 'INVALID' })) } : {}),
  };
}

/** The bound a too-small or too-big value broke. */
function limitOf(i: z.core.$ZodIssue): number | undefined {
  const bound = i.code === 'too_big' ? i.maximum : i.code === 'too_small' ? i.minimum : undefined;
  return typeof bound === 'number' && Number.isFinite(bound) ? bound : undefined;
}

/** The field code of a zod issue: its own where the rule set one (`params.code`), else by the kind of issue. */
function fieldCodeOf(i: z.core.$ZodIssue): FieldCode {
  const own = (i as { params?: { code?: FieldCode } }).params?.code;
  if (own) return own;
  switch (i.code) {
    case 'invalid_type':
      return i.input === undefined ? 'REQUIRED' : 'TYPE';
    case 'invalid_value':
      return 'CHOICE';
    case 'unrecognized_keys':
      return 'UNKNOWN_FIELD';
    case 'too_small':
      if (i.origin === 'number' || i.origin === 'int' || i.origin === 'bigint') return 'TOO_SMALL';
      // An empty text or list where one is needed: the reader is told it is required.
      return Number(i.minimum) <= 1 ? 'REQUIRED' : 'TOO_SHORT';
    case 'too_big':
      return i.origin === 'number' || i.origin === 'int' || i.origin === 'bigint' ? 'TOO_BIG' : 'TOO_LONG';
    case 'not_multiple_of':
      return 'WHOLE_NUMBER';
    case 'invalid_format':
      return i.format === 'date' ? 'DATE' : i.format === 'datetime' ? 'DATE_TIME' : 'FORMAT';
    default:
      return 'INVALID';
  }
}

const MAX_FIELD_ERRORS = 100;
const clip = (path: string) => (path.length > 300 ? `${path.slice(0, 300)}…` : path);

export function zodFieldErrors(err: ZodError, prefix?: string): FieldProblem[] {
  // An unknown field is reported at its own path, one entry per field.
  const issues = err.issues.flatMap((i): { path: PropertyKey[]; message: string; code: FieldCode; limit?: number }[] =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: [...i.path, k], message: 'is not a known field', code: 'UNKNOWN_FIELD' }))
      : [{ path: i.path, message: i.message, code: fieldCodeOf(i), limit: limitOf(i) }],
  );
  // A hostile body can break thousands of rules, or name a field with a huge key: keep answers small.
  const errors: FieldProblem[] = issues.slice(0, MAX_FIELD_ERRORS).map((i) => ({
    path: clip([prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== '').join('.') || '(root)'),
    message: i.message,
    code: i.code,
    ...(i.limit !== undefined ? { limit: i.limit } : {}),
  }));
  if (issues.length > MAX_FIELD_ERRORS) {
    errors.push({ path: '(root)', message: `and ${issues.length - MAX_FIELD_ERRORS} more errors not listed`, code: 'INVALID' });
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
export function toProblem(err: unknown): {
  status: number;
  code?: RefusalCode;
  detail?: string;
  errors?: FieldProblem[];
  retryAfter?: number;
} {
  if (err instanceof Refusal) return { status: STATUS_OF[err.kind], code: err.code, detail: err.detail, errors: err.problems };
  if (err instanceof HttpProblem) return { status: err.status, code: err.code, detail: err.detail, errors: err.errors };
  if (err instanceof ZodError) return { status: 400, detail: 'The request is invalid', errors: zodFieldErrors(err) };
  const e = err as { type?: string; status?: number };
  // body-parser (express.json)
  if (e?.type === 'entity.too.large') return { status: 413, detail: 'The body is larger than 1 MB' };
  if (e?.type === 'entity.parse.failed') return { status: 400, code: 'MALFORMED', detail: 'The body is not valid JSON' };
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
    return { status: 415, detail: 'The body must be UTF-8 JSON' };
  if (e?.type === 'request.aborted') return { status: 400, code: 'MALFORMED', detail: 'The request was aborted' };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return { status: e.status, detail: (err as Error).message };
  const part = unavailablePart(err);
  if (part) return { status: 503, detail: OUTAGE_DETAIL[part], retryAfter: OUTAGE_RETRY_AFTER_SECONDS };
  return { status: 500, detail: 'An unexpected error occurred; it has been logged' };
}
