/** The figures GET /metrics shows: counts only, read at scrape time so every process reports the same. */
import type { Db } from './db';

export async function operationalFigures(db: Db) {
  const [requests, overdue, deliveries, attempts] = await Promise.all([
    db.notice.groupBy({ by: ['status', 'kind'], _count: { _all: true } }),
    // An OVERDUE recipient of a request still open: one whose answer is late now.
    db.recipient.count({ where: { status: 'OVERDUE', final: false, notice: { status: 'PUBLISHED' } } }),
    db.webhookDelivery.groupBy({ by: ['status'], _count: { _all: true } }),
    db.webhookAttempt.groupBy({ by: ['outcome'], _count: { _all: true } }),
  ]);
  return {
    requests: requests.map((r) => ({ status: r.status, kind: r.kind, count: r._count._all })),
    recipientsOverdue: overdue,
    deliveries: deliveries.map((d) => ({ status: d.status, count: d._count._all })),
    attempts: attempts.map((a) => ({ outcome: a.outcome, count: a._count._all })),
  };
}
export type OperationalFigures = Awaited<ReturnType<typeof operationalFigures>>;
