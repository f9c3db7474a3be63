/**
 * Side effects of the Silver Notice workflow: the case record, screening, notifications and audit.
 *
 * Every write is idempotent: ids come from the workflow (deterministic across replays), rows are
 * inserted with skipDuplicates or after an existence check inside one transaction, so a retried
 * activity or a replayed workflow writes nothing twice.
 */
import type { Logger } from 'pino';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import { MEMBER_COUNTRIES } from '../domain/countries';
import type { Actor, Flag, Status } from '../domain/model';
import { contentFlags, subjectKey, type ScreenableRequest } from '../domain/screening';
import type { ResponseInput } from '../workflows/messages';
import { recordAudit, SYSTEM_ACTOR, type AuditActor } from './audit';

type Tx = Prisma.TransactionClient;

export interface ActivityDeps {
  prisma: PrismaClient;
  log: Logger;
}

interface Stamp {
  noticeId: string;
  /** Id of the audit event this step writes; also keys its notifications. */
  eventId: string;
  /** Workflow time, epoch ms: the timers and the record agree on it. */
  at: number;
}

export function createActivities({ prisma, log }: ActivityDeps) {
  async function notify(tx: Tx, eventId: string, noticeId: string, reference: string | null, type: string, countries: string[], at: Date) {
    if (countries.length === 0) return;
    await tx.notification.createMany({
      data: countries.map((country) => ({
        dedupeKey: `${eventId}:${country}`,
        country,
        type: type as never,
        noticeId,
        reference,
        at,
      })),
      skipDuplicates: true,
    });
  }

  return {
    /** Completeness, consistency, duplicate and Article 3 checks; stores the flags. */
    async screenNotice(input: Stamp): Promise<{ flags: Flag[] }> {
      const at = new Date(input.at);
      return prisma.$transaction(async (tx) => {
        const notice = await tx.notice.findUniqueOrThrow({ where: { id: input.noticeId } });
        const flags = contentFlags(
          { subject: notice.subject, offence: notice.offence } as unknown as ScreenableRequest,
          at.toISOString().slice(0, 10),
        );
        const duplicates = await tx.notice.findMany({
          where: {
            id: { not: notice.id },
            requestingCountry: notice.requestingCountry,
            subjectKey: notice.subjectKey,
            status: { in: ['SUBMITTED', 'UNDER_REVIEW', 'CLARIFICATION_REQUESTED', 'PUBLISHED'] },
          },
          select: { id: true, reference: true },
          take: 10,
        });
        if (duplicates.length > 0) flags.push('POSSIBLE_DUPLICATE');
        await tx.notice.update({ where: { id: notice.id }, data: { flags, status: 'UNDER_REVIEW', updatedAt: at } });
        await recordAudit(tx, {
          id: input.eventId,
          noticeId: notice.id,
          at,
          type: 'SCREENED',
          actor: SYSTEM_ACTOR,
          data: { flags, possibleDuplicates: duplicates.map((d) => d.id) },
        });
        log.info({ noticeId: notice.id, flags }, 'request screened');
        return { flags };
      });
    },

    async recordDecision(input: {
      noticeId: string;
      decisionId: string;
      at: number;
      decision: string;
      reason?: string;
      grounds: string[];
      actor: Actor;
      status: Status;
      releaseQuota: boolean;
      approvals: number;
      approvalsRequired: number;
    }): Promise<void> {
      const at = new Date(input.at);
      await prisma.$transaction(async (tx) => {
        if (await tx.decision.findUnique({ where: { id: input.decisionId }, select: { id: true } })) return;
        const notice = await tx.notice.findUniqueOrThrow({ where: { id: input.noticeId } });
        await tx.decision.create({
          data: {
            id: input.decisionId,
            noticeId: input.noticeId,
            decision: input.decision as never,
            reason: input.reason ?? null,
            grounds: input.grounds,
            reviewerKeyId: input.actor.keyId,
            at,
          },
        });
        await tx.notice.update({
          where: { id: input.noticeId },
          data: {
            status: input.status,
            updatedAt: at,
            firstDecisionAt: notice.firstDecisionAt ?? at,
            ...(input.status === 'REJECTED' ? { closedAt: at } : {}),
            ...(input.releaseQuota ? { holdsQuota: false } : {}),
          },
        });
        await recordAudit(tx, {
          id: input.decisionId,
          noticeId: input.noticeId,
          at,
          type: 'DECISION',
          actor: input.actor,
          data: {
            decision: input.decision,
            reason: input.reason ?? null,
            grounds: input.grounds,
            status: input.status,
            approvals: input.approvals,
            approvalsRequired: input.approvalsRequired,
          },
        });
        await notify(tx, input.decisionId, input.noticeId, notice.reference, 'DECISION', [notice.requestingCountry], at);
      });
    },

    async applyClarification(input: {
      noticeId: string;
      clarificationId: string;
      at: number;
      message: string;
      changes: Record<string, unknown>;
      actor: Actor;
    }): Promise<{ responseDays: number }> {
      const at = new Date(input.at);
      return prisma.$transaction(async (tx) => {
        const done = await tx.clarification.findUnique({ where: { id: input.clarificationId }, select: { id: true } });
        const notice = await tx.notice.findUniqueOrThrow({ where: { id: input.noticeId } });
        if (done) return { responseDays: notice.responseDays };
        const c = input.changes as Record<string, never>;
        const data: Prisma.NoticeUpdateInput = { status: 'UNDER_REVIEW', updatedAt: at };
        if (c.recipients !== undefined) data.requestedRecipients = c.recipients;
        if (c.purposes !== undefined) data.purposes = c.purposes;
        if (c.subject !== undefined) {
          data.subject = c.subject;
          data.subjectKey = subjectKey(c.subject);
        }
        if (c.offence !== undefined) data.offence = c.offence;
        if (c.assetsSought !== undefined) data.assetsSought = c.assetsSought;
        for (const k of ['handlingCode', 'urgency', 'language', 'responseDays'] as const) {
          if (c[k] !== undefined) (data as Record<string, unknown>)[k] = c[k];
        }
        const updated = await tx.notice.update({ where: { id: input.noticeId }, data });
        await tx.clarification.create({
          data: {
            id: input.clarificationId,
            noticeId: input.noticeId,
            message: input.message,
            changes: input.changes as Prisma.InputJsonValue,
            keyId: input.actor.keyId,
            at,
          },
        });
        await recordAudit(tx, {
          id: input.clarificationId,
          noticeId: input.noticeId,
          at,
          type: 'CLARIFICATION',
          actor: input.actor,
          data: { message: input.message, changedFields: Object.keys(input.changes) },
        });
        return { responseDays: updated.responseDays };
      });
    },

    /** Assigns the reference, fixes the recipients and their due dates, and tells each recipient. */
    async publishNotice(input: Stamp & { dueAt: number; expiresAt: number }): Promise<{ reference: string; recipients: string[] }> {
      const at = new Date(input.at);
      return prisma.$transaction(async (tx) => {
        const notice = await tx.notice.findUniqueOrThrow({ where: { id: input.noticeId } });
        if (notice.reference) {
          const existing = await tx.recipient.findMany({ where: { noticeId: notice.id }, select: { country: true } });
          return { reference: notice.reference, recipients: existing.map((r) => r.country).sort() };
        }
        const pilot = await tx.pilotSettings.findUnique({ where: { id: 1 } });
        let recipients =
          notice.kind === 'DIFFUSION'
            ? [...notice.requestedRecipients]
            : MEMBER_COUNTRIES.map((c) => c.code).filter((c) => c !== notice.requestingCountry);
        if (notice.kind === 'NOTICE' && pilot?.recipientsLimitedToParticipants) {
          const participants = new Set(pilot.participants);
          recipients = recipients.filter((c) => participants.has(c));
        }
        recipients.sort();
        const prefix = notice.kind === 'NOTICE' ? 'SN' : 'SD';
        const year = at.getUTCFullYear();
        // The counter row is locked by the upsert until this transaction ends: numbers are
        // handed out in order, and a rolled-back publication gives its number back.
        const [{ last }] = await tx.$queryRaw<{ last: number }[]>`
          INSERT INTO "ReferenceCounter" ("prefix", "year", "last") VALUES (${prefix}, ${year}, 1)
          ON CONFLICT ("prefix", "year") DO UPDATE SET "last" = "ReferenceCounter"."last" + 1
          RETURNING "last"`;
        const reference = `${prefix}-${year}-${String(last).padStart(6, '0')}`;
        const dueAt = new Date(input.dueAt);
        await tx.notice.update({
          where: { id: notice.id },
          data: { status: 'PUBLISHED', reference, publishedAt: at, expiresAt: new Date(input.expiresAt), updatedAt: at },
        });
        await tx.recipient.createMany({
          data: recipients.map((country) => ({ noticeId: notice.id, country, dueAt })),
          skipDuplicates: true,
        });
        await notify(tx, input.eventId, notice.id, reference, 'PUBLISHED', recipients, at);
        await recordAudit(tx, {
          id: input.eventId,
          noticeId: notice.id,
          at,
          type: 'PUBLISHED',
          actor: SYSTEM_ACTOR,
          data: { reference, recipients, dueAt: dueAt.toISOString(), expiresAt: new Date(input.expiresAt).toISOString() },
        });
        log.info({ noticeId: notice.id, reference, recipients: recipients.length }, 'request published');
        return { reference, recipients };
      });
    },

    async recordResponse(input: ResponseInput & Stamp & { late: boolean }): Promise<void> {
      const at = new Date(input.at);
      await prisma.$transaction(async (tx) => {
        if (await tx.response.findUnique({ where: { id: input.responseId }, select: { id: true } })) return;
        const notice = await tx.notice.findUniqueOrThrow({
          where: { id: input.noticeId },
          select: { requestingCountry: true, reference: true },
        });
        await tx.response.create({
          data: {
            id: input.responseId,
            noticeId: input.noticeId,
            country: input.country,
            outcome: input.outcome,
            final: input.final,
            reason: input.reason ?? null,
            handlingCode: input.handlingCode,
            assets: input.assets as unknown as Prisma.InputJsonValue,
            late: input.late,
            keyId: input.actor.keyId,
            createdAt: at,
          },
        });
        if (input.assets.length > 0) {
          await tx.locatedAsset.createMany({
            data: input.assets.map((a, i) => ({
              id: deriveId(input.responseId, i),
              responseId: input.responseId,
              noticeId: input.noticeId,
              country: input.country,
              category: a.category,
              currency: a.estimatedValue?.currency ?? null,
              amount: a.estimatedValue?.amount ?? null,
            })),
          });
        }
        await tx.recipient.update({
          where: { noticeId_country: { noticeId: input.noticeId, country: input.country } },
          data: { respondedAt: at, ...(input.final ? { status: 'RESPONDED' } : {}) },
        });
        await tx.notice.update({ where: { id: input.noticeId }, data: { updatedAt: at } });
        await notify(tx, input.responseId, input.noticeId, notice.reference, 'RESPONSE_RECEIVED', [notice.requestingCountry], at);
        await recordAudit(tx, {
          id: input.eventId,
          noticeId: input.noticeId,
          at,
          type: 'RESPONSE',
          actor: input.actor,
          data: { responseId: input.responseId, outcome: input.outcome, final: input.final, assets: input.assets.length, late: input.late },
        });
      });
    },

    async sendReminders(input: Stamp & { countries: string[] }): Promise<void> {
      const at = new Date(input.at);
      await prisma.$transaction(async (tx) => {
        const notice = await tx.notice.findUniqueOrThrow({ where: { id: input.noticeId }, select: { reference: true } });
        await notify(tx, input.eventId, input.noticeId, notice.reference, 'REMINDER', input.countries, at);
        await recordAudit(tx, {
          id: input.eventId,
          noticeId: input.noticeId,
          at,
          type: 'REMINDERS_SENT',
          actor: SYSTEM_ACTOR,
          data: { countries: input.countries },
        });
      });
    },

    async markOverdue(input: Stamp & { countries: string[] }): Promise<void> {
      const at = new Date(input.at);
      await prisma.$transaction(async (tx) => {
        const notice = await tx.notice.findUniqueOrThrow({ where: { id: input.noticeId }, select: { reference: true } });
        const { count } = await tx.recipient.updateMany({
          where: { noticeId: input.noticeId, country: { in: input.countries }, status: 'PENDING' },
          data: { status: 'OVERDUE' },
        });
        await notify(tx, input.eventId, input.noticeId, notice.reference, 'OVERDUE', input.countries, at);
        await recordAudit(tx, {
          id: input.eventId,
          noticeId: input.noticeId,
          at,
          type: 'OVERDUE',
          actor: SYSTEM_ACTOR,
          data: { countries: input.countries, marked: count },
        });
      });
    },

    /** Moves the request to a final state; gives back quota if it was never published; tells recipients. */
    async closeNotice(
      input: Stamp & {
        status: Status;
        releaseQuota: boolean;
        reason?: string;
        grounds?: string[];
        actor?: Actor;
        notify?: 'WITHDRAWN' | 'CANCELLED';
      },
    ): Promise<void> {
      const at = new Date(input.at);
      await prisma.$transaction(async (tx) => {
        const notice = await tx.notice.update({
          where: { id: input.noticeId },
          data: { status: input.status, updatedAt: at, closedAt: at, ...(input.releaseQuota ? { holdsQuota: false } : {}) },
        });
        let told: string[] = [];
        if (input.notify) {
          told = (await tx.recipient.findMany({ where: { noticeId: input.noticeId }, select: { country: true } })).map((r) => r.country);
          await notify(tx, input.eventId, input.noticeId, notice.reference, input.notify, told, at);
        }
        await recordAudit(tx, {
          id: input.eventId,
          noticeId: input.noticeId,
          at,
          type: input.status,
          actor: (input.actor as AuditActor | undefined) ?? SYSTEM_ACTOR,
          data: {
            reason: input.reason ?? null,
            grounds: input.grounds ?? [],
            quotaReleased: input.releaseQuota,
            recipientsNotified: told.length,
          },
        });
        log.info({ noticeId: input.noticeId, status: input.status }, 'request closed');
      });
    },
  };
}

/** A stable uuid-shaped id for the i-th located asset of a response (a retry derives the same). */
function deriveId(responseId: string, index: number): string {
  const suffix = (parseInt(responseId.slice(-8), 16) + index + 1) % 0x100000000;
  return `${responseId.slice(0, -8)}${suffix.toString(16).padStart(8, '0')}`;
}
