/**
 * What a request's workflow shows Temporal's visibility (the Web UI's filters, `temporal workflow
 * list --query`): codes and dates only, never anything personal. Defined once for the workflow,
 * the services that start it and the registration on the server (temporal/search-attributes.ts).
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributeUpdatePair } from '@temporalio/common';
import { patched, upsertSearchAttributes } from '@temporalio/workflow';

export const SEARCH_ATTRIBUTES = {
  status: defineSearchAttributeKey('SilverStatus', SearchAttributeType.KEYWORD),
  kind: defineSearchAttributeKey('SilverKind', SearchAttributeType.KEYWORD),
  requestingCountry: defineSearchAttributeKey('SilverRequestingCountry', SearchAttributeType.KEYWORD),
  reference: defineSearchAttributeKey('SilverReference', SearchAttributeType.KEYWORD),
  urgency: defineSearchAttributeKey('SilverUrgency', SearchAttributeType.KEYWORD),
  nextDueAt: defineSearchAttributeKey('SilverNextDueAt', SearchAttributeType.DATETIME),
};

/** What the workflow keeps current as the request moves. */
export interface Shown {
  status: string;
  reference?: string;
  urgency?: string;
  /** Epoch ms of the request's next deadline (a reminder, OVERDUE, lapse, reassessment or expiry). */
  nextDueAt?: number;
}

/** The updates that bring `before` (what was last shown) to `now`; a value gone is removed. */
export function searchAttributeUpdates(before: Shown | undefined, now: Shown): SearchAttributeUpdatePair[] {
  const pairs: SearchAttributeUpdatePair[] = [];
  if (now.status !== before?.status) pairs.push({ key: SEARCH_ATTRIBUTES.status, value: now.status });
  if (now.reference !== undefined && now.reference !== before?.reference)
    pairs.push({ key: SEARCH_ATTRIBUTES.reference, value: now.reference });
  if (now.urgency !== undefined && now.urgency !== before?.urgency) pairs.push({ key: SEARCH_ATTRIBUTES.urgency, value: now.urgency });
  if (now.nextDueAt !== before?.nextDueAt) {
    pairs.push({ key: SEARCH_ATTRIBUTES.nextDueAt, value: now.nextDueAt === undefined ? null : new Date(now.nextDueAt) });
  }
  return pairs;
}

/** Requests show their state in search attributes; runs older than that start showing it when they next go live. */
export const SEARCH_ATTRIBUTES_PATCH = 'search-attributes';

/**
 * A run's search attributes, kept current. Setting them is a command, hence the patch: histories
 * recorded before it replay without one.
 */
export class SearchAttributesShown {
  private shown?: Shown;

  update(state: Omit<Shown, 'nextDueAt'>, nextDueAt: number | undefined): void {
    if (!patched(SEARCH_ATTRIBUTES_PATCH)) return;
    const now: Shown = { status: state.status, reference: state.reference, urgency: state.urgency, nextDueAt };
    const updates = searchAttributeUpdates(this.shown, now);
    if (updates.length) upsertSearchAttributes(updates);
    this.shown = now;
  }
}
