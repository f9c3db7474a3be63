/** Reading the case record for views: a request, lists, findings and answers. */
import { Prisma } from '../generated/prisma/client';
import type { Db } from './db';

/**
 * What a view shows besides the request itself: its open blocking and latest renewal. An upheld
 * blocking comes in the same read (it ends what recipients may see); `apartBlockings` parts the two.
 */
const AROUND = {
  decisions: { orderBy: { at: 'asc' } },
  blockings: { where: { OR: [{ decidedAt: null }, { outcome: 'UPHELD' }] } },
  renewals: { orderBy: { requestedAt: 'desc' }, take: 1 },
  amendments: { orderBy: { submittedAt: 'asc' } },
  claimedBy: { select: { name: true } },
  _count: { select: { attachments: true } },
} satisfies Prisma.NoticeInclude;

/** `blockings`: the open one only; `blockingUpheldAt`: when the CCF upheld a blocking, if it did. */
function apartBlockings<N extends { blockings: { decidedAt: Date | null; outcome: string | null }[] }>(
  n: N,
): N & { blockingUpheldAt?: Date } {
  const upheldAt = n.blockings.find((b) => b.outcome === 'UPHELD')?.decidedAt;
  const open = n.blockings.filter((b) => b.decidedAt === null) as N['blockings'];
  return { ...n, blockings: open, ...(upheldAt ? { blockingUpheldAt: upheldAt } : {}) };
}

/** A request with its decisions and recipients (only `recipientCountry`'s entry when given). */
export async function loadNotice(db: Db, id: string, opts: { recipientCountry?: string } = {}) {
  const notice = await db.notice.findUnique({
    where: { id },
    include: {
      recipients: { where: opts.recipientCountry ? { country: opts.recipientCountry } : undefined, orderBy: { country: 'asc' } },
      ...AROUND,
    },
  });
  return notice && apartBlockings(notice);
}
export type LoadedNotice = NonNullable<Awaited<ReturnType<typeof loadNotice>>>;

/** Who asked for a request, whether it is published, and whether `country` is one of its recipients: all need to know needs. */
export async function noticeHeader(db: Db, id: string, country: string | null) {
  const row = await db.notice.findUnique({
    where: { id },
    select: {
      requestingCountry: true,
      publishedAt: true,
      recipients: { where: { country: country ?? '' }, select: { country: true } },
    },
  });
  return row && { requestingCountry: row.requestingCountry, publishedAt: row.publishedAt, isRecipient: row.recipients.length > 0 };
}

export interface ListFilter {
  status?: Prisma.NoticeWhereInput['status'];
  kind?: Prisma.NoticeWhereInput['kind'];
  /** Only requests from this country. */
  requestingCountry?: string;
  /** Only published requests addressed to this country. */
  recipientCountry?: string;
  /** Requests from `country`, or published ones addressed to it. */
  involving?: string;
  /** Only requests whose renewal awaits a reviewer's decision. */
  renewalRequested?: boolean;
  /** Only requests with an amendment under review. */
  amendmentPending?: boolean;
  /** Strictly after this position in the (createdAt, id) order. */
  after?: { createdAt: Date; id: string };
  /** Oldest first instead of newest first. */
  oldestFirst?: boolean;
  limit: number;
}

/** A list in another order than by submission: its position carries the order's own key. */
export type SortedListFilter = Omit<ListFilter, 'after' | 'oldestFirst'> &
  ({ sort: 'urgency'; after?: { urgency: string; createdAt: Date; id: string } } | { sort: 'dueAt'; after?: { dueAt: Date; id: string } });

/** Where a request without any recipient's deadline (not yet published) sorts among deadlines: last. */
export const NO_DUE_DATE = new Date('9999-12-31T00:00:00.000Z');

/** Newest (or oldest) first; one row more than `limit` tells that there is a next page. */
export async function listNotices(db: Db, f: ListFilter) {
  const where = filtersOf(f);
  const beyond = f.oldestFirst ? 'gt' : 'lt';
  if (f.after)
    where.push({ OR: [{ createdAt: { [beyond]: f.after.createdAt } }, { createdAt: f.after.createdAt, id: { [beyond]: f.after.id } }] });
  const order = f.oldestFirst ? 'asc' : 'desc';
  const rows = await db.notice.findMany({
    where: { AND: where },
    orderBy: [{ createdAt: order }, { id: order }],
    take: f.limit + 1,
    include: LISTED,
  });
  return rows.map(apartBlockings);
}

const LISTED = { recipients: { orderBy: { country: 'asc' } }, ...AROUND } satisfies Prisma.NoticeInclude;

/**
 * Most urgent first (URGENT_DIRECT, URGENT, NORMAL: the reverse of their names' order), each oldest
 * first; or the soonest recipient's deadline first, requests without one last. Each row comes with
 * its position (`dueAt`: the earliest deadline, or NO_DUE_DATE).
 */
export async function listNoticesSorted(db: Db, f: SortedListFilter) {
  const where = filtersOf(f);
  if (f.sort === 'urgency') {
    const a = f.after;
    if (a)
      where.push({
        OR: [
          { urgency: { lt: a.urgency } },
          { urgency: a.urgency, createdAt: { gt: a.createdAt } },
          { urgency: a.urgency, createdAt: a.createdAt, id: { gt: a.id } },
        ],
      });
    const rows = await db.notice.findMany({
      where: { AND: where },
      orderBy: [{ urgency: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }],
      take: f.limit + 1,
      include: LISTED,
    });
    return rows.map((n) => ({ ...apartBlockings(n), dueAt: earliestDue(n.recipients) }));
  }
  // No ordering by a relation's minimum in Prisma: the filtered ids are ordered in SQL.
  const ids = (await db.notice.findMany({ where: { AND: where }, select: { id: true } })).map((n) => n.id);
  if (ids.length === 0) return [];
  const a = f.after;
  const page = await db.$queryRaw<{ id: string }[]>`
    SELECT n.id FROM unnest(${ids}::uuid[]) AS n(id)
    CROSS JOIN LATERAL (SELECT COALESCE(min(r."dueAt"), ${NO_DUE_DATE}::timestamptz) AS due FROM "Recipient" r WHERE r."noticeId" = n.id) d
    WHERE ${a ? Prisma.sql`(d.due, n.id) > (${a.dueAt}::timestamptz, ${a.id}::uuid)` : Prisma.sql`TRUE`}
    ORDER BY d.due, n.id
    LIMIT ${f.limit + 1}`;
  const rows = await db.notice.findMany({ where: { id: { in: page.map((p) => p.id) } }, include: LISTED });
  const byId = new Map(rows.map((n) => [n.id, n]));
  return page.map((p) => byId.get(p.id)!).map((n) => ({ ...apartBlockings(n), dueAt: earliestDue(n.recipients) }));
}

const earliestDue = (recipients: readonly { dueAt: Date }[]) => recipients.reduce((min, r) => (r.dueAt < min ? r.dueAt : min), NO_DUE_DATE);

function filtersOf(f: Omit<ListFilter, 'after' | 'oldestFirst' | 'limit'>): Prisma.NoticeWhereInput[] {
  const where: Prisma.NoticeWhereInput[] = [];
  if (f.status) where.push({ status: f.status });
  if (f.kind) where.push({ kind: f.kind });
  const asRecipient = (country: string): Prisma.NoticeWhereInput => ({ publishedAt: { not: null }, recipients: { some: { country } } });
  if (f.requestingCountry) where.push({ requestingCountry: f.requestingCountry });
  if (f.recipientCountry) where.push(asRecipient(f.recipientCountry));
  if (f.involving) where.push({ OR: [{ requestingCountry: f.involving }, asRecipient(f.involving)] });
  if (f.renewalRequested) where.push({ renewals: { some: { decidedAt: null } } });
  if (f.amendmentPending) where.push({ amendments: { some: { status: 'UNDER_REVIEW' } } });
  return where;
}

export interface Findings {
  assetsLocated: number;
  byCategory: Record<string, number>;
  estimatedValue: Record<string, number>;
}

export const noFindings = (): Findings => ({ assetsLocated: 0, byCategory: {}, estimatedValue: {} });

export async function findingsFor(db: Db, noticeIds: string[]): Promise<Map<string, Findings>> {
  const result = new Map<string, Findings>(noticeIds.map((id) => [id, noFindings()]));
  if (noticeIds.length === 0) return result;
  const [byCategory, byCurrency] = await Promise.all([
    db.locatedAsset.groupBy({ by: ['noticeId', 'category'], where: { noticeId: { in: noticeIds } }, _count: { _all: true } }),
    db.locatedAsset.groupBy({
      by: ['noticeId', 'currency'],
      where: { noticeId: { in: noticeIds }, currency: { not: null } },
      _sum: { amount: true },
    }),
  ]);
  for (const row of byCategory) {
    const f = result.get(row.noticeId)!;
    f.byCategory[row.category] = row._count._all;
    f.assetsLocated += row._count._all;
  }
  for (const row of byCurrency) result.get(row.noticeId)!.estimatedValue[row.currency!] = Number(row._sum.amount ?? 0);
  return result;
}

/** Answers to a request, oldest first: all of them, or one country's. */
export function responsesTo(db: Db, noticeId: string, country?: string) {
  return db.response.findMany({ where: { noticeId, ...(country ? { country } : {}) }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}
