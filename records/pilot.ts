/** Pilot settings (one row) and the quota each participant uses. */
import { BEFORE_PUBLICATION, type PilotSettings } from '../domain/pilot';
import type { Db, Prisma, Tx } from './db';

/** A new installation: no participants yet, the pilot's 500 requests to share. */
export const DEFAULT_PILOT: PilotSettings = { participants: [], quotaTotal: 500, recipientsLimitedToParticipants: false };

/** The requests that hold their country's quota (domain/pilot.ts says which). */
const HOLDS_QUOTA: Prisma.NoticeWhereInput = { OR: [{ status: { in: [...BEFORE_PUBLICATION] } }, { publishedAt: { not: null } }] };

export async function readPilotSettings(db: Db): Promise<PilotSettings> {
  const row = await db.pilotSettings.findUnique({ where: { id: 1 } });
  return row
    ? { participants: row.participants, quotaTotal: row.quotaTotal, recipientsLimitedToParticipants: row.recipientsLimitedToParticipants }
    : DEFAULT_PILOT;
}

export async function savePilotSettings(db: Db, settings: PilotSettings): Promise<void> {
  const data = { ...settings, participants: [...settings.participants] };
  await db.pilotSettings.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
}

/** Requests holding quota, per requesting country. */
export async function quotaUsage(db: Db): Promise<Record<string, number>> {
  const rows = await db.notice.groupBy({ by: ['requestingCountry'], where: HOLDS_QUOTA, _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.requestingCountry, r._count._all]));
}

/**
 * The quota `country` uses, counted under a lock held until the transaction ends: two submissions
 * from one country cannot both take its last slot.
 */
export async function lockQuota(tx: Tx, country: string): Promise<number> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'quota:' + country}))`;
  return tx.notice.count({ where: { requestingCountry: country, ...HOLDS_QUOTA } });
}
