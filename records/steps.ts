/**
 * The writes of a request's workflow steps: screening, decision, clarification, publication, closure.
 *
 * Each names the states it expects the request to be in and changes nothing when the record has
 * moved on (a retried step, an old run, a race): it says so in its answer, and no request is ever
 * rewound or reopened. Ids of the rows a step writes come from the workflow, so a retried step
 * finds its earlier work and writes nothing twice.
 */
import type { Actor, DecisionKind, Flag, NotificationType, Status } from '../domain/model';
import { holdsQuota } from '../domain/pilot';
import type { RequestContent } from '../domain/request';
import { recordStepEvent, recordStepEvents, type Step, type StepEvent } from './audit';
import type { Db, Prisma, Tx } from './db';
import { inTransaction } from './db';
import { CLAIM_RELEASED } from './claims';
import { recordIdentifiers, type IdentifierDigest } from './links';
import { contentColumns, OPEN } from './notices';
import { indexSubject } from './search';

export type { Step } from './audit';

/** What a guarded write did: `moved` is false when the record was no longer in an expected state. */
export interface Outcome {
  moved: boolean;
  status: Status;
}

/**
 * Moves the request from one of `from` to `to` (with `data`), or does nothing and reports the
 * state it found. The guard that keeps every write from rewinding a request.
 */
async function move(tx: Tx, id: string, from: Prisma.EnumNoticeStatusFilter, to: Status, data: Prisma.NoticeUpdateManyMutationInput) {
  const { count } = await tx.notice.updateMany({ where: { id, status: from }, data: { ...data, status: to } });
  if (count === 1) return { moved: true, status: to } satisfies Outcome;
  const found = await tx.notice.findUniqueOrThrow({ where: { id }, select: { status: true } });
  return { moved: false, status: found.status } satisfies Outcome;
}

export async function recordScreening(db: Db, s: Step & { flags: Flag[]; possibleDuplicates: string[] }): Promise<Outcome> {
  const at = new Date(s.at);
  return inTransaction(db, async (tx) => {
    const outcome = await move(tx, s.noticeId, { in: ['SUBMITTED', 'UNDER_REVIEW'] }, 'UNDER_REVIEW', { flags: s.flags, updatedAt: at });
    if (!outcome.moved) return outcome;
    await recordStepEvent(tx, s, { type: 'SCREENED', data: { flags: s.flags, possibleDuplicates: s.possibleDuplicates } });
    return outcome;
  });
}

export interface DecisionRecord {
  decision: DecisionKind;
  reason?: string;
  grounds: string[];
  actor: Actor;
  /** What the decision leads to (PUBLISHED: the publication that follows moves the request on). */
  status: Status;
  approvals: number;
  approvalsRequired: number;
}

export function recordDecision(db: Db, d: Step & DecisionRecord): Promise<Outcome> {
  return inTransaction(db, (tx) => eventsLast(tx, writeDecision(tx, d)));
}

/**
 * A step's writes, and the events it leaves for its caller to write last: the audit chain's head
 * stays locked from the audit insert to the commit, so two steps in one transaction write their
 * events together at its end.
 */
interface Written<T> {
  result: T;
  events: (StepEvent & { step: Step })[];
}

async function eventsLast<T>(tx: Tx, writing: Promise<Written<T>>): Promise<T> {
  const { result, events } = await writing;
  await recordStepEvents(tx, events);
  return result;
}

async function writeDecision(tx: Tx, d: Step & DecisionRecord): Promise<Written<Outcome>> {
  const at = new Date(d.at);
  if (await tx.decision.findUnique({ where: { id: d.eventId }, select: { id: true } }))
    return { result: { moved: true, status: d.status }, events: [] };
  // A decision that publishes leaves the request UNDER_REVIEW here: publication moves it on.
  const next = d.status === 'PUBLISHED' ? 'UNDER_REVIEW' : d.status;
  const notice = await tx.notice.findUniqueOrThrow({
    where: { id: d.noticeId },
    select: { firstDecisionAt: true, reference: true, requestingCountry: true },
  });
  const outcome = await move(tx, d.noticeId, { equals: 'UNDER_REVIEW' }, next, {
    updatedAt: at,
    firstDecisionAt: notice.firstDecisionAt ?? at,
    ...CLAIM_RELEASED,
    ...(next === 'REJECTED' ? { closedAt: at } : {}),
  });
  if (!outcome.moved) return { result: outcome, events: [] };
  const { decision, reason = null, grounds, status, approvals, approvalsRequired } = d;
  await tx.decision.create({
    data: { id: d.eventId, noticeId: d.noticeId, decision, reason, grounds, reviewerKeyId: d.actor.keyId, at },
  });
  const event = {
    step: d,
    type: 'DECISION',
    actor: d.actor,
    data: { decision, grounds, status, approvals, approvalsRequired },
    tell: { type: 'DECISION' as const, countries: [notice.requestingCountry], reference: notice.reference },
  };
  return { result: outcome, events: [event] };
}

/** Applies a clarification's changes (already checked against every submission rule). */
export async function recordClarification(
  db: Db,
  c: Step & {
    message: string;
    content: RequestContent;
    /** The request's content before the changes, so that reviewers see each changed field before and after. */
    before: RequestContent;
    subjectKey: string | null;
    changedFields: string[];
    actor: Actor;
  },
  digests: IdentifierDigest[] = [],
): Promise<Outcome> {
  const at = new Date(c.at);
  return inTransaction(db, async (tx) => {
    if (await tx.clarification.findUnique({ where: { id: c.eventId }, select: { id: true } }))
      return { moved: true, status: 'UNDER_REVIEW' };
    const outcome = await move(tx, c.noticeId, { equals: 'CLARIFICATION_REQUESTED' }, 'UNDER_REVIEW', {
      ...contentColumns(c.content),
      subjectKey: c.subjectKey,
      updatedAt: at,
    });
    if (!outcome.moved) return outcome;
    const fieldsOf = (content: RequestContent) =>
      Object.fromEntries(c.changedFields.map((f) => [f, (content as unknown as Record<string, unknown>)[f]]));
    const changes = fieldsOf(c.content);
    await tx.clarification.create({
      data: {
        id: c.eventId,
        noticeId: c.noticeId,
        message: c.message,
        changes: changes as Prisma.InputJsonValue,
        before: fieldsOf(c.before) as Prisma.InputJsonValue,
        keyId: c.actor.keyId,
        at,
      },
    });
    await recordIdentifiers(tx, { noticeId: c.noticeId, source: 'SOUGHT', digests, at });
    await indexSubject(tx, c.noticeId, c.content.subject);
    await recordStepEvent(tx, c, { type: 'CLARIFICATION', actor: c.actor, data: { changedFields: c.changedFields } });
    return outcome;
  });
}

/**
 * Publishes: the next gapless reference, the recipients with their due date, a notification to each.
 * Publishing twice is harmless: the second call finds the reference and recipients of the first.
 */
export type Publication = Step & { recipients: string[]; dueAt: number; expiresAt: number };
export type Published = { reference: string; recipients: string[] } & Outcome;

export function recordPublication(db: Db, p: Publication): Promise<Published> {
  return inTransaction(db, (tx) => eventsLast(tx, writePublication(tx, p)));
}

async function writePublication(tx: Tx, p: Publication): Promise<Written<Published>> {
  const at = new Date(p.at);
  const notice = await tx.notice.findUniqueOrThrow({ where: { id: p.noticeId } });
  if (notice.reference) {
    const existing = await tx.recipient.findMany({
      where: { noticeId: notice.id },
      select: { country: true },
      orderBy: { country: 'asc' },
    });
    const result = { moved: false, status: notice.status, reference: notice.reference, recipients: existing.map((r) => r.country) };
    return { result, events: [] };
  }
  const recipients = p.recipients;
  const prefix = notice.kind === 'NOTICE' ? 'SN' : 'SD';
  const year = at.getUTCFullYear();
  // The counter row stays locked until this transaction ends: numbers are handed out in order,
  // and a publication that does not happen gives its number back.
  const [{ last }] = await tx.$queryRaw<{ last: number }[]>`
    INSERT INTO "ReferenceCounter" ("prefix", "year", "last") VALUES (${prefix}, ${year}, 1)
    ON CONFLICT ("prefix", "year") DO UPDATE SET "last" = "ReferenceCounter"."last" + 1
    RETURNING "last"`;
  const reference = `${prefix}-${year}-${String(last).padStart(6, '0')}`;
  const dueAt = new Date(p.dueAt);
  const outcome = await move(tx, notice.id, { equals: 'UNDER_REVIEW' }, 'PUBLISHED', {
    reference,
    publishedAt: at,
    expiresAt: new Date(p.expiresAt),
    updatedAt: at,
  });
  if (!outcome.moved) throw new Error(`request ${notice.id} cannot be published from ${outcome.status}`);
  // Arrays rather than createMany: see notify().
  await tx.$executeRaw`
    INSERT INTO "Recipient" ("noticeId", "country", "dueAt")
    SELECT ${notice.id}::uuid, country, ${dueAt}::timestamptz FROM unnest(${recipients}::text[]) AS country
    ON CONFLICT DO NOTHING`;
  const event = {
    step: p,
    type: 'PUBLISHED',
    data: { reference, recipients, dueAt: dueAt.toISOString(), expiresAt: new Date(p.expiresAt).toISOString() },
    tell: { type: 'PUBLISHED' as const, countries: recipients, reference },
  };
  return { result: { ...outcome, reference, recipients }, events: [event] };
}

/**
 * An approval that publishes: the decision and the publication it leads to, in one transaction, so
 * one step of the workflow writes both and no reader sees the approval without its publication.
 * Their events are written together at the end.
 */
export function recordPublishingDecision(
  db: Db,
  d: Step & DecisionRecord,
  p: Publication,
): Promise<{ decision: Outcome; reference: string; recipients: string[] }> {
  return inTransaction(db, async (tx) => {
    const decided = await writeDecision(tx, d);
    const published = await writePublication(tx, p);
    const { reference } = published.result;
    // The decision is written before the publication that gives the reference; its notification carries it.
    const decisionEvents = decided.events.map((e) => (e.tell ? { ...e, tell: { ...e.tell, reference } } : e));
    await recordStepEvents(tx, [...decisionEvents, ...published.events]);
    return { decision: decided.result, reference, recipients: published.result.recipients };
  });
}

/** Moves an open request to a final state and tells its recipients when asked to. */
export async function recordClosure(
  db: Db,
  c: Step & {
    status: Status;
    reason?: string;
    grounds?: string[];
    actor?: Actor;
    notify?: Extract<NotificationType, 'WITHDRAWN' | 'CANCELLED' | 'EXPIRED'>;
  },
): Promise<Outcome> {
  const at = new Date(c.at);
  return inTransaction(db, async (tx) => {
    const before = await tx.notice.findUniqueOrThrow({
      where: { id: c.noticeId },
      select: { status: true, reference: true, publishedAt: true },
    });
    const grounds = c.grounds ?? [];
    const outcome = await move(tx, c.noticeId, OPEN, c.status, {
      updatedAt: at,
      closedAt: at,
      closureReason: c.reason ?? null,
      closureGrounds: grounds,
    });
    if (!outcome.moved) return outcome;
    // An amendment still under review has nothing left to amend: it lapses with the request.
    const lapsed = await tx.amendment.updateMany({
      where: { noticeId: c.noticeId, status: 'UNDER_REVIEW' },
      data: { status: 'LAPSED', decidedAt: at },
    });
    const told = c.notify
      ? (await tx.recipient.findMany({ where: { noticeId: c.noticeId }, select: { country: true } })).map((r) => r.country)
      : [];
    await recordStepEvent(tx, c, {
      type: c.status,
      actor: c.actor,
      tell: c.notify && { type: c.notify, countries: told, reference: before.reference },
      data: {
        grounds,
        from: before.status,
        quotaReleased: holdsQuota(before) && !holdsQuota({ status: c.status, publishedAt: before.publishedAt }),
        recipientsNotified: told.length,
        amendmentsLapsed: lapsed.count,
      },
    });
    return outcome;
  });
}
