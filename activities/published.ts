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
import { recordOverdue, recordReminders, recordResponses, type ResponseRecord } from '../records/responses';
import type { Step } from '../records/steps';
import type { ActivityDeps } from './index';

export function publishedActivities({ prisma, log }: ActivityDeps) {
  const recordAnswers = async (answers: (Step & ResponseRecord)[]): Promise<void> => {
    const digests = await Promise.all(answers.map((a) => identifierDigests(prisma, a.assets)));
    const { recorded } = await recordResponses(prisma, answers, digests);
    answers.forEach((a, i) => {
      if (!recorded[i])
        log.warn({ noticeId: a.noticeId, responseId: a.responseId }, 'response arrived after the request closed; not recorded');
      else log.info({ noticeId: a.noticeId, country: a.country, outcome: a.outcome, final: a.final }, 'response recorded');
    });
  };
  return {
    /** Runs that started before answers were taken together record them one at a time. */
    recordResponse: (input: Step & ResponseRecord) => recordAnswers([input]),
    /** Answers the workflow took while an earlier write was under way, in one transaction. */
    recordResponses: recordAnswers,

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
