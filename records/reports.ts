/** The pilot report's figures, computed by the database. */
import type { Db } from './db';

type Counted = { key: string; n: bigint }[];
const counts = (rows: Counted) => Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));

export async function reportFigures(db: Db) {
  const [byStatus, byKind, byCountry, review, recipients, lateAnswers, assetsByCategory, valueByCurrency] = await Promise.all([
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
             COUNT(*) FILTER (WHERE "status" = 'RESPONDED') AS answered,
             COUNT(*) FILTER (WHERE "status" = 'OVERDUE') AS overdue
      FROM "Recipient"`,
    db.response.count({ where: { late: true } }),
    db.$queryRaw<Counted>`SELECT "category" AS key, COUNT(*) AS n FROM "LocatedAsset" GROUP BY 1 ORDER BY 1`,
    db.$queryRaw<{ key: string; total: string }[]>`
      SELECT "currency" AS key, SUM("amount")::text AS total FROM "LocatedAsset" WHERE "currency" IS NOT NULL GROUP BY 1 ORDER BY 1`,
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
  };
}
