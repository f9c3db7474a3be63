/**
 * Need to know: who may see a request, and what each one sees of it.
 * The requesting NCB and reviewers see everything; a recipient sees a published request (and its
 * later final state) without the review, the findings or other recipients; anyone else gets 404.
 */
import type { Notice, Recipient, Decision } from '../generated/prisma/client';
import type { PrismaClient } from '../prisma/database';
import type { Principal } from './auth';
import { notFound } from './problem';

export type Relation = 'REQUESTER' | 'REVIEWER' | 'RECIPIENT';
type FullNotice = Notice & { recipients: Recipient[]; decisions: Decision[] };

export interface Findings {
  assetsLocated: number;
  byCategory: Record<string, number>;
  estimatedValue: Record<string, number>;
}

const NOT_VISIBLE = 'No request with this id is visible to this key';

/** How the caller relates to a request (with its recipients loaded); undefined: it may not know it exists. */
export function relationTo(
  n: { requestingCountry: string; publishedAt: Date | null; recipients: { country: string }[] },
  p: Principal,
): Relation | undefined {
  if (p.role === 'REVIEWER') return 'REVIEWER';
  if (p.role !== 'NCB') return undefined;
  if (n.requestingCountry === p.country) return 'REQUESTER';
  if (n.publishedAt && n.recipients.some((r) => r.country === p.country)) return 'RECIPIENT';
  return undefined;
}

/** Loads a request the caller may see, with how the caller relates to it; 404 otherwise. */
export async function loadVisibleNotice(
  prisma: PrismaClient,
  id: string,
  principal: Principal,
): Promise<{ notice: FullNotice; relation: Relation }> {
  const notice = await prisma.notice.findUnique({
    where: { id },
    include: { recipients: { orderBy: { country: 'asc' } }, decisions: { orderBy: { at: 'asc' } } },
  });
  const relation = notice ? relationTo(notice, principal) : undefined;
  if (!notice || !relation) throw notFound(NOT_VISIBLE);
  return { notice, relation };
}

export async function findingsFor(prisma: PrismaClient, noticeIds: string[]): Promise<Map<string, Findings>> {
  const result = new Map<string, Findings>(noticeIds.map((id) => [id, { assetsLocated: 0, byCategory: {}, estimatedValue: {} }]));
  if (noticeIds.length === 0) return result;
  const [byCategory, byCurrency] = await Promise.all([
    prisma.locatedAsset.groupBy({ by: ['noticeId', 'category'], where: { noticeId: { in: noticeIds } }, _count: { _all: true } }),
    prisma.locatedAsset.groupBy({
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
  for (const row of byCurrency) {
    result.get(row.noticeId)!.estimatedValue[row.currency!] = Number(row._sum.amount ?? 0);
  }
  return result;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function noticeView(n: FullNotice, relation: Relation, viewerCountry: string | null, findings?: Findings) {
  const recipients = (relation === 'RECIPIENT' ? n.recipients.filter((r) => r.country === viewerCountry) : n.recipients).map((r) => ({
    country: r.country,
    status: r.status,
    dueAt: r.dueAt.toISOString(),
    respondedAt: iso(r.respondedAt),
  }));
  const view = {
    id: n.id,
    reference: n.reference,
    kind: n.kind,
    status: n.status,
    requestingCountry: n.requestingCountry,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
    publishedAt: iso(n.publishedAt),
    expiresAt: iso(n.expiresAt),
    purposes: n.purposes,
    subject: n.subject,
    offence: n.offence,
    assetsSought: n.assetsSought,
    handlingCode: n.handlingCode,
    urgency: n.urgency,
    language: n.language,
    responseDays: n.responseDays,
    recipients,
  };
  if (relation === 'RECIPIENT') return view;
  return {
    ...view,
    // Before publication, the countries a diffusion is meant for are shown as requested.
    ...(n.publishedAt ? {} : { requestedRecipients: n.requestedRecipients }),
    review: {
      flags: n.flags,
      decisions: n.decisions.map((d) => ({ decision: d.decision, reason: d.reason, grounds: d.grounds, at: d.at.toISOString() })),
    },
    findings: findings ?? { assetsLocated: 0, byCategory: {}, estimatedValue: {} },
  };
}
