/** The pilot report's figures, computed by the database. */
import type { Db } from './db';

type Counted = { key: string; n: bigint }[];
const counts = (rows: Counted) => Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));

export async function reportFigures(db: Db) {
  const [byStatus, byKind, byCountry, review, recipients, lateAnswers, assetsByCategory, valueByCurrency, process] = await Promise.all([
    db.$queryRaw<Counted>`SELECT "status"::text AS key, COUNT(*) AS n FROM "Notice" GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<Counted>`SELECT "kind"::text AS key, COUNT(*) AS n FROM "Notice" GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<Counted>`SELECT "requestingCountry" AS key, COUNT(*) AS n FROM "Notice" GROUP BY 1 ORDER BY 1`,
    // Review time: from submission to publication, or to the rejection.
    db.$queryRaw<{ decided: bigint; median: number | null }[]>`
      SELECT COUNT(*) AS decided,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (COALESCE("publishedAt", "closedAt") - "createdAt")))::float8 AS median
      FROM "Notice"
      WHERE "publishedAt" IS NOT NULL OR "status" = 'REJECTED'`,
    db.$queryRaw<{ total: bigint; answered: bigint; overdue: bigint }[]>`
      SELECT COUNT(*) AS total,
             COUNT(*) FILTER (WHERE "final") AS answered,
             COUNT(*) FILTER (WHERE "status" = 'OVERDUE') AS overdue
      FROM "Recipient"`,
    db.response.count({ where: { late: true } }),
    db.$queryRaw<Counted>`SELECT "category" AS key, COUNT(*) AS n FROM "LocatedAsset" GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ key: string; total: string }[]>`
      SELECT "currency" AS key, SUM("amount")::text AS total FROM "LocatedAsset" WHERE "currency" IS NOT NULL GROUP BY 1 ORDER BY 1`,
    processFigures(db),
  ]);
  const statusCounts = counts(byStatus);
  const r = recipients[0];
  return {
    requests: {
      total: Object.values(statusCounts).reduce((a, b) => a + b, 0),
      byStatus: statusCounts,
      byKind: counts(byKind),
      byRequestingCountry: counts(byCountry),
    },
    review: { decided: Number(review[0].decided), medianReviewSeconds: review[0].median === null ? null : Number(review[0].median) },
    responses: {
      ...process.responses,
      recipients: Number(r.total),
      answered: Number(r.answered),
      responseRate: Number(r.total) === 0 ? null : Number(r.answered) / Number(r.total),
      overdue: Number(r.overdue),
      lateAnswers,
    },
    assets: {
      located: assetsByCategory.reduce((a, row) => a + Number(row.n), 0),
      byCategory: counts(assetsByCategory),
      estimatedValue: Object.fromEntries(valueByCurrency.map((v) => [v.key, Number(v.total)])),
    },
    blocking: process.blocking,
    renewals: process.renewals,
    links: process.links,
  };
}

/** Acknowledgements and delays, time to first answer by urgency, blockings, renewals and links. */
async function processFigures(db: Db) {
  const [duties, firstAnswers, blocking, renewals, links] = await Promise.all([
    db.$queryRaw<{ acknowledged: bigint; delayed: bigint }[]>`
      SELECT COUNT(*) FILTER (WHERE "acknowledgedAt" IS NOT NULL) AS acknowledged, COUNT(*) FILTER (WHERE "delayedAt" IS NOT NULL) AS delayed
      FROM "Recipient"`,
    // From publication to each recipient's first answer, interim or final.
    db.$queryRaw<{ key: string; median: number; n: bigint }[]>`
      SELECT n."urgency" AS key, COUNT(*) AS n,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (f."first" - n."publishedAt")))::float8 AS median
      FROM (SELECT "noticeId", MIN("createdAt") AS "first" FROM "Response" GROUP BY "noticeId", "country") f
      JOIN "Notice" n ON n."id" = f."noticeId"
      GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ blocked: bigint; ever: bigint; upheld: bigint; dismissed: bigint }[]>`
      SELECT COUNT(DISTINCT "noticeId") FILTER (WHERE "decidedAt" IS NULL) AS blocked, COUNT(DISTINCT "noticeId") AS ever,
             COUNT(*) FILTER (WHERE "outcome" = 'UPHELD') AS upheld, COUNT(*) FILTER (WHERE "outcome" = 'DISMISSED') AS dismissed
      FROM "Blocking"`,
    db.$queryRaw<{ requested: bigint; approved: bigint; rejected: bigint }[]>`
      SELECT COUNT(*) AS requested, COUNT(*) FILTER (WHERE "decision" = 'APPROVE') AS approved, COUNT(*) FILTER (WHERE "decision" = 'REJECT') AS rejected
      FROM "Renewal"`,
    db.$queryRaw<{ pairs: bigint }[]>`SELECT COUNT(*) AS pairs FROM "AssetLink" WHERE "noticeId" < "otherNoticeId"`,
  ]);
  const num = (v: bigint) => Number(v);
  return {
    responses: {
      acknowledged: num(duties[0].acknowledged),
      delayed: num(duties[0].delayed),
      firstAnswerMedianSeconds: Object.fromEntries(firstAnswers.map((f) => [f.key, f.median])),
    },
    blocking: {
      blockedNow: num(blocking[0].blocked),
      everBlocked: num(blocking[0].ever),
      upheld: num(blocking[0].upheld),
      dismissed: num(blocking[0].dismissed),
    },
    renewals: { requested: num(renewals[0].requested), approved: num(renewals[0].approved), rejected: num(renewals[0].rejected) },
    links: { pairs: num(links[0].pairs) },
  };
}
