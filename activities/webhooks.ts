/** Webhook deliveries: one attempt at a time, each recorded; the workflow decides when to try again. */
import crypto from 'node:crypto';
import { accepted, ATTEMPT_TIMEOUT_MS, notificationItem, webhookBody } from '../domain/webhooks';
import { deliveryToSend, endDelivery, recordAttempt } from '../records/webhooks';
import { postWebhook } from '../outbound/webhook-post';
import type { ActivityDeps } from './index';

/** What an attempt leaves to do: nothing (delivered, or no webhook to deliver to any more), or try again later. */
export type AttemptResult = 'DELIVERED' | 'CANCELLED' | 'RETRY';

export function webhookActivities({ prisma, log, allowPrivateWebhooks = false }: ActivityDeps) {
  return {
    /**
     * Sends the delivery's notification to its country's webhook and records how the receiver took
     * it. `resend`: send even if an earlier attempt was delivered (a retry asked for by hand).
     */
    async attemptDelivery(input: { deliveryId: string; resend?: boolean }): Promise<AttemptResult> {
      const found = await deliveryToSend(prisma, input.deliveryId);
      if (!found) return 'CANCELLED';
      const { delivery, notification, webhook } = found;
      if (!webhook) {
        await endDelivery(prisma, delivery.id, 'CANCELLED');
        log.info({ deliveryId: delivery.id, country: delivery.country }, 'webhook removed: delivery cancelled');
        return 'CANCELLED';
      }
      if (delivery.status === 'DELIVERED' && !input.resend) return 'DELIVERED';
      const now = new Date();
      const result = await postWebhook({
        url: webhook.url,
        secret: webhook.secret,
        messageId: delivery.id,
        body: webhookBody(notificationItem(notification)),
        now,
        timeoutMs: ATTEMPT_TIMEOUT_MS,
        allowPrivate: allowPrivateWebhooks,
        accepted,
      });
      await recordAttempt(prisma, { id: crypto.randomUUID(), deliveryId: delivery.id, at: now, ...result });
      const line = { deliveryId: delivery.id, country: delivery.country, outcome: result.outcome, statusCode: result.statusCode };
      if (result.outcome === 'DELIVERED') log.info(line, 'webhook delivered');
      else log.warn(line, 'webhook attempt failed');
      return result.outcome === 'DELIVERED' ? 'DELIVERED' : 'RETRY';
    },

    /** The delivery window closed without the receiver taking the message. */
    async giveUpDelivery(input: { deliveryId: string }): Promise<void> {
      await endDelivery(prisma, input.deliveryId, 'FAILED');
      log.warn({ deliveryId: input.deliveryId }, 'webhook delivery given up');
    },
  };
}
