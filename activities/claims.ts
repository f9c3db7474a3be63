/** A reviewer's claim on a request's review, written to the record. */
import type { Actor } from '../domain/model';
import { recordClaim, recordRelease } from '../records/claims';
import type { Step } from '../records/audit';
import type { ActivityDeps } from './index';

export function claimActivities({ prisma, log }: ActivityDeps) {
  return {
    async recordClaim(input: Step & { actor: Actor; from?: string; reason?: string }): Promise<void> {
      await recordClaim(prisma, input);
      log.info({ noticeId: input.noticeId, takenOver: input.from !== undefined }, 'review claimed');
    },

    async recordRelease(input: Step & { actor: Actor }): Promise<void> {
      await recordRelease(prisma, input);
      log.info({ noticeId: input.noticeId }, 'review claim released');
    },
  };
}
