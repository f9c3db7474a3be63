/**
 * An action from a form: done, or refused in a way the reader can act on (a field to fix, a state
 * that does not allow it, a rule of the pilot), shown on the same page. Anything else, a request
 * that is not there or not theirs included, becomes the error page.
 */
import type { FieldProblem } from '../domain/request';
import { Refusal } from '../services/refusals';
import type { Ctx } from './context';
import { refusalText } from './i18n';

export type Attempt<T> = { ok: true; value: T } | { ok: false; status: number; problems: FieldProblem[]; notice: string };

const SHOWN_ON_THE_FORM = { INVALID: 400, CONFLICT: 409, FORBIDDEN: 403 } as const;

export async function attempt<T>(ctx: Ctx, run: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    if (!(err instanceof Refusal) || !(err.kind in SHOWN_ON_THE_FORM)) throw err;
    const status = SHOWN_ON_THE_FORM[err.kind as keyof typeof SHOWN_ON_THE_FORM];
    const problems = err.problems ?? [];
    return { ok: false, status, problems, notice: problems.length ? ctx.t('form.fix') : refusalText(ctx, err.code, err.detail) };
  }
}

/** A refusal found before calling the services: the problems the schema found. */
export const refusedForm = (ctx: Ctx, problems: FieldProblem[]): Attempt<never> => ({
  ok: false,
  status: 400,
  problems,
  notice: ctx.t('form.fix'),
});

/** A form's idempotency token: repeats of one form (a double click, a reload) do one thing. */
export function formToken(posted: unknown): string {
  return typeof posted === 'string' && /^[0-9a-f-]{36}$/.test(posted) ? posted : crypto.randomUUID();
}

/** What a form's page says above it after a refusal: the refusal itself, unless the form's problem summary says it. */
export const pageNotice = (refused: Attempt<unknown> | undefined) =>
  refused && !refused.ok && refused.problems.length === 0 ? { kind: 'error' as const, text: refused.notice } : undefined;
