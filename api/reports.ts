/** The NCB notification feed and the pilot report (figures computed by the database). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { PrismaClient } from '../prisma/database';
import { readPilot } from './admin';
import { addRoute } from './route';
import { NotificationList, NotificationsQuery, PilotReport } from './schemas';

export function reportRoutes(prisma: PrismaClient, registry: OpenAPIRegistry): Router {
  const router = Router();

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'get',
      path: '/notifications',
      summary: "Notifications for the caller's country, oldest first after the cursor",
      tag: 'Notifications',
      roles: ['NCB'],
      query: NotificationsQuery,
      success: { status: 200, schema: NotificationList, description: 'A page of notifications; pass nextCursor as `after` to continue' },
    },
    async ({ query, principal }) => {
      const rows = await prisma.notification.findMany({
        where: { country: principal.country!, ...(query.after ? { seq: { gt: BigInt(query.after) } } : {}) },
        orderBy: { seq: 'asc' },
        take: query.limit,
      });
      const last = rows[rows.length - 1];
      return {
        body: {
          items: rows.map((n) => ({
            id: n.seq.toString(),
            type: n.type,
            noticeId: n.noticeId,
            reference: n.reference,
            at: n.at.toISOString(),
          })),
          // Polling with the last id seen gets only what is new; null when nothing came yet.
          nextCursor: last ? last.seq.toString() : (query.after ?? null),
        },
      };
    },
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'get',
      path: '/reports/pilot',
      summary: 'Pilot metrics for the evaluation',
      tag: 'Reports',
      roles: ['REVIEWER', 'ADMIN'],
      success: { status: 200, schema: PilotReport, description: 'The report' },
    },
    async () => ({ body: await pilotReport(prisma) }),
  );

  return router;
}

const count = (rows: { key: string; n: bigint | number }[]) => Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));

export async function pilotReport(prisma: PrismaClient) {
  const [byStatus, byKind, byCountry, review, recipients, late, assetsByCategory, valueByCurrency, pilot] = await Promise.all([
    prisma.$queryRaw<{ key: string; n: bigint }[]>`SELECT "status"::text AS key, COUNT(*) AS n FROM "Notice" GROUP BY 1 ORDER BY 1`,
    prisma.$queryRaw<{ key: string; n: bigint }[]>`SELECT "kind"::text AS key, COUNT(*) AS n FROM "Notice" GROUP BY 1 ORDER BY 1`,
    prisma.$queryRaw<{ key: string; n: bigint }[]>`SELECT "requestingCountry" AS key, COUNT(*) AS n FROM "Notice" GROUP BY 1 ORDER BY 1`,
    // Review time: from submission to publication, or to the rejection.
    prisma.$queryRaw<{ decided: bigint; median: number | null }[]>`
      SELECT COUNT(*) AS decided,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (COALESCE("publishedAt", "closedAt") - "createdAt")))::float8 AS median
      FROM "Notice"
      WHERE "publishedAt" IS NOT NULL OR "status" = 'REJECTED'`,
    prisma.$queryRaw<{ total: bigint; answered: bigint; overdue: bigint }[]>`
      SELECT COUNT(*) AS total,
             COUNT(*) FILTER (WHERE "status" = 'RESPONDED') AS answered,
             COUNT(*) FILTER (WHERE "status" = 'OVERDUE') AS overdue
      FROM "Recipient"`,
    prisma.response.count({ where: { late: true } }),
    prisma.$queryRaw<{ key: string; n: bigint }[]>`SELECT "category" AS key, COUNT(*) AS n FROM "LocatedAsset" GROUP BY 1 ORDER BY 1`,
    prisma.$queryRaw<
      { key: string; total: string }[]
    >`SELECT "currency" AS key, SUM("amount")::text AS total FROM "LocatedAsset" WHERE "currency" IS NOT NULL GROUP BY 1 ORDER BY 1`,
    readPilot(prisma),
  ]);
  const statusCounts = count(byStatus);
  const r = recipients[0];
  const total = Number(r.total);
  return {
    generatedAt: new Date().toISOString(),
    requests: {
      total: Object.values(statusCounts).reduce((a, b) => a + b, 0),
      byStatus: statusCounts,
      byKind: count(byKind),
      byRequestingCountry: count(byCountry),
    },
    quota: {
      quotaTotal: pilot.quotaTotal,
      quotaPerParticipant: pilot.quotaPerParticipant,
      used: Object.values(pilot.usage).reduce((a, b) => a + b, 0),
      usage: pilot.usage,
    },
    review: { decided: Number(review[0].decided), medianReviewSeconds: review[0].median === null ? null : Number(review[0].median) },
    responses: {
      recipients: total,
      answered: Number(r.answered),
      responseRate: total === 0 ? null : Number(r.answered) / total,
      overdue: Number(r.overdue),
      lateAnswers: late,
    },
    assets: {
      located: assetsByCategory.reduce((a, row) => a + Number(row.n), 0),
      byCategory: count(assetsByCategory),
      estimatedValue: Object.fromEntries(valueByCurrency.map((v) => [v.key, Number(v.total)])),
    },
  };
}
