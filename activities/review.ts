/** The side effects of a request's review, publication and closing. */
import type { Actor, Flag, Status } from '../domain/model';
import { recipientsOf } from '../domain/recipients';
import { applyChanges, type RequestChanges } from '../domain/request';
import { responseWindowDays } from '../domain/time';
import { contentFlags, subjectKey } from '../domain/screening';
import { findNotice, possibleDuplicates, requestContent } from '../records/notices';
import {
  recordClarification,
  recordClosure,
  recordDecision,
  recordPublication,
  recordPublishingDecision,
  recordScreening,
  type DecisionRecord,
  type Outcome,
  type Publication,
  type Published as RecordedPublication,
  type Step,
} from '../records/steps';
import { readPilotSettings } from '../records/pilot';
import { identifierDigests } from '../records/links';
import type { ActivityDeps } from './index';

/** A publication as the workflow asks for it: the recipients are read from the record. */
type Publishing = Omit<Publication, 'recipients'>;
type Published = Pick<RecordedPublication, 'reference' | 'recipients'>;

export function reviewActivities({ prisma, log }: ActivityDeps) {
  /** A guarded write found the request elsewhere than expected: nothing was written. */
  const stale = (step: string, noticeId: string, outcome: Outcome) => {
    if (!outcome.moved) log.warn({ noticeId, found: outcome.status }, `${step}: the request has moved on; nothing written`);
  };

  /** Whom the request goes to under the pilot's settings of the moment. */
  const recipientsNow = async (noticeId: string) => {
    const notice = await findNotice(prisma, noticeId);
    if (!notice) throw new Error(`request ${noticeId} is not recorded`);
    return recipientsOf(notice, await readPilotSettings(prisma));
  };

  return {
    /** Completeness, consistency, duplicate and Article 3 checks; stores the flags. */
    async screenNotice(step: Step): Promise<{ flags: Flag[] }> {
      const notice = await findNotice(prisma, step.noticeId);
      if (!notice) throw new Error(`request ${step.noticeId} is not recorded`);
      const { subject, offence } = requestContent(notice);
      const flags = contentFlags({ subject, offence }, new Date(step.at).toISOString().slice(0, 10));
      const duplicates = await possibleDuplicates(prisma, notice);
      if (duplicates.length > 0) flags.push('POSSIBLE_DUPLICATE');
      const outcome = await recordScreening(prisma, { ...step, flags, possibleDuplicates: duplicates.map((d) => d.id) });
      stale('screening', step.noticeId, outcome);
      log.info({ noticeId: step.noticeId, flags }, 'request screened');
      return { flags };
    },

    async recordDecision(input: Step & DecisionRecord): Promise<void> {
      stale('decision', input.noticeId, await recordDecision(prisma, input));
      log.info({ noticeId: input.noticeId, decision: input.decision, status: input.status }, 'decision recorded');
    },

    /** Applies the changes to the request as it stands (the caller checked the result); returns its response days and urgency. */
    async applyClarification(
      input: Step & { message: string; changes: RequestChanges; actor: Actor },
    ): Promise<{ responseDays: number; urgency: string }> {
      const notice = await findNotice(prisma, input.noticeId);
      if (!notice) throw new Error(`request ${input.noticeId} is not recorded`);
      const before = requestContent(notice);
      const content = applyChanges(before, input.changes);
      const digests = await identifierDigests(prisma, content.assetsSought);
      const outcome = await recordClarification(
        prisma,
        { ...input, content, before, subjectKey: subjectKey(content.subject), changedFields: Object.keys(input.changes) },
        digests,
      );
      stale('clarification', input.noticeId, outcome);
      log.info({ noticeId: input.noticeId, changed: Object.keys(input.changes) }, 'clarification recorded');
      const current = outcome.moved ? content : requestContent(notice);
      return { responseDays: responseWindowDays(current.urgency, current.responseDays), urgency: current.urgency };
    },

    /** Assigns the reference, fixes the recipients and their due dates, and tells each recipient. */
    async publishNotice(input: Publishing): Promise<Published> {
      const published = await recordPublication(prisma, { ...input, recipients: await recipientsNow(input.noticeId) });
      log.info({ noticeId: input.noticeId, reference: published.reference, recipients: published.recipients.length }, 'request published');
      return { reference: published.reference, recipients: published.recipients };
    },

    /** An approval that publishes: `recordDecision` and `publishNotice` in one step and one transaction. */
    async recordPublishingDecision(input: { decision: Step & DecisionRecord; publication: Publishing }): Promise<Published> {
      const { decision, publication } = input;
      const recipients = await recipientsNow(publication.noticeId);
      const published = await recordPublishingDecision(prisma, decision, { ...publication, recipients });
      stale('decision', decision.noticeId, published.decision);
      log.info(
        {
          noticeId: decision.noticeId,
          decision: decision.decision,
          reference: published.reference,
          recipients: published.recipients.length,
        },
        'decision recorded; request published',
      );
      return { reference: published.reference, recipients: published.recipients };
    },

    /** Moves the request to a final state; tells recipients when asked to. */
    async closeNotice(
      input: Step & { status: Status; reason?: string; grounds?: string[]; actor?: Actor; notify?: 'WITHDRAWN' | 'CANCELLED' | 'EXPIRED' },
    ): Promise<void> {
      stale('closure', input.noticeId, await recordClosure(prisma, input));
      log.info({ noticeId: input.noticeId, status: input.status }, 'request closed');
    },
  };
}
