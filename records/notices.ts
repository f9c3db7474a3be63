/**
 * The case record of a request: its content (the fields domain/request.ts lists), its submission,
 * and the reads the workflow's steps and the services need.
 */
import type { Actor } from '../domain/model';
import { OPEN_STATUSES } from '../domain/model';
import type { AssetSought, Offence, RequestContent, Subject } from '../domain/request';
import { caseNumberOf } from '../domain/search';
import { recordAudit } from './audit';
import type { Db, Prisma, Tx } from './db';
import { recordIdentifiers, type IdentifierDigest } from './links';
import { indexNewSubject } from './search';

/** The states a request can still move from. */
export const OPEN: Prisma.EnumNoticeStatusFilter = { in: [...OPEN_STATUSES] };

/** The request's content as it was submitted (or last clarified). */
export function requestContent(row: {
  kind: RequestContent['kind'];
  requestedRecipients: string[];
  purposes: string[];
  subject: unknown;
  offence: unknown;
  assetsSought: unknown;
  handlingCode: string;
  urgency: string;
  responseDays: number | null;
  language: string;
}): RequestContent {
  return {
    kind: row.kind,
    ...(row.kind === 'DIFFUSION' ? { recipients: row.requestedRecipients } : {}),
    purposes: row.purposes,
    subject: row.subject as Subject,
    offence: row.offence as Offence,
    assetsSought: row.assetsSought as AssetSought[],
    handlingCode: row.handlingCode,
    urgency: row.urgency,
    responseDays: row.responseDays,
    language: row.language,
  };
}

/** The columns that hold a request's content. */
export function contentColumns(c: RequestContent) {
  return {
    requestedRecipients: c.recipients ?? [],
    purposes: c.purposes,
    subject: c.subject as unknown as Prisma.InputJsonValue,
    offence: c.offence as unknown as Prisma.InputJsonValue,
    assetsSought: c.assetsSought as unknown as Prisma.InputJsonValue,
    handlingCode: c.handlingCode,
    urgency: c.urgency,
    responseDays: c.responseDays,
    language: c.language,
  };
}

/**
 * The next case number of a country's requests this year. The counter row stays locked until the
 * submission's transaction ends: numbers are handed out in order, and a submission that does not
 * happen gives its number back.
 */
async function nextCaseNumber(tx: Tx, country: string, now: Date): Promise<string> {
  const year = now.getUTCFullYear();
  const [{ last }] = await tx.$queryRaw<{ last: number }[]>`
    INSERT INTO "CaseCounter" ("country", "year", "last") VALUES (${country}, ${year}, 1)
    ON CONFLICT ("country", "year") DO UPDATE SET "last" = "CaseCounter"."last" + 1
    RETURNING "last"`;
  return caseNumberOf(country, year, last);
}

/**
 * Records a submission inside the caller's transaction, after the quota check: the request with its
 * case number, the digests of the identifiers it seeks (linking it to other requests holding them),
 * the terms it is found by, then its audit event, last, since the audit chain's head stays locked
 * from that insert to the commit and every audited write in the system waits for it.
 */
export async function recordSubmission(
  tx: Tx,
  s: {
    id: string;
    content: RequestContent;
    subjectKey: string | null;
    actor: Actor & { country: string };
    now: Date;
    digests: IdentifierDigest[];
  },
) {
  const caseNumber = await nextCaseNumber(tx, s.actor.country, s.now);
  const created = await tx.notice.create({
    data: {
      id: s.id,
      caseNumber,
      kind: s.content.kind,
      status: 'SUBMITTED',
      requestingCountry: s.actor.country,
      createdByKeyId: s.actor.keyId,
      createdAt: s.now,
      updatedAt: s.now,
      subjectKey: s.subjectKey,
      flags: [],
      ...contentColumns(s.content),
    },
  });
  await recordIdentifiers(tx, { noticeId: s.id, source: 'SOUGHT', digests: s.digests, at: s.now });
  await indexNewSubject(tx, s.id, s.content.subject);
  await recordAudit(tx, {
    noticeId: s.id,
    at: s.now,
    type: 'SUBMITTED',
    actor: s.actor,
    data: {
      kind: s.content.kind,
      recipients: s.content.recipients ?? 'ALL_MEMBERS',
      urgency: s.content.urgency,
      responseDays: s.content.responseDays,
    },
  });
  return created;
}

export type NoticeRow = Awaited<ReturnType<typeof recordSubmission>>;

export function findNotice(db: Db, id: string) {
  return db.notice.findUnique({ where: { id } });
}

/** Submissions whose workflow may never have started (the process stopped in between). */
export function submittedNotices(db: Db) {
  return db.notice.findMany({
    where: { status: 'SUBMITTED' },
    select: { id: true, requestingCountry: true, kind: true, urgency: true, responseDays: true },
  });
}

/** Open requests from the same country about the same person (by `subjectKey`). */
export async function possibleDuplicates(db: Db, notice: { id: string; requestingCountry: string; subjectKey: string | null }) {
  if (notice.subjectKey === null) return [];
  return db.notice.findMany({
    where: {
      id: { not: notice.id },
      requestingCountry: notice.requestingCountry,
      subjectKey: notice.subjectKey,
      status: OPEN,
    },
    select: { id: true },
    take: 10,
  });
}
