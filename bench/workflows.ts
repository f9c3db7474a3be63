/**
 * The benchmarks' workflow bundle: the production workflow, and baselines of the same shapes with
 * nothing behind them, so a benchmark can tell what Temporal itself costs from what the case record
 * adds. None of this is in the production bundle.
 */
import { condition, defineUpdate, proxyActivities, setHandler, allHandlersFinished } from '@temporalio/workflow';
import type { baselineActivities } from './system';

export { silverNoticeWorkflow, webhookDeliveryWorkflow, webhookSenderWorkflow } from '../workflows';

const activities = proxyActivities<typeof baselineActivities>({ startToCloseTimeout: '1 minute' });

/** Starts and ends at once: what starting any workflow costs. */
export async function emptyNoticeWorkflow(): Promise<void> {}

export const baselineDecideUpdate = defineUpdate<string>('baselineDecide');
export const baselineRespondUpdate = defineUpdate<string, [string]>('baselineRespond');

/** Screening, an approval that publishes, and one final answer per recipient, on empty activities. */
export async function baselineLifecycleWorkflow(recipients: number): Promise<string> {
  let status = 'SUBMITTED';
  const answered = new Set<string>();
  setHandler(baselineDecideUpdate, async () => {
    await condition(() => status === 'UNDER_REVIEW');
    await activities.noop();
    await activities.noop();
    status = 'PUBLISHED';
    return status;
  });
  setHandler(baselineRespondUpdate, async (country) => {
    await activities.noop();
    answered.add(country);
    return status;
  });
  await activities.noop();
  status = 'UNDER_REVIEW';
  await condition(() => status === 'PUBLISHED' && answered.size >= recipients);
  await activities.noop();
  status = 'COMPLETED';
  await condition(allHandlersFinished);
  return status;
}
