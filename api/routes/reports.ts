/** The NCB notification feed and the pilot report. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { Services } from '../../services';
import { wantsCsv } from '../csv';
import { routeGroup } from '../route';
import { MarkedRead, MarkReadRequest, NotificationList, NotificationsQuery, PilotReport } from '../schemas/reports';

export function reportRoutes(services: Services, registry: OpenAPIRegistry): Router {
  const router = Router();
  const { reports } = services;

  const notifications = routeGroup(router, registry, 'Notifications');
  notifications.get(
    '/notifications',
    {
      summary: "Notifications for the caller's country, oldest first after the cursor",
      roles: ['NCB'],
      query: NotificationsQuery,
      success: { status: 200, schema: NotificationList, description: 'A page of notifications; pass nextCursor as `after` to continue' },
    },
    async ({ query, principal }) => ({ body: await reports.notifications(principal, query) }),
  );
  notifications.post(
    '/notifications/read',
    {
      summary: "Mark notifications of the caller's country read (ids of other countries' notifications are ignored)",
      roles: ['NCB'],
      body: MarkReadRequest,
      success: { status: 200, schema: MarkedRead, description: "Those of the ids that are the caller's, now read" },
    },
    async ({ body, principal }) => ({ body: await reports.markRead(principal, body.ids) }),
  );

  routeGroup(router, registry, 'Reports').get(
    '/reports/pilot',
    {
      summary: 'Pilot metrics for the evaluation',
      roles: ['REVIEWER', 'ADMIN'],
      success: { status: 200, schema: PilotReport, description: 'The report' },
      csv: 'With `Accept: text/csv`: the report as one row under a header row',
    },
    async ({ req }) => {
      const report = await reports.pilotReport();
      return wantsCsv(req) ? { csv: { filename: 'pilot-report.csv', items: [report] } } : { body: report };
    },
  );

  return router;
}
