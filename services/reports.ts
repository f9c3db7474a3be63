/** The NCB notification feed and the pilot report. */
import { notificationItem } from '../domain/webhooks';
import { notificationsFor } from '../records/notifications';
import { reportFigures } from '../records/reports';
import type { AdminService } from './index';
import type { Principal, ServiceDeps } from './context';

export function reportService(deps: ServiceDeps, admin: AdminService) {
  return {
    async notifications(principal: Principal, q: { after?: string; limit: number }) {
      const rows = await notificationsFor(deps.prisma, principal.country!, q.after !== undefined ? BigInt(q.after) : undefined, q.limit);
      const last = rows[rows.length - 1];
      return {
        items: rows.map(notificationItem),
        // Polling with the last id seen gets only what is new; null when nothing came yet.
        nextCursor: last ? last.seq.toString() : (q.after ?? null),
      };
    },

    async pilotReport() {
      const [figures, pilot] = await Promise.all([reportFigures(deps.prisma), admin.pilot()]);
      return {
        generatedAt: new Date().toISOString(),
        requests: figures.requests,
        quota: {
          quotaTotal: pilot.quotaTotal,
          quotaPerParticipant: pilot.quotaPerParticipant,
          used: Object.values(pilot.usage).reduce((a, b) => a + b, 0),
          usage: pilot.usage,
        },
        review: figures.review,
        responses: figures.responses,
        assets: figures.assets,
        blocking: figures.blocking,
        renewals: figures.renewals,
        links: figures.links,
      };
    },
  };
}
