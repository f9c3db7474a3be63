/** The per-country notification feed an NCB polls. */
import type { NotificationType } from '../domain/model';
import { Prisma } from '../generated/prisma/client';
import type { Db } from './db';

export interface NotificationInput {
  eventId: string;
  noticeId: string;
  reference: string | null;
  type: NotificationType;
  countries: readonly string[];
  at: Date;
  /** What the country is told besides the type (a delay's reason). */
  detail?: string;
}

/**
 * Tells each notification's `countries` about a request, and queues a webhook delivery (owed an
 * attempt at once) for those with a webhook, in one statement. `eventId` is the step that causes
 * it: a retried step writes each country's notification (and its delivery) once.
 */
export async function notify(db: Db, ...notifications: NotificationInput[]): Promise<void> {
  const written = notificationsWritten(notifications);
  if (written) await db.$executeRaw`WITH ${written} SELECT 1`;
}

/**
 * `notify` as common table expressions, for a statement that writes more beside them (a step's
 * audit events); null when no country is told anything.
 */
export function notificationsWritten(notifications: NotificationInput[]): Prisma.Sql | null {
  const rows = notifications.flatMap((n) => n.countries.map((country) => ({ ...n, country })));
  if (rows.length === 0) return null;
  // One statement over arrays: a publication tells 195 countries, and Prisma's createMany spends
  // longer building a statement of that many rows than the database takes to run it.
  // The deliveries come from the rows this statement inserts: a notification and its delivery are
  // written together or not at all, even outside a transaction. A delivery is owed its first
  // attempt at once: by the clock the senders read, not by the workflow's, which a test server skips ahead.
  return Prisma.sql`
    notified AS (
      INSERT INTO "Notification" ("dedupeKey", "country", "type", "noticeId", "reference", "at", "detail", "caseNumber")
      SELECT u.*, (SELECT n."caseNumber" FROM "Notice" n WHERE n."id" = u."noticeId")
      FROM unnest(${rows.map((r) => `${r.eventId}:${r.country}`)}::text[], ${rows.map((r) => r.country)}::text[],
                  ${rows.map((r) => r.type)}::text[]::"NotificationType"[], ${rows.map((r) => r.noticeId)}::uuid[],
                  ${rows.map((r) => r.reference)}::text[], ${rows.map((r) => r.at)}::timestamptz[],
                  ${rows.map((r) => r.detail ?? null)}::text[]) AS u("dedupeKey", "country", "type", "noticeId", "reference", "at", "detail")
      ON CONFLICT DO NOTHING
      RETURNING "seq", "country", "at"
    ), queued AS (
      INSERT INTO "WebhookDelivery" ("id", "country", "notificationSeq", "createdAt", "nextAttemptAt")
      SELECT gen_random_uuid(), notified."country", notified."seq", notified."at", LEAST(notified."at", now())
      FROM notified JOIN "Webhook" w ON w."country" = notified."country"
      ON CONFLICT ("notificationSeq") DO NOTHING
    )`;
}

/** A country's notifications after `after` (a notification id), oldest first; only the unread ones if `unread`. */
export function notificationsFor(db: Db, country: string, after: bigint | undefined, limit: number, unread = false) {
  return db.notification.findMany({
    where: { country, ...(after !== undefined ? { seq: { gt: after } } : {}), ...(unread ? { readAt: null } : {}) },
    orderBy: { seq: 'asc' },
    take: limit,
  });
}

/**
 * Marks those of `ids` that are `country`'s notifications read at `now` (one already read keeps
 * its first readAt); ids of another country's notifications, or of none, are left alone. The
 * country's notifications among `ids`, with their readAt.
 */
export async function markRead(db: Db, country: string, ids: readonly bigint[], now: Date) {
  const own = { country, seq: { in: [...ids] } };
  await db.notification.updateMany({ where: { ...own, readAt: null }, data: { readAt: now } });
  return db.notification.findMany({ where: own, orderBy: { seq: 'asc' }, select: { seq: true, readAt: true } });
}

/** How many of a country's notifications are unread. */
export function unreadCount(db: Db, country: string): Promise<number> {
  return db.notification.count({ where: { country, readAt: null } });
}
