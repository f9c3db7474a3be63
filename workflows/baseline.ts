/**
 * Baselines for the benchmarks: the same shapes as the real workflow with nothing behind them, so a
 * benchmark can tell what Temporal itself costs from what the case record adds.
 */
import { condition, defineUpdate, proxyActivities, setHandler, allHandlersFinished } from '@temporalio/workflow';
import type { createBaselineActivities } from '../activities/baseline';

const act = proxyActivities<ReturnType<typeof createBaselineActivities>>({ startToCloseTimeout: '1 minute' });

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
    await act.noop();
    await act.noop();
    status = 'PUBLISHED';
    return status;
  });
  setHandler(baselineRespondUpdate, async (country) => {
    await act.noop();
    answered.add(country);
    return status;
  });
  await act.noop();
  status = 'UNDER_REVIEW';
  await condition(() => status === 'PUBLISHED' && answered.size >= recipients);
  await act.noop();
  status = 'COMPLETED';
  await condition(allHandlersFinished);
  return status;
}
