/**
 * Who takes part in which thread of a request. `GS` is the requester's with the reviewers (the CCF
 * reads it); each recipient country has its own with the requester. Bundle-safe.
 */
import type { Relation } from './actions';

export const GS_THREAD = 'GS';
/** A message's longest body, in characters. */
export const MESSAGE_MAX = 5_000;

/** The threads `relation` may read, of a request published to `recipients` (none before publication). */
export function readableThreads(relation: Relation, own: string | null, recipients: readonly string[]): string[] {
  switch (relation) {
    case 'REQUESTER':
      return [GS_THREAD, ...recipients];
    case 'REVIEWER':
    case 'CCF':
      return [GS_THREAD];
    case 'RECIPIENT':
      return own ? [own] : [];
  }
}

/**
 * The thread a message goes to: the requester's to the recipient it names (the GS without one), a
 * recipient's to its own, a reviewer's to the GS. A string is the refusal: the thread is not the
 * caller's (NOT_YOUR_THREAD), or the request has none with that country (NO_SUCH_THREAD).
 */
export function threadToWrite(
  relation: Relation,
  own: string | null,
  country: string | undefined,
  recipients: readonly string[],
): { thread: string } | { refused: 'NOT_YOUR_THREAD' | 'NO_SUCH_THREAD' } {
  switch (relation) {
    case 'REQUESTER':
      if (country === undefined) return { thread: GS_THREAD };
      return recipients.includes(country) ? { thread: country } : { refused: 'NO_SUCH_THREAD' };
    case 'RECIPIENT':
      return own && (country === undefined || country === own) ? { thread: own } : { refused: 'NOT_YOUR_THREAD' };
    case 'REVIEWER':
      return country === undefined ? { thread: GS_THREAD } : { refused: 'NOT_YOUR_THREAD' };
    case 'CCF':
      return { refused: 'NOT_YOUR_THREAD' };
  }
}
