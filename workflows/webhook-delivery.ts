/**
 * One notification's way to its country's webhook (workflow id `webhook-delivery-<delivery id>`),
 * as deliveries were sent before each country had a sender (workflows/webhook-sender.ts). None is
 * started any more; the type stays registered so that runs started before finish: their next
 * attempt finds the delivery handed over to its country's sender and the run ends.
 */
import { condition, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { ATTEMPT_TIMEOUT_MS, retryDelays } from '../domain/webhooks';
import { refuseUnsealedStart } from './messages';

const deliveryActivities = () =>
  proxyActivities<ReturnType<typeof createActivities>>({
    taskQueue: deliveryTaskQueue(workflowInfo().taskQueue),
    // The receiver's time plus the database's: a worker lost mid-attempt shows as a timeout, and the
    // attempt is made again (with the same webhook-id).
    startToCloseTimeout: ATTEMPT_TIMEOUT_MS + 20_000,
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
  });

export const DELIVERY_WORKFLOW_PREFIX = 'webhook-delivery-';
export const deliveryWorkflowId = (deliveryId: string) => `${DELIVERY_WORKFLOW_PREFIX}${deliveryId}`;

/**
 * The attempts run on a task queue of their own, served by an activity-only worker: receivers
 * that stall hold its slots, never the ones the requests' activities use. The senders themselves
 * (a few short tasks per burst of work) run on the requests' queue, so no second workflow thread
 * and V8 isolate is needed for them.
 */
export const deliveryTaskQueue = (taskQueue: string) => `${taskQueue}-webhooks`;

export const retryNowSignal = defineSignal('retryNow');

export interface DeliveryInput {
  deliveryId: string;
  daySeconds: number;
  /** A retry by hand of a delivery whose run has ended: one attempt, sent even if one was delivered before. */
  once?: boolean;
}

export async function webhookDeliveryWorkflow(input: DeliveryInput): Promise<'DELIVERED' | 'CANCELLED' | 'FAILED'> {
  refuseUnsealedStart(input);
  const { attemptDelivery, giveUpDelivery } = deliveryActivities();
  let retryNow = false;
  setHandler(retryNowSignal, () => void (retryNow = true));
  const waits = input.once ? [] : retryDelays(input.daySeconds);
  for (let attempt = 0; ; attempt++) {
    retryNow = false;
    const result = await attemptDelivery({ deliveryId: input.deliveryId, resend: input.once });
    if (result !== 'RETRY') return result;
    if (attempt >= waits.length) break;
    await condition(() => retryNow, waits[attempt]);
  }
  await giveUpDelivery({ deliveryId: input.deliveryId });
  return 'FAILED';
}
