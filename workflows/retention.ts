/**
 * The retention sweep: one long-running workflow (id `silver-retention`) erases the personal data
 * of requests that ended SILVER_RETENTION_DAYS ago, sweeping at a steady pace on workflow time, so
 * requests that ended before it ever ran are erased too. Each sweep also reminds the recipients that
 * have not confirmed deleting a request ended DELETION_REMINDER_DAYS ago.
 */
import { continueAsNew, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { refuseUnsealedStart } from './messages';

const { purgeEndedRequests, remindDeletions } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export const RETENTION_WORKFLOW_ID = 'silver-retention';
const SWEEPS_PER_RUN = 100;

export async function retentionWorkflow(input: { sweepEveryMs: number }): Promise<void> {
  refuseUnsealedStart(input);
  for (let sweep = 0; sweep < SWEEPS_PER_RUN; sweep++) {
    await purgeEndedRequests({ now: Date.now() });
    // Sweeps recorded before deletion reminders existed replay without them.
    if (patched('deletion-reminders')) await remindDeletions({ now: Date.now() });
    await sleep(input.sweepEveryMs);
  }
  await continueAsNew<typeof retentionWorkflow>(input);
}
