/** Erasing personal data once requests have ended long enough ago. */
import { retentionSpan } from '../domain/retention';
import { days, DELETION_REMINDER_DAYS } from '../domain/time';
import { remindUnconfirmedDeletions } from '../records/follow-up';
import { endedBefore, purgeRequest } from '../records/retention';
import type { ActivityDeps } from './index';

export const DEFAULT_RETENTION_DAYS = 180;
const BATCH = 200;

export function retentionActivities({ prisma, log, retentionDays = DEFAULT_RETENTION_DAYS, daySeconds = 86400 }: ActivityDeps) {
  return {
    /** Erases every request ended `retentionDays` before `now` (workflow time); how many it erased. */
    async purgeEndedRequests(input: { now: number }): Promise<number> {
      const cutoff = new Date(input.now - retentionSpan(retentionDays, daySeconds));
      let purged = 0;
      for (;;) {
        const due = await endedBefore(prisma, cutoff, BATCH);
        for (const { id } of due) if (await purgeRequest(prisma, id, new Date(input.now))) purged++;
        if (due.length < BATCH) break;
      }
      if (purged) log.info({ purged, retentionDays }, 'personal data of ended requests erased');
      return purged;
    },

    /**
     * Reminds, once, each recipient that has not confirmed deleting a request withdrawn, cancelled
     * or expired DELETION_REMINDER_DAYS before `now` (workflow time); how many it reminded.
     */
    async remindDeletions(input: { now: number }): Promise<number> {
      const cutoff = new Date(input.now - days(DELETION_REMINDER_DAYS, daySeconds));
      let reminded = 0;
      for (;;) {
        const batch = await remindUnconfirmedDeletions(prisma, cutoff, new Date(input.now), BATCH);
        reminded += batch;
        if (batch < BATCH) break;
      }
      if (reminded) log.info({ reminded }, 'recipients reminded to confirm deletions');
      return reminded;
    },
  };
}
