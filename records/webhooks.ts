/**
 * Webhooks and their deliveries. A delivery is queued in the very transaction that writes its
 * notification (the outbox), so a notification is never without one, whatever stops when.
 */
import { inTransaction, type Db, type Prisma } from './db';

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED' | 'CANCELLED';
export type AttemptOutcome = 'DELIVERED' | 'REJECTED' | 'TIMEOUT' | 'UNREACHABLE' | 'ADDRESS_REFUSED';

export function setWebhook(db: Db, w: { country: string; url: string; secret: string; at: Date }) {
  return db.webhook.upsert({
    where: { country: w.country },
    create: { country: w.country, url: w.url, secret: w.secret, createdAt: w.at, updatedAt: w.at },
    update: { url: w.url, secret: w.secret, updatedAt: w.at },
  });
}

/** Whether there was one to remove. */
export async function removeWebhook(db: Db, country: string): Promise<boolean> {
  return (await db.webhook.deleteMany({ where: { country } })).count > 0;
}

/** Every country's webhook, without its secret, by country. */
export function listWebhooks(db: Db) {
  return db.webhook.findMany({ select: { country: true, url: true, createdAt: true, updatedAt: true }, orderBy: { country: 'asc' } });
}

export function findWebhook(db: Db, country: string) {
  return db.webhook.findUnique({ where: { country } });
}

/** Deliveries whose workflow has not been started yet, oldest first. */
export async function undispatchedDeliveries(db: Db, limit: number): Promise<string[]> {
  const rows = await db.webhookDelivery.findMany({
    where: { dispatchedAt: null },
    orderBy: { createdAt: 'asc' },
    select: { id: true },
    take: limit,
  });
  return rows.map((r) => r.id);
}

export async function markDispatched(db: Db, ids: string[], at: Date): Promise<void> {
  await db.webhookDelivery.updateMany({ where: { id: { in: ids }, dispatchedAt: null }, data: { dispatchedAt: at } });
}

/** A delivery with what it carries and where it goes (no webhook: the country's was removed). */
export async function deliveryToSend(db: Db, id: string) {
  const delivery = await db.webhookDelivery.findUnique({ where: { id } });
  if (!delivery) return undefined;
  const [notification, webhook] = await Promise.all([
    db.notification.findUniqueOrThrow({ where: { seq: delivery.notificationSeq } }),
    findWebhook(db, delivery.country),
  ]);
  return { delivery, notification, webhook };
}

/** One attempt and how it went; a delivered message stays delivered. Recording it again changes nothing. */
export async function recordAttempt(
  db: Db,
  a: { id: string; deliveryId: string; at: Date; outcome: AttemptOutcome; statusCode?: number; durationMs: number },
): Promise<void> {
  await inTransaction(db, async (tx) => {
    const { count } = await tx.webhookAttempt.createMany({
      data: [
        { id: a.id, deliveryId: a.deliveryId, at: a.at, outcome: a.outcome, statusCode: a.statusCode ?? null, durationMs: a.durationMs },
      ],
      skipDuplicates: true,
    });
    if (!count) return;
    await tx.webhookDelivery.update({ where: { id: a.deliveryId }, data: { attemptCount: { increment: 1 } } });
    if (a.outcome === 'DELIVERED') {
      await tx.webhookDelivery.updateMany({
        where: { id: a.deliveryId, status: { not: 'DELIVERED' } },
        data: { status: 'DELIVERED', deliveredAt: a.at },
      });
    }
  });
}

/** Ends a delivery still being tried (given up, or its webhook removed). */
export async function endDelivery(db: Db, id: string, status: Extract<DeliveryStatus, 'FAILED' | 'CANCELLED'>): Promise<void> {
  await db.webhookDelivery.updateMany({ where: { id, status: 'PENDING' }, data: { status } });
}

/** A delivery tried again by hand is being tried until its attempt ends. */
export async function reopenDelivery(db: Db, id: string): Promise<void> {
  await db.webhookDelivery.updateMany({ where: { id, status: { in: ['FAILED', 'CANCELLED'] } }, data: { status: 'PENDING' } });
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
