/**
 * What follows a published request once its workflow has no more say: each recipient's
 * confirmation that it deleted an ended request from its national records (with the reminder the
 * retention sweep sends), and the outcomes its requester reports. Every write is keyed by its
 * action's id (or an id derived from what it reminds of), so a repeat writes nothing twice.
 */
import { DELETION_STATES } from '../domain/actions';
import { derivedId } from '../domain/ids';
import type { Actor, OutcomeMeasure } from '../domain/model';
import { Prisma } from '../generated/prisma/client';
import { recordStepEvent, recordStepEvents } from './audit';
import { inTransaction, type Db } from './db';

/**
 * `country` confirms the deletion under `actionId`. `FIRST`: this action confirmed it; `REPEAT`:
 * this action had confirmed it already; `OTHER`: another action had (a race the catalogue lost).
 */
export function confirmDeletion(
  db: Db,
  c: { noticeId: string; country: string; actionId: string; at: Date; actor: Actor },
): Promise<'FIRST' | 'REPEAT' | 'OTHER'> {
  return inTransaction(db, async (tx) => {
    const { count } = await tx.recipient.updateMany({
      where: { noticeId: c.noticeId, country: c.country, deletionConfirmedAt: null },
      data: { deletionConfirmedAt: c.at, deletionConfirmationId: c.actionId },
    });
    if (count === 0) {
      const found = await tx.recipient.findUnique({ where: { noticeId_country: { noticeId: c.noticeId, country: c.country } } });
      return found?.deletionConfirmationId === c.actionId ? 'REPEAT' : 'OTHER';
    }
    await recordStepEvent(
      tx,
      { noticeId: c.noticeId, eventId: c.actionId, at: c.at.getTime() },
      { type: 'DELETION_CONFIRMED', actor: c.actor, data: {} },
    );
    return 'FIRST';
  });
}

/**
 * Tells each recipient that has not confirmed the deletion of a request that ended (WITHDRAWN,
 * CANCELLED, EXPIRED) at or before `closedBefore`, once: `deletionRemindedAt` marks it, and the
 * notification's id is derived from the request and the country, so a sweep run again tells no
 * one twice. How many were reminded.
 */
export async function remindUnconfirmedDeletions(db: Db, closedBefore: Date, at: Date, limit: number): Promise<number> {
  const due = await db.recipient.findMany({
    where: {
      deletionConfirmedAt: null,
      deletionRemindedAt: null,
      notice: { status: { in: [...DELETION_STATES] }, closedAt: { lte: closedBefore }, publishedAt: { not: null } },
    },
    select: { noticeId: true, country: true, notice: { select: { reference: true } } },
    orderBy: [{ noticeId: 'asc' }, { country: 'asc' }],
    take: limit,
  });
  for (const r of due) {
    await inTransaction(db, async (tx) => {
      const { count } = await tx.recipient.updateMany({
        where: { noticeId: r.noticeId, country: r.country, deletionConfirmedAt: null, deletionRemindedAt: null },
        data: { deletionRemindedAt: at },
      });
      if (count === 0) return;
      const step = { noticeId: r.noticeId, eventId: derivedId('deletion-reminder', r.noticeId, r.country), at: at.getTime() };
      await recordStepEvents(tx, [
        {
          step,
          type: 'DELETION_REMINDED',
          data: { country: r.country },
          tell: { type: 'DELETION_REMINDER', countries: [r.country], reference: r.notice.reference },
        },
      ]);
    });
  }
  return due.length;
}

export interface OutcomeInput {
  measure: OutcomeMeasure;
  country: string;
  value?: { amount: number; currency: string };
  date: string;
  note?: string;
}

/** Records an outcome under its action's id (a repeat finds the first); the outcome as recorded. */
export function recordOutcome(db: Db, o: OutcomeInput & { id: string; noticeId: string; at: Date; actor: Actor }) {
  return inTransaction(db, async (tx) => {
    const { count } = await tx.outcome.createMany({
      data: [
        {
          id: o.id,
          noticeId: o.noticeId,
          measure: o.measure,
          country: o.country,
          amount: o.value?.amount ?? null,
          currency: o.value?.currency ?? null,
          date: new Date(`${o.date}T00:00:00Z`),
          note: o.note ?? null,
          recordedByKeyId: o.actor.keyId,
          at: o.at,
        },
      ],
      skipDuplicates: true,
    });
    if (count === 1) {
      await recordStepEvent(
        tx,
        { noticeId: o.noticeId, eventId: o.id, at: o.at.getTime() },
        { type: 'OUTCOME_RECORDED', actor: o.actor, data: { measure: o.measure, country: o.country } },
      );
    }
    return tx.outcome.findUniqueOrThrow({ where: { id: o.id } });
  });
}

/** A request's outcomes, in the order they happened; only those in `country` when given. */
export function outcomesOf(db: Db, noticeId: string, country?: string) {
  return db.outcome.findMany({ where: { noticeId, ...(country ? { country } : {}) }, orderBy: [{ date: 'asc' }, { at: 'asc' }] });
}
export type OutcomeRow = Awaited<ReturnType<typeof outcomesOf>>[number];

/** The report's figures: deletions awaited and confirmed, and outcomes by measure and currency. */
export async function followUpFigures(db: Db) {
  const [deletion, byMeasure, values, first] = await Promise.all([
    db.$queryRaw<{ awaiting: bigint; confirmed: bigint }[]>`
      SELECT COUNT(*) FILTER (WHERE r."deletionConfirmedAt" IS NULL) AS awaiting,
             COUNT(*) FILTER (WHERE r."deletionConfirmedAt" IS NOT NULL) AS confirmed
      FROM "Recipient" r JOIN "Notice" n ON n."id" = r."noticeId"
      WHERE n."status"::text IN (${Prisma.join([...DELETION_STATES])}) AND n."publishedAt" IS NOT NULL`,
    db.$queryRaw<{ key: string; n: bigint }[]>`SELECT "measure"::text AS key, COUNT(*) AS n FROM "Outcome" GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ measure: string; currency: string; total: string }[]>`
      SELECT "measure"::text AS measure, "currency", SUM("amount")::text AS total
      FROM "Outcome" WHERE "currency" IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    // Calendar days from publication (its UTC date) to the date of the request's first outcome.
    db.$queryRaw<{ requests: bigint; median: number | null }[]>`
      SELECT COUNT(*) AS requests, percentile_cont(0.5) WITHIN GROUP (ORDER BY f."days")::float8 AS median
      FROM (SELECT MIN(o."date") - (n."publishedAt" AT TIME ZONE 'UTC')::date AS "days"
            FROM "Outcome" o JOIN "Notice" n ON n."id" = o."noticeId" GROUP BY n."id", n."publishedAt") f`,
  ]);
  const measures: Record<string, { count: number; value: Record<string, number> }> = {};
  for (const m of byMeasure) measures[m.key] = { count: Number(m.n), value: {} };
  for (const v of values) measures[v.measure].value[v.currency] = Number(v.total);
  return {
    deletion: { awaiting: Number(deletion[0].awaiting), confirmed: Number(deletion[0].confirmed) },
    outcomes: {
      byMeasure: measures,
      requestsWithOutcome: Number(first[0].requests),
      medianDaysToFirstMeasure: first[0].median === null ? null : Number(first[0].median),
    },
  };
}

/** `country`'s entries as a recipient of ended requests it has not confirmed deleting, oldest end first. */
export function deletionsToConfirm(db: Db, country: string) {
  return db.recipient.findMany({
    where: { country, deletionConfirmedAt: null, notice: { status: { in: [...DELETION_STATES] }, publishedAt: { not: null } } },
    select: { notice: { select: { id: true, caseNumber: true, reference: true, requestingCountry: true, closedAt: true } } },
    orderBy: { notice: { closedAt: 'asc' } },
  });
}
