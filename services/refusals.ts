/**
 * Why a use case refuses a call. Services throw these; the API turns them into problem+json
 * statuses, the console into messages in the reader's language, both by `code`. They carry no HTTP.
 */
import type { Refused } from '../domain/actions';
import type { RefusalCode } from '../domain/codes';
import type { FieldProblem } from '../domain/request';

export type RefusalKind = 'INVALID' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT';

export class Refusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    readonly detail: string,
    readonly code: RefusalCode,
    readonly problems?: FieldProblem[],
    /** A NOT_FOUND for something that exists but is hidden from the caller (answered like any 404, recorded as a security event). */
    readonly hidden = false,
  ) {
    super(detail);
  }
}

export const invalid = (detail: string, problems?: FieldProblem[]) => new Refusal('INVALID', detail, 'VALIDATION', problems);
export const unauthenticated = (detail: string) => new Refusal('UNAUTHENTICATED', detail, 'UNAUTHENTICATED');
export const forbidden = (detail: string, code: RefusalCode = 'FORBIDDEN') => new Refusal('FORBIDDEN', detail, code);
export const notFound = (detail: string) => new Refusal('NOT_FOUND', detail, 'NOT_FOUND');
export const hidden = (detail: string) => new Refusal('NOT_FOUND', detail, 'NOT_FOUND', undefined, true);
export const conflict = (detail: string, code: RefusalCode) => new Refusal('CONFLICT', detail, code);
/** The catalogue's refusal of an action. */
export const refused = (r: Refused) => new Refusal(r.kind, r.message, r.code);

/** The same field problems, reported under `prefix` (e.g. a clarification's `changes`). */
export function under(prefix: string, problems: FieldProblem[]): FieldProblem[] {
  return problems.map((p) => ({ ...p, path: `${prefix}.${p.path}` }));
}
