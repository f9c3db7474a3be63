/** Webhooks per country: set and removed by ADMIN, deliveries listed to ADMIN and that country's NCB, retried by hand. */
import crypto from 'node:crypto';
import { recordAction } from '../records/audit';
import { findDelivery, findWebhook, listDeliveries, listWebhooks, removeWebhook, retryDelivery, setWebhook } from '../records/webhooks';
import { receiverProblem } from '../outbound/webhook-post';
import type { Principal, ServiceDeps } from './context';
import type { CursorCodec } from './cursors';
import { wakeSender } from './deliveries';
import { conflict, forbidden, invalid, notFound } from './refusals';

/** A new signing secret in the Standard Webhooks form. */
const newSecret = () => `whsec_${crypto.randomBytes(32).toString('base64')}`;

export function webhookService(deps: ServiceDeps, cursors: CursorCodec) {
  const { prisma } = deps;

  /** ADMIN sees every country's; an NCB its own country's only. */
  function mayRead(principal: Principal, country: string): void {
    if (principal.role === 'NCB' && principal.country !== country) throw forbidden("An NCB sees its own country's deliveries only");
  }

  return {
    /** Sets (or replaces) the country's webhook with a new secret, shown only in this answer. */
    async put(principal: Principal, country: string, url: string) {
      const problem = await receiverProblem(url, deps.allowPrivateWebhooks ?? false);
      if (problem) throw invalid('The body is invalid', [{ path: 'url', code: 'ADDRESS', message: problem }]);
      const secret = newSecret();
      await setWebhook(prisma, { country, url, secret, at: new Date() });
      // Its sender is at work before the first notification comes.
      await wakeSender(deps, country);
      await recordAction(prisma, principal, 'WEBHOOK_SET', { country });
      return { country, url, secret };
    },

    /** Every country's webhook, without its secret (for administrators). */
    async list() {
      return (await listWebhooks(prisma)).map((w) => ({
        country: w.country,
        url: w.url,
        createdAt: w.createdAt.toISOString(),
        updatedAt: w.updatedAt.toISOString(),
      }));
    },

    async get(country: string) {
      const webhook = await findWebhook(prisma, country);
      if (!webhook) throw notFound(`No webhook is set for ${country}`);
      return { country, url: webhook.url, createdAt: webhook.createdAt.toISOString(), updatedAt: webhook.updatedAt.toISOString() };
    },

    /** What the country was still owed is cancelled with it. */
    async remove(principal: Principal, country: string): Promise<void> {
      if (!(await removeWebhook(prisma, country))) throw notFound(`No webhook is set for ${country}`);
      await recordAction(prisma, principal, 'WEBHOOK_REMOVED', { country });
    },

    /** Newest first, each with its attempts (oldest first). */
    async deliveries(principal: Principal, country: string, q: { limit: number; cursor?: string }) {
      mayRead(principal, country);
      const before = q.cursor ? await cursors.decode(q.cursor) : undefined;
      if (before && !/^[0-9a-f-]{36}$/.test(before.key)) {
        throw invalid('The query is invalid', [{ path: 'query.cursor', code: 'CURSOR', message: 'is not a cursor this API gave out' }]);
      }
      const rows = await listDeliveries(prisma, { country, limit: q.limit, before: before && { at: before.at, id: before.key } });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((d) => ({
          id: d.id,
          notificationId: d.notificationSeq.toString(),
          type: d.notificationType,
          status: d.status,
          createdAt: d.createdAt.toISOString(),
          deliveredAt: d.deliveredAt?.toISOString() ?? null,
          attempts: d.attempts.map((a) => ({
            at: a.at.toISOString(),
            outcome: a.outcome,
            statusCode: a.statusCode,
            durationMs: a.durationMs,
          })),
        })),
        nextCursor: rows.length > q.limit ? await cursors.encode({ at: last.createdAt, key: last.id }) : null,
      };
    },

    /**
     * Sends a delivery again now: one still being tried is attempted at once and keeps its schedule
     * after; one whose tries have ended gets one more attempt (sent even if it was delivered before).
     */
    async retry(principal: Principal, country: string, id: string) {
      const delivery = await findDelivery(prisma, country, id);
      if (!delivery) throw notFound(`No delivery ${id} for ${country}`);
      if (!(await findWebhook(prisma, country))) throw conflict(`No webhook is set for ${country}: set one before retrying`, 'NO_WEBHOOK');
      await retryDelivery(prisma, id, new Date());
      await wakeSender(deps, country);
      await recordAction(prisma, principal, 'WEBHOOK_RETRIED', { country, deliveryId: id });
      return { id, status: 'PENDING' as const };
    },
  };
}
