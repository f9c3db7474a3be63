/**
 * The outbox's dispatcher: deliveries are queued with their notification, in its statement; this
 * loop wakes the sender of each country owed an attempt whose sender is not at work (holds no
 * lease), starting it if it has never run. A sender at work finds new deliveries by itself, so a
 * burst of publications costs one signal per country, not one workflow per delivery. A stop
 * anywhere loses nothing: the deliveries are in the table until attempted, and a country marked as
 * being woken is woken again by a later sweep if its sender has not taken its lease by then.
 * It runs beside the worker, every process that has one; the mark keeps them from repeating each other.
 */
import { sendersToWake } from '../records/webhooks';
import { senderWorkflowId, webhookSenderWorkflow, workWaitingSignal } from '../workflows/webhook-sender';
import type { ServiceDeps } from './context';

/** How long a woken sender has to take its lease before a sweep wakes it again. */
const WAKE_MS = 10_000;
/** Waking every country's sender at once is a burst on the Temporal server: a few at a time spread it. */
const SIGNALS_AT_ONCE = 10;

/** Tells the country's sender that work is waiting, starting it if it is not running. */
export async function wakeSender(deps: Pick<ServiceDeps, 'temporal' | 'taskQueue' | 'daySeconds'>, country: string): Promise<void> {
  await deps.temporal.workflow.signalWithStart(webhookSenderWorkflow, {
    workflowId: senderWorkflowId(country),
    taskQueue: deps.taskQueue,
    args: [{ country, daySeconds: deps.daySeconds }],
    signal: workWaitingSignal,
  });
}

export function deliveryDispatcher(deps: ServiceDeps, opts: { idleMs?: number } = {}) {
  const idleMs = opts.idleMs ?? 500;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  /** Wakes the senders with work waiting; how many it woke. */
  async function dispatch(): Promise<number> {
    const now = Date.now();
    const countries = await sendersToWake(deps.prisma, new Date(now), new Date(now + WAKE_MS));
    for (let i = 0; i < countries.length; i += SIGNALS_AT_ONCE) {
      await Promise.all(countries.slice(i, i + SIGNALS_AT_ONCE).map((c) => wakeSender(deps, c)));
    }
    return countries.length;
  }

  function loop(): void {
    if (stopped) return;
    running = dispatch()
      .catch((err) => deps.log.error({ err }, 'webhook dispatcher: could not wake senders; trying again'))
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
