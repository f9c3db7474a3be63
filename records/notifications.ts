/** The per-country notification feed an NCB polls. */
import type { NotificationType } from '../domain/model';
import type { Db } from './db';
import { queueDeliveries } from './webhooks';

/**
 * Tells `countries` about a request, and queues a webhook delivery for those with a webhook.
 * `eventId` is the step that causes it: a retried step writes each country's notification once.
 */
export async function notify(
  db: Db,
  n: {
    eventId: string;
    noticeId: string;
    reference: string | null;
    type: NotificationType;
    countries: readonly string[];
    at: Date;
    /** What the country is told besides the type (a delay's reason). */
    detail?: string;
  },
): Promise<void> {
  if (n.countries.length === 0) return;
  await db.notification.createMany({
    data: n.countries.map((country) => ({
      dedupeKey: `${n.eventId}:${country}`,
      country,
      type: n.type,
      noticeId: n.noticeId,
      reference: n.reference,
      at: n.at,
      detail: n.detail ?? null,
    })),
    skipDuplicates: true,
  });
  await queueDeliveries(db, n.eventId, n.at);
}

/** A country's notifications after `after` (a notification id), oldest first. */
export function notificationsFor(db: Db, country: string, after: bigint | undefined, limit: number) {
  return db.notification.findMany({
    where: { country, ...(after !== undefined ? { seq: { gt: after } } : {}) },
    orderBy: { seq: 'asc' },
    take: limit,
  });
}
