/**
 * The outbox's dispatcher: deliveries are queued with their notification, in its transaction;
 * this loop starts a delivery workflow for each one not yet started, then marks it started. A stop
 * anywhere in between loses none: a queued delivery stays unmarked until its workflow exists, and
 * starting one twice is refused by Temporal (the workflow id is the delivery's), not sent twice.
 * It runs beside the worker, every process that has one; several at once only repeat each other.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { markDispatched, undispatchedDeliveries } from '../records/webhooks';
import { deliveryWorkflowId, webhookDeliveryWorkflow } from '../workflows/webhook-delivery';
import type { ServiceDeps } from './context';

const BATCH = 200;
const STARTS_AT_ONCE = 20;

export function deliveryDispatcher(deps: ServiceDeps, opts: { idleMs?: number } = {}) {
  const idleMs = opts.idleMs ?? 500;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function start(deliveryId: string): Promise<void> {
    try {
      await deps.temporal.workflow.start(webhookDeliveryWorkflow, {
        workflowId: deliveryWorkflowId(deliveryId),
        taskQueue: deps.taskQueue,
        args: [{ deliveryId, daySeconds: deps.daySeconds }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  /** Starts what is queued, a batch at a time; how many it started. */
  async function dispatch(): Promise<number> {
    let started = 0;
    for (;;) {
      const ids = await undispatchedDeliveries(deps.prisma, BATCH);
      for (let i = 0; i < ids.length; i += STARTS_AT_ONCE) {
        const chunk = ids.slice(i, i + STARTS_AT_ONCE);
        await Promise.all(chunk.map(start));
        await markDispatched(deps.prisma, chunk, new Date());
        started += chunk.length;
      }
      if (ids.length < BATCH || stopped) return started;
    }
  }

  function loop(): void {
    if (stopped) return;
    running = dispatch()
      .catch((err) => deps.log.error({ err }, 'webhook dispatcher: could not start deliveries; trying again'))
      .then(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(loop, idleMs);
      });
  }

  return {
    /** Sweeps now and then every `idleMs`. */
    start(): void {
      stopped = false;
      loop();
    },
    dispatch,
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
export type DeliveryDispatcher = ReturnType<typeof deliveryDispatcher>;
