/**
 * Why a use case refuses a call. Services throw these; the API turns them into problem+json
 * statuses, the console into messages. They carry no HTTP.
 */
import type { FieldProblem } from '../domain/request';

export type RefusalKind = 'INVALID' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT';

export class Refusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    readonly detail: string,
    readonly problems?: FieldProblem[],
    /** A NOT_FOUND for something that exists but is hidden from the caller (answered like any 404, recorded as a security event). */
    readonly hidden = false,
  ) {
    super(detail);
  }
}

export const invalid = (detail: string, problems?: FieldProblem[]) => new Refusal('INVALID', detail, problems);
export const unauthenticated = (detail: string) => new Refusal('UNAUTHENTICATED', detail);
export const forbidden = (detail: string) => new Refusal('FORBIDDEN', detail);
export const notFound = (detail: string) => new Refusal('NOT_FOUND', detail);
export const hidden = (detail: string) => new Refusal('NOT_FOUND', detail, undefined, true);
export const conflict = (detail: string) => new Refusal('CONFLICT', detail);

/** The same field problems, reported under `prefix` (e.g. a clarification's `changes`). */
export function under(prefix: string, problems: FieldProblem[]): FieldProblem[] {
  return problems.map((p) => ({ ...p, path: `${prefix}.${p.path}` }));
}
