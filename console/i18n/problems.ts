/**
 * Refusals and field problems in the reader's language, by their codes (domain/codes.ts): the
 * English `detail` and `message` the API writes are for people reading the API, and are never
 * matched here.
 */
import type { RefusalCode } from '../../domain/codes';
import type { FieldProblem } from '../../domain/request';
import type { Ctx } from '../context';
import { codesIn, formatMessage } from './index';

/** What a refusal with this code says (an unknown code: what the API wrote). */
export function refusalText(ctx: Pick<Ctx, 'lang'>, code: RefusalCode | undefined, detail = ''): string {
  return (code && codesIn(ctx.lang).refusal[code]) || detail;
}

/** What a field problem says: its code's words, with its limit where it has one. */
export function problemText(ctx: Pick<Ctx, 'lang'>, problem: FieldProblem): string {
  const words = problem.code && codesIn(ctx.lang).field[problem.code];
  if (!words) return problem.message;
  // Words that need the limit, for a problem sent without one, give way to the API's own message.
  return problem.limit === undefined && /\{n\b/.test(words) ? problem.message : formatMessage(ctx.lang, words, { n: problem.limit ?? 0 });
}
