/**
 * Webhooks and their deliveries. A delivery is queued in the very statement that writes its
 * notification (the outbox), so a notification is never without one, whatever stops when; its
 * country's sender drains them.
 */
import type { Db, Prisma } from './db';

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED' | 'CANCELLED';
export type AttemptOutcome = 'DELIVERED' | 'REJECTED' | 'TIMEOUT' | 'UNREACHABLE' | 'ADDRESS_REFUSED';

export function setWebhook(db: Db, w: { country: string; url: string; secret: string; at: Date }) {
  return db.webhook.upsert({
    where: { country: w.country },
    create: { country: w.country, url: w.url, secret: w.secret, createdAt: w.at, updatedAt: w.at },
    update: { url: w.url, secret: w.secret, updatedAt: w.at },
  });
}

/**
 * Whether there was one to remove. What its country was still owed is cancelled with it, in the
 * same statement: a delivery never waits for a webhook that is gone.
 */
export async function removeWebhook(db: Db, country: string): Promise<boolean> {
  const [{ removed }] = await db.$queryRaw<{ removed: number }[]>`
    WITH removed AS (
      DELETE FROM "Webhook" WHERE "country" = ${country} RETURNING "country"
    ), cancelled AS (
      UPDATE "WebhookDelivery"
      SET "status" = CASE WHEN "status" = 'PENDING' THEN 'CANCELLED'::"WebhookDeliveryStatus" ELSE "status" END,
          "nextAttemptAt" = NULL, "retryOnce" = false
      WHERE "country" IN (SELECT "country" FROM removed) AND ("status" = 'PENDING' OR "nextAttemptAt" IS NOT NULL)
    )
    SELECT count(*)::int AS removed FROM removed`;
  return removed > 0;
}

/** Every country's webhook, without its secret, by country. */
export function listWebhooks(db: Db) {
  return db.webhook.findMany({ select: { country: true, url: true, createdAt: true, updatedAt: true }, orderBy: { country: 'asc' } });
}

export function findWebhook(db: Db, country: string) {
  return db.webhook.findUnique({ where: { country } });
}

// --- the senders' leases (workflows/webhook-sender.ts)

/**
 * Takes or renews the lease of the country's sender for `owner` until `until`: refused while
 * another owner's lease runs. 'REMOVED': the country has no webhook any more.
 */
export async function holdSender(
  db: Db,
  q: { country: string; owner: string; at: Date; until: Date },
): Promise<'HELD' | 'BUSY' | 'REMOVED'> {
  const held = await db.$executeRaw`
    UPDATE "Webhook" SET "senderId" = ${q.owner}::uuid, "senderUntil" = ${q.until}
    WHERE "country" = ${q.country} AND ("senderId" IS NULL OR "senderId" = ${q.owner}::uuid OR "senderUntil" < ${q.at})`;
  if (held) return 'HELD';
  return (await findWebhook(db, q.country)) ? 'BUSY' : 'REMOVED';
}

export async function releaseSender(db: Db, country: string, owner: string): Promise<void> {
  await db.$executeRaw`UPDATE "Webhook" SET "senderId" = NULL, "senderUntil" = NULL WHERE "country" = ${country} AND "senderId" = ${owner}::uuid`;
}

/**
 * The countries owed an attempt now whose sender holds no lease: each is marked as being woken
 * until `until` (so that the next sweep, or another process's, does not wake it again meanwhile)
 * and returned, for the caller to wake.
 */
export async function sendersToWake(db: Db, at: Date, until: Date): Promise<string[]> {
  const rows = await db.$queryRaw<{ country: string }[]>`
    UPDATE "Webhook" w SET "senderId" = NULL, "senderUntil" = ${until}
    WHERE (w."senderUntil" IS NULL OR w."senderUntil" < ${at})
      AND EXISTS (SELECT 1 FROM "WebhookDelivery" d WHERE d."country" = w."country" AND d."nextAttemptAt" <= ${at})
    RETURNING w."country"`;
  return rows.map((r) => r.country);
}

// --- the outbox

/**
 * The country's deliveries owed an attempt at `at`, in the order of their notifications, with what
 * they carry, and the webhook as it is now (a new secret or address applies from the next batch).
 */
export async function dueDeliveries(db: Db, country: string, at: Date, limit: number) {
  const deliveries = await db.webhookDelivery.findMany({
    where: { country, nextAttemptAt: { lte: at } },
    orderBy: { notificationSeq: 'asc' },
    take: limit,
    select: { id: true, notificationSeq: true, attemptCount: true, nextAttemptAt: true, retryOnce: true },
  });
  if (deliveries.length === 0) return { deliveries: [], webhook: null };
  const [notifications, webhook] = await Promise.all([
    db.notification.findMany({ where: { seq: { in: deliveries.map((d) => d.notificationSeq) } } }),
    findWebhook(db, country),
  ]);
  const bySeq = new Map(notifications.map((n) => [n.seq, n]));
  return { deliveries: deliveries.map((d) => ({ ...d, notification: bySeq.get(d.notificationSeq)! })), webhook };
}

/** Of `countries`, those owed an attempt at `at`. */
export async function countriesDue(db: Db, countries: string[], at: Date): Promise<string[]> {
  const rows = await db.$queryRaw<{ country: string }[]>`
    SELECT DISTINCT "country" FROM "WebhookDelivery" WHERE "country" = ANY(${countries}::text[]) AND "nextAttemptAt" <= ${at}`;
  return rows.map((r) => r.country);
}

/** When the country is next owed an attempt, if it is. */
export async function nextAttemptAt(db: Db, country: string): Promise<Date | null> {
  const found = await db.webhookDelivery.aggregate({ where: { country, nextAttemptAt: { not: null } }, _min: { nextAttemptAt: true } });
  return found._min.nextAttemptAt;
}

/**
 * One attempt and how it went, with what follows in the same statement: delivered (a delivered
 * message stays delivered, with its first time), tried again at `next`, or given up (`next` null).
 * `seen` is the delivery's `nextAttemptAt` when it was taken: a retry by hand or a removal made
 * during the attempt changed it, and keeps what it asked for.
 */
export async function recordAttempt(
  db: Db,
  a: {
    id: string;
    deliveryId: string;
    at: Date;
    outcome: AttemptOutcome;
    statusCode?: number;
    durationMs: number;
    seen: Date | null;
    next: Date | null;
  },
): Promise<void> {
  const delivered = a.outcome === 'DELIVERED';
  const next = delivered ? null : a.next;
  await db.$executeRaw`
    WITH tried AS (
      INSERT INTO "WebhookAttempt" ("id", "deliveryId", "at", "outcome", "statusCode", "durationMs")
      VALUES (${a.id}::uuid, ${a.deliveryId}::uuid, ${a.at}::timestamptz, ${a.outcome}::"WebhookAttemptOutcome", ${a.statusCode ?? null}::int, ${a.durationMs}::int)
      ON CONFLICT DO NOTHING
      RETURNING "deliveryId"
    )
    UPDATE "WebhookDelivery" d SET
      "attemptCount" = d."attemptCount" + 1,
      "status" = CASE
        WHEN ${delivered}::boolean THEN 'DELIVERED'::"WebhookDeliveryStatus"
        WHEN d."nextAttemptAt" IS NOT DISTINCT FROM ${a.seen}::timestamptz AND ${next}::timestamptz IS NULL AND d."status" = 'PENDING'
          THEN 'FAILED'::"WebhookDeliveryStatus"
        ELSE d."status" END,
      "deliveredAt" = CASE WHEN ${delivered}::boolean AND d."status" <> 'DELIVERED' THEN ${a.at}::timestamptz ELSE d."deliveredAt" END,
      "nextAttemptAt" = CASE WHEN d."nextAttemptAt" IS NOT DISTINCT FROM ${a.seen}::timestamptz THEN ${next}::timestamptz ELSE d."nextAttemptAt" END,
      "retryOnce" = CASE WHEN d."nextAttemptAt" IS NOT DISTINCT FROM ${a.seen}::timestamptz THEN false ELSE d."retryOnce" END
    FROM tried WHERE d."id" = tried."deliveryId"`;
}

/**
 * A delivery tried again by hand is owed an attempt at `at`: one still being tried keeps its
 * schedule after it; one whose tries had ended gets that one attempt (sent even if delivered before).
 */
export async function retryDelivery(db: Db, id: string, at: Date): Promise<void> {
  await db.$executeRaw`
    UPDATE "WebhookDelivery" SET
      "nextAttemptAt" = ${at},
      "retryOnce" = "retryOnce" OR "status" <> 'PENDING',
      "status" = CASE WHEN "status" IN ('FAILED', 'CANCELLED') THEN 'PENDING'::"WebhookDeliveryStatus" ELSE "status" END
    WHERE "id" = ${id}::uuid`;
}

/** The delivery as a delivery workflow of before the senders finds it. */
export function findDeliveryById(db: Db, id: string) {
  return db.webhookDelivery.findUnique({ where: { id }, select: { status: true } });
}

export function findDelivery(db: Db, country: string, id: string) {
  return db.webhookDelivery.findFirst({ where: { id, country } });
}

/** A country's deliveries, newest first, strictly after the position `before`; one more than `limit` tells there is a next page. */
export async function listDeliveries(db: Db, q: { country: string; limit: number; before?: { at: Date; id: string } }) {
  const where: Prisma.WebhookDeliveryWhereInput = { country: q.country };
  if (q.before) {
    where.OR = [{ createdAt: { lt: q.before.at } }, { createdAt: q.before.at, id: { lt: q.before.id } }];
  }
  const rows = await db.webhookDelivery.findMany({
    where,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
    include: {
      attempts: { orderBy: { at: 'asc' }, select: { at: true, outcome: true, statusCode: true, durationMs: true } },
    },
  });
  const notifications = await db.notification.findMany({
    where: { seq: { in: rows.map((r) => r.notificationSeq) } },
    select: { seq: true, type: true },
  });
  const typeOf = new Map(notifications.map((n) => [n.seq, n.type]));
  return rows.map((r) => ({ ...r, notificationType: typeOf.get(r.notificationSeq)! }));
}
