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
 * Takes or renews the leases of countries' senders, each for its `owner` until `until`: refused
 * while another owner's lease runs ('BUSY'); 'REMOVED': the country has no webhook any more. One
 * statement for all the senders that ask at once.
 */
export async function holdSenders(
  db: Db,
  leases: { country: string; owner: string }[],
  at: Date,
  until: Date,
): Promise<(lease: { country: string; owner: string }) => 'HELD' | 'BUSY' | 'REMOVED'> {
  const rows = await db.$queryRaw<{ country: string; holder: string | null }[]>`
    WITH asked AS (
      SELECT * FROM unnest(${leases.map((l) => l.country)}::text[], ${leases.map((l) => l.owner)}::uuid[]) AS a("country", "owner")
    ), held AS (
      UPDATE "Webhook" w SET "senderId" = asked."owner", "senderUntil" = ${until}
      FROM asked
      WHERE w."country" = asked."country"
        AND (w."senderId" IS NULL OR w."senderId" = asked."owner" OR w."senderUntil" < ${at})
      RETURNING w."country"::text AS "country", w."senderId"::text AS "holder"
    )
    SELECT w."country"::text AS "country", held."holder"
    FROM "Webhook" w LEFT JOIN held ON held."country" = w."country"::text
    WHERE w."country" = ANY(${leases.map((l) => l.country)}::text[])`;
  const holder = new Map(rows.map((r) => [r.country, r.holder]));
  return (lease) => {
    if (!holder.has(lease.country)) return 'REMOVED';
    return holder.get(lease.country) === lease.owner ? 'HELD' : 'BUSY';
  };
}

/** Gives up leases (each only if its owner still holds it). */
export async function releaseSenders(db: Db, leases: { country: string; owner: string }[]): Promise<void> {
  await db.$executeRaw`
    UPDATE "Webhook" w SET "senderId" = NULL, "senderUntil" = NULL
    FROM unnest(${leases.map((l) => l.country)}::text[], ${leases.map((l) => l.owner)}::uuid[]) AS a("country", "owner")
    WHERE w."country" = a."country" AND w."senderId" = a."owner"`;
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

type Notification = Awaited<ReturnType<Db['notification']['findUniqueOrThrow']>>;

/** A delivery owed an attempt, with what it carries and where it goes. */
export interface DueDelivery {
  id: string;
  country: string;
  attemptCount: number;
  nextAttemptAt: Date;
  retryOnce: boolean;
  url: string;
  secret: string;
  notification: Notification;
}

/**
 * The deliveries of each of `countries` owed an attempt at `at` (at most `perCountry` each), in the
 * order of their notifications, with the webhook as it is now (a new secret or address applies
 * from the next batch). Two statements for all the countries whose senders ask at once.
 */
export async function dueDeliveries(db: Db, countries: string[], at: Date, perCountry: number): Promise<DueDelivery[]> {
  const rows = await db.$queryRaw<(Omit<DueDelivery, 'notification'> & { notificationSeq: bigint })[]>`
    SELECT d."id"::text AS "id", w."country"::text AS "country", d."attemptCount", d."nextAttemptAt", d."retryOnce", w."url", w."secret",
           d."notificationSeq"
    FROM "Webhook" w
    CROSS JOIN LATERAL (
      SELECT * FROM "WebhookDelivery" x WHERE x."country" = w."country" AND x."nextAttemptAt" <= ${at}
      ORDER BY x."notificationSeq" LIMIT ${perCountry}::int
    ) d
    WHERE w."country" = ANY(${countries}::text[])
    ORDER BY d."notificationSeq"`;
  if (rows.length === 0) return [];
  const notifications = await db.notification.findMany({ where: { seq: { in: rows.map((r) => r.notificationSeq) } } });
  const bySeq = new Map(notifications.map((n) => [n.seq, n]));
  return rows.map(({ notificationSeq, ...d }) => ({ ...d, notification: bySeq.get(notificationSeq)! }));
}

/** Of `countries`, those owed an attempt at `at`, and those whose webhook was removed. */
export async function countriesDue(db: Db, countries: string[], at: Date): Promise<{ country: string; removed: boolean }[]> {
  return db.$queryRaw<{ country: string; removed: boolean }[]>`
    SELECT c AS "country", NOT EXISTS (SELECT 1 FROM "Webhook" w WHERE w."country" = c::char(2)) AS "removed"
    FROM unnest(${countries}::text[]) AS c
    WHERE NOT EXISTS (SELECT 1 FROM "Webhook" w WHERE w."country" = c::char(2))
       OR EXISTS (SELECT 1 FROM "WebhookDelivery" d WHERE d."country" = c::char(2) AND d."nextAttemptAt" <= ${at})`;
}

/** When each of `countries` is next owed an attempt, for those that are. */
export async function nextAttemptsAt(db: Db, countries: string[]): Promise<Map<string, Date>> {
  const found = await db.webhookDelivery.groupBy({
    by: ['country'],
    where: { country: { in: countries }, nextAttemptAt: { not: null } },
    _min: { nextAttemptAt: true },
  });
  return new Map(found.map((f) => [f.country, f._min.nextAttemptAt!]));
}

/** One attempt: how it went, and what follows (`next`: the next attempt, null: none). */
export interface Attempt {
  id: string;
  deliveryId: string;
  at: Date;
  outcome: AttemptOutcome;
  statusCode?: number;
  durationMs: number;
  /** The delivery's `nextAttemptAt` when it was taken. */
  seen: Date;
  next: Date | null;
}

/**
 * Attempts and what follows each, in one statement: delivered (a delivered message stays
 * delivered, with its first time), tried again at `next`, or given up (`next` null). A retry by
 * hand or a removal made during an attempt changed the delivery's `nextAttemptAt` from `seen`, and
 * keeps what it asked for. Recording an attempt again changes nothing.
 */
export async function recordAttempts(db: Db, attempts: Attempt[]): Promise<void> {
  if (attempts.length === 0) return;
  const column = <T>(f: (a: Attempt) => T) => attempts.map(f);
  await db.$executeRaw`
    WITH a AS (
      SELECT * FROM unnest(${column((a) => a.id)}::uuid[], ${column((a) => a.deliveryId)}::uuid[], ${column((a) => a.at)}::timestamptz[],
                           ${column((a) => a.outcome)}::text[], ${column((a) => a.statusCode ?? null)}::int[], ${column((a) => a.durationMs)}::int[],
                           ${column((a) => a.seen)}::timestamptz[], ${column((a) => (a.outcome === 'DELIVERED' ? null : a.next))}::timestamptz[])
        AS a("id", "deliveryId", "at", "outcome", "statusCode", "durationMs", "seen", "next")
    ), tried AS (
      INSERT INTO "WebhookAttempt" ("id", "deliveryId", "at", "outcome", "statusCode", "durationMs")
      SELECT "id", "deliveryId", "at", "outcome"::"WebhookAttemptOutcome", "statusCode", "durationMs" FROM a
      ON CONFLICT DO NOTHING
      RETURNING "id"
    )
    UPDATE "WebhookDelivery" d SET
      "attemptCount" = d."attemptCount" + 1,
      "status" = CASE
        WHEN a."outcome" = 'DELIVERED' THEN 'DELIVERED'::"WebhookDeliveryStatus"
        WHEN d."nextAttemptAt" IS NOT DISTINCT FROM a."seen" AND a."next" IS NULL AND d."status" = 'PENDING' THEN 'FAILED'::"WebhookDeliveryStatus"
        ELSE d."status" END,
      "deliveredAt" = CASE WHEN a."outcome" = 'DELIVERED' AND d."status" <> 'DELIVERED' THEN a."at" ELSE d."deliveredAt" END,
      "nextAttemptAt" = CASE WHEN d."nextAttemptAt" IS NOT DISTINCT FROM a."seen" THEN a."next" ELSE d."nextAttemptAt" END,
      "retryOnce" = CASE WHEN d."nextAttemptAt" IS NOT DISTINCT FROM a."seen" THEN false ELSE d."retryOnce" END
    FROM a JOIN tried ON tried."id" = a."id"
    WHERE d."id" = a."deliveryId"`;
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
