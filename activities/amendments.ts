/** The side effects of an amendment's review: its screening, approvals and decision. */
import { applyAmendment, type AmendmentChanges } from '../domain/amendments';
import type { Actor, Flag } from '../domain/model';
import { contentFlags } from '../domain/screening';
import {
  recordAmendment,
  recordAmendmentApplied,
  recordAmendmentApproval,
  recordAmendmentRejected,
  type AmendmentDecisionRecord,
} from '../records/amendments';
import type { Step } from '../records/audit';
import { identifierDigests } from '../records/links';
import { findNotice, requestContent } from '../records/notices';
import type { ActivityDeps } from './index';

export function amendmentActivities({ prisma, log }: ActivityDeps) {
  return {
    /**
     * Screens the request as the amendment would make it (content checks only: the request is
     * already published, so a duplicate was judged before) and records the amendment with its flags.
     */
    async submitAmendment(input: Step & { reason: string; changes: AmendmentChanges; actor: Actor }): Promise<{ flags: Flag[] }> {
      const notice = await findNotice(prisma, input.noticeId);
      if (!notice) throw new Error(`request ${input.noticeId} is not recorded`);
      const amended = applyAmendment(requestContent(notice), input.changes);
      const flags = contentFlags(amended, new Date(input.at).toISOString().slice(0, 10));
      await recordAmendment(prisma, { ...input, flags });
      log.info({ noticeId: input.noticeId, amendmentId: input.eventId, flags }, 'amendment screened');
      return { flags };
    },

    async recordAmendmentApproval(input: Step & AmendmentDecisionRecord): Promise<void> {
      await recordAmendmentApproval(prisma, input);
      log.info({ noticeId: input.noticeId, amendmentId: input.amendmentId }, 'amendment approved once');
    },

    /** Applies an approved amendment; answers the countries a diffusion now also reaches. */
    async applyAmendment(input: Step & AmendmentDecisionRecord & { dueAt: number }): Promise<{ added: string[] }> {
      const amendment = await prisma.amendment.findUniqueOrThrow({ where: { id: input.amendmentId }, select: { changes: true } });
      const digests = await identifierDigests(prisma, (amendment.changes as unknown as AmendmentChanges).add?.assetsSought ?? []);
      const { added } = await recordAmendmentApplied(prisma, input, digests);
      log.info({ noticeId: input.noticeId, amendmentId: input.amendmentId, added }, 'amendment applied');
      return { added };
    },

    async rejectAmendment(input: Step & { amendmentId: string; reason?: string; actor: Actor }): Promise<void> {
      await recordAmendmentRejected(prisma, input);
      log.info({ noticeId: input.noticeId, amendmentId: input.amendmentId }, 'amendment rejected');
    },
  };
}
