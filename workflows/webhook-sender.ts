/**
 * A country webhook's sender (workflow id `webhook-sender-<country>`): drains the country's outbox
 * in the order of its notifications, then sleeps until its next retry is due or it is told work
 * is waiting (the `workWaiting` signal, sent with start by the dispatcher and by a retry by hand).
 *
 * The deliveries' state is in PostgreSQL, not here: the history holds one drain (an activity of at
 * most DRAIN_RUN_MS) after another while the sender is at work, whatever the number of
 * notifications, then waits. Each country has its own sender, on a worker with a slot for every
 * country, so a receiver that stalls holds up its own country only.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { ATTEMPT_TIMEOUT_MS } from '../domain/webhooks';
import { refuseUnsealedStart } from './messages';
import { deliveryTaskQueue } from './webhook-delivery';

/** A drain hands back to its workflow after this long (its history then shows progress). */
export const DRAIN_RUN_MS = 300_000;

const senderActivities = () =>
  proxyActivities<ReturnType<typeof createActivities>>({
    taskQueue: deliveryTaskQueue(workflowInfo().taskQueue),
    // The drain stops taking deliveries after DRAIN_RUN_MS; the attempt under way may last its timeout.
    startToCloseTimeout: DRAIN_RUN_MS + ATTEMPT_TIMEOUT_MS + 30_000,
    // A worker lost mid-drain shows as a missed heartbeat: the drain is made again elsewhere once
    // the lost one's lease on the country has run out.
    heartbeatTimeout: ATTEMPT_TIMEOUT_MS + 50_000,
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
  });

export const SENDER_WORKFLOW_PREFIX = 'webhook-sender-';
export const senderWorkflowId = (country: string) => `${SENDER_WORKFLOW_PREFIX}${country}`;

export const workWaitingSignal = defineSignal('workWaiting');

export interface SenderInput {
  country: string;
  daySeconds: number;
}

/** Events after which the sender starts afresh, whatever the server suggests. */
const HISTORY_LIMIT = 2_000;

export async function webhookSenderWorkflow(input: SenderInput): Promise<void> {
  refuseUnsealedStart(input);
  const { drainDeliveries } = senderActivities();
  let workWaiting = false;
  let lastWorkAt: number | undefined;
  setHandler(workWaitingSignal, () => void (workWaiting = true));
  for (;;) {
    workWaiting = false;
    const drained = await drainDeliveries({ country: input.country, daySeconds: input.daySeconds, lastWorkAt });
    const { nextInMs } = drained;
    lastWorkAt = drained.lastWorkAt;
    if (nextInMs !== 0 && !workWaiting) {
      if (nextInMs === null) await condition(() => workWaiting);
      else await condition(() => workWaiting, nextInMs);
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > HISTORY_LIMIT) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof webhookSenderWorkflow>(input);
    }
  }
}
