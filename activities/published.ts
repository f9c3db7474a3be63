/** The side effects of what happens to a published request: answers, deadlines, blocking, renewal. */
import type { Actor, BlockingOutcome, RenewalDecision } from '../domain/model';
import {
  recordAcknowledgement,
  recordBlocking,
  recordBlockingDecision,
  recordDelay,
  recordReassessmentDue,
  recordRenewalDecision,
  recordRenewalRequest,
} from '../records/duties';
import { identifierDigests } from '../records/links';
import { recordOverdue, recordReminders, recordResponse, type ResponseRecord } from '../records/responses';
import type { Step } from '../records/steps';
import type { ActivityDeps } from './index';

export function publishedActivities({ prisma, log }: ActivityDeps) {
  return {
    async recordResponse(input: Step & ResponseRecord): Promise<void> {
      const { recorded } = await recordResponse(prisma, input, await identifierDigests(prisma, input.assets));
      if (!recorded)
        log.warn({ noticeId: input.noticeId, responseId: input.responseId }, 'response arrived after the request closed; not recorded');
      else log.info({ noticeId: input.noticeId, country: input.country, outcome: input.outcome, final: input.final }, 'response recorded');
    },

    async sendReminders(input: Step & { countries: string[] }): Promise<void> {
      await recordReminders(prisma, input);
      log.info({ noticeId: input.noticeId, countries: input.countries.length }, 'reminders sent');
    },

    async markOverdue(input: Step & { countries: string[] }): Promise<void> {
      await recordOverdue(prisma, input);
      log.info({ noticeId: input.noticeId, countries: input.countries.length }, 'recipients overdue');
    },

    async recordAcknowledgement(input: Step & { country: string; expectedBy?: number; actor: Actor }): Promise<void> {
      await recordAcknowledgement(prisma, input);
      log.info({ noticeId: input.noticeId, country: input.country }, 'acknowledged');
    },

    async recordDelay(input: Step & { country: string; reason: string; expectedBy: number; actor: Actor }): Promise<void> {
      await recordDelay(prisma, input);
      log.info(
        { noticeId: input.noticeId, country: input.country, expectedBy: new Date(input.expectedBy).toISOString() },
        'deadline put back',
      );
    },

    async recordBlocking(input: Step & { reason: string; decisionDueAt: number; actor: Actor }): Promise<void> {
      await recordBlocking(prisma, input);
      log.info({ noticeId: input.noticeId }, 'blocked by the CCF');
    },

    async recordBlockingDecision(
      input: Step & { outcome: BlockingOutcome; reason: string; blockedSince: number; stoodFor: number; actor: Actor },
    ): Promise<void> {
      await recordBlockingDecision(prisma, input);
      log.info({ noticeId: input.noticeId, outcome: input.outcome }, 'blocking decided');
    },

    async recordRenewalRequest(input: Step & { reason: string; actor: Actor }): Promise<void> {
      await recordRenewalRequest(prisma, input);
      log.info({ noticeId: input.noticeId }, 'renewal requested');
    },

    async recordRenewalDecision(
      input: Step & { decision: RenewalDecision; reason: string; expiresAt?: number; actor: Actor },
    ): Promise<void> {
      await recordRenewalDecision(prisma, input);
      log.info({ noticeId: input.noticeId, decision: input.decision }, 'renewal decided');
    },

    async askReassessment(input: Step & { expiresAt: number }): Promise<void> {
      await recordReassessmentDue(prisma, input);
      log.info({ noticeId: input.noticeId }, 'reassessment asked for');
    },
  };
}
