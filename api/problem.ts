/**
 * Errors as application/problem+json (RFC 9457). Handlers throw `HttpProblem`; the final error
 * handler in app.ts turns it, zod, Prisma, body-parser and Temporal errors into one shape.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ZodError } from 'zod';
import { FAILURE_CONFLICT, FAILURE_FORBIDDEN } from '../workflows/messages';

export interface FieldError {
  path: string;
  message: string;
}

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

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? TITLES[status] ?? 'Error');
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new HttpProblem(400, detail, errors);
export const unauthorized = (detail: string) => new HttpProblem(401, detail);
export const forbidden = (detail: string) => new HttpProblem(403, detail);
export const notFound = (detail = 'No such resource') => new HttpProblem(404, detail);
export const conflict = (detail: string) => new HttpProblem(409, detail);

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export function problemBody(status: number, detail?: string, errors?: FieldError[]): ProblemBody {
  return {
    type: status >= 500 ? 'about:blank' : `https://silver-notice.example/problems/${status}`,
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    ...(errors && errors.length ? { errors } : {}),
  };
}

export function zodFieldErrors(err: ZodError, prefix?: string): FieldError[] {
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

const MAX_FIELD_ERRORS = 100;
const clip = (path: string) => (path.length > 300 ? `${path.slice(0, 300)}…` : path);

/** Maps any error to a status, detail and field errors; unknown errors are 500 (and logged). */
export function toProblem(err: unknown): { status: number; detail?: string; errors?: FieldError[] } {
  if (err instanceof HttpProblem) return { status: err.status, detail: err.detail, errors: err.errors };
  if (err instanceof ZodError) return { status: 400, detail: 'The request is invalid', errors: zodFieldErrors(err) };
  const e = err as { type?: string; status?: number; code?: string; name?: string; cause?: unknown };
  // body-parser (express.json)
  if (e?.type === 'entity.too.large') return { status: 413, detail: 'The body is larger than 1 MB' };
  if (e?.type === 'entity.parse.failed') return { status: 400, detail: 'The body is not valid JSON' };
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
    return { status: 415, detail: 'The body must be UTF-8 JSON' };
  if (e?.type === 'request.aborted') return { status: 400, detail: 'The request was aborted' };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return { status: e.status, detail: (err as Error).message };
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      if (cause.type === FAILURE_CONFLICT) return { status: 409, detail: cause.message };
      if (cause.type === FAILURE_FORBIDDEN) return { status: 403, detail: cause.message };
    }
  }
  if (err instanceof WorkflowNotFoundError) return { status: 409, detail: 'The request is no longer open for actions' };
  // Prisma: unique violation, record not found
  if (e?.code === 'P2002') return { status: 409, detail: 'A conflicting record already exists' };
  if (e?.code === 'P2025') return { status: 404, detail: 'No such resource' };
  return { status: 500, detail: 'An unexpected error occurred; it has been logged' };
}
