/** The NCB notification feed and the pilot report. */
import { notificationItem } from '../domain/webhooks';
import { markRead, notificationsFor, unreadCount } from '../records/notifications';
import { followUpFigures } from '../records/follow-up';
import { reportFigures } from '../records/reports';
import type { AdminService } from './index';
import type { Principal, ServiceDeps } from './context';

export function reportService(deps: ServiceDeps, admin: AdminService) {
  return {
    async notifications(principal: Principal, q: { after?: string; limit: number; unread?: boolean }) {
      const rows = await notificationsFor(
        deps.prisma,
        principal.country!,
        q.after !== undefined ? BigInt(q.after) : undefined,
        q.limit,
        q.unread,
      );
      const last = rows[rows.length - 1];
      return {
        // readAt is the feed's alone: a webhook delivery carries the item as it was notified.
        items: rows.map((n) => ({ ...notificationItem(n), readAt: n.readAt ? n.readAt.toISOString() : null })),
        // Polling with the last id seen gets only what is new; null when nothing came yet.
        nextCursor: last ? last.seq.toString() : (q.after ?? null),
      };
    },

    /**
     * Marks the caller's country's notifications among `ids` read. Ids of other countries'
     * notifications (or of none) are ignored rather than refused, so the answer says nothing about
     * another country's feed: `items` lists only the caller's own, each with its readAt.
     */
    async markRead(principal: Principal, ids: readonly string[]) {
      const rows = await markRead(deps.prisma, principal.country!, [...new Set(ids)].map(BigInt), new Date());
      return { items: rows.map((n) => ({ id: n.seq.toString(), readAt: n.readAt!.toISOString() })) };
    },

    /** How many of the caller's country's notifications are unread (the console's count). */
    unreadCount(principal: Principal): Promise<number> {
      return unreadCount(deps.prisma, principal.country!);
    },

    async pilotReport() {
      const [figures, followUp, pilot] = await Promise.all([reportFigures(deps.prisma), followUpFigures(deps.prisma), admin.pilot()]);
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
        deletion: followUp.deletion,
        outcomes: followUp.outcomes,
      };
    },
  };
}
