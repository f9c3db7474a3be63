/**
 * The audit trail: every read, change, decision and distribution. Rows are only ever added (a
 * trigger refuses UPDATE and DELETE) and are tamper-evident: the database chains each new event
 * to the one before it by hash (migration audit_hash_chain), and `verifyAuditChain` checks the
 * chain. This module is the one way anything writes or checks it.
 */
import crypto from 'node:crypto';
import type { Actor, NotificationType } from '../domain/model';
import { Prisma } from '../generated/prisma/client';
import type { Db, PrismaClient } from './db';
import { userNames } from './keys';
import { notificationsWritten } from './notifications';

/** Timers and screening act as the system itself. */
export type AuditActor = Actor | { role: 'SYSTEM'; country?: null; keyId?: null; userId?: null };
export const SYSTEM_ACTOR: AuditActor = { role: 'SYSTEM' };

export interface AuditEntry {
  /** Given by workflow steps (so a retry writes nothing twice); a fresh one otherwise. */
  id?: string;
  noticeId: string | null;
  at: Date;
  type: string;
  actor: AuditActor;
  data: Record<string, unknown>;
}

/** Appends events, in their order; writing the same id twice keeps the first. */
export async function recordAudit(db: Db, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length > 0) await db.$executeRaw`WITH ${auditWritten(entries)} SELECT 1`;
}

/**
 * The events as a common table expression, for a statement that may write more beside them. The
 * trigger numbers and chains events in the order they are inserted: ORDER BY keeps `entries`' order.
 */
function auditWritten(entries: AuditEntry[]): Prisma.Sql {
  return Prisma.sql`
    audited AS (
      INSERT INTO "AuditEvent" ("id", "noticeId", "at", "type", "actorRole", "actorCountry", "actorUserId", "actorKeyId", "data")
      SELECT e.id, e.notice, e.at, e.type, e.role, e.country, e."user", e.key, e.data::jsonb
      FROM unnest(${entries.map((e) => e.id ?? crypto.randomUUID())}::uuid[], ${entries.map((e) => e.noticeId)}::uuid[],
                  ${entries.map((e) => e.at)}::timestamptz[], ${entries.map((e) => e.type)}::text[],
                  ${entries.map((e) => e.actor.role)}::text[], ${entries.map((e) => e.actor.country ?? null)}::text[],
                  ${entries.map((e) => e.actor.userId ?? null)}::uuid[], ${entries.map((e) => e.actor.keyId ?? null)}::text[],
                  ${entries.map((e) => JSON.stringify(e.data))}::text[])
        WITH ORDINALITY AS e(id, notice, at, type, role, country, "user", key, data, n)
      ORDER BY e.n
      ON CONFLICT DO NOTHING
    )`;
}

/** An event outside any request (administration), by `actor`. */
export function recordAction(db: Db, actor: Actor, type: string, data: Record<string, unknown>): Promise<void> {
  return recordAudit(db, { noticeId: null, at: new Date(), type, actor, data });
}

/** A request's trail, oldest first, each event with the name of the user who acted (if one did). */
export async function auditTrail(db: Db, noticeId: string) {
  const rows = await db.auditEvent.findMany({ where: { noticeId }, orderBy: { seq: 'asc' } });
  const userIds = [...new Set(rows.map((r) => r.actorUserId).filter((id): id is string => id !== null))];
  const names = await userNames(db, userIds);
  return rows.map((r) => ({ ...r, actorName: r.actorUserId ? (names.get(r.actorUserId) ?? null) : null }));
}

/** A step of a request's workflow: which request, the step's own id (from the workflow), and when. */
export interface Step {
  noticeId: string;
  /** Id of the audit event this step writes; also keys its notifications. */
  eventId: string;
  /** Workflow time, epoch ms: the timers and the record agree on it. */
  at: number;
}

/** An event a workflow step leaves behind, and the countries it tells. */
export interface StepEvent {
  type: string;
  actor?: AuditActor;
  data: Record<string, unknown>;
  tell?: { type: NotificationType; countries: readonly string[]; reference: string | null; detail?: string };
}

/** Whether a step of the request has written already: its audit event is keyed by the step's id. */
export async function stepWritten(db: Db, step: Pick<Step, 'noticeId' | 'eventId'>): Promise<boolean> {
  return (await db.auditEvent.count({ where: { id: step.eventId, noticeId: step.noticeId } })) > 0;
}

/**
 * What a workflow step leaves behind: its audit event, and a notification to each country it tells.
 * Both are keyed by the step's id, so a retried step writes them once.
 */
export function recordStepEvent(db: Db, step: Step, event: StepEvent): Promise<void> {
  return recordStepEvents(db, [{ step, ...event }]);
}

/**
 * The events of several steps (answers taken together), in their order, with the notifications
 * they cause: one statement, as every step pays for its round trips. It is the last write of its
 * transaction (the chain's head stays locked from here to the commit).
 */
export async function recordStepEvents(db: Db, events: (StepEvent & { step: Step })[]): Promise<void> {
  if (events.length === 0) return;
  const written = notificationsWritten(
    events.flatMap(({ step, tell }) => (tell ? [{ eventId: step.eventId, noticeId: step.noticeId, at: new Date(step.at), ...tell }] : [])),
  );
  const audited = auditWritten(
    events.map(({ step, type, actor = SYSTEM_ACTOR, data }) => ({
      id: step.eventId,
      noticeId: step.noticeId,
      at: new Date(step.at),
      type,
      actor,
      data,
    })),
  );
  await db.$executeRaw`WITH ${written ? Prisma.sql`${written},` : Prisma.empty} ${audited} SELECT 1`;
}

export interface ChainCheck {
  ok: boolean;
  /** Events checked: those up to the chain's head when the check began. */
  events: number;
  /** The first event whose hash does not follow from the one before it and its own content. */
  firstBrokenEventId?: string;
}

const PAGE = 1000;

/**
 * Checks the audit hash chain: each event's hash must be the digest of the previous event's hash
 * and its own content, the first one chained to nothing, the last one the recorded head, and no
 * event beyond the head. An event edited, deleted, inserted or moved breaks it there. Runs in one
 * snapshot, so events appended meanwhile are neither seen nor in the way.
 */
export function verifyAuditChain(prisma: PrismaClient): Promise<ChainCheck> {
  return prisma.$transaction(
    async (tx) => {
      const head = (await tx.auditChainHead.findUnique({ where: { id: 1 } })) ?? { lastSeq: 0n, lastHash: '' };
      let prev = '';
      let after = -1n;
      let events = 0;
      let last: { seq: bigint; hash: string | null } | undefined;
      for (;;) {
        const rows = await tx.$queryRaw<{ seq: bigint; id: string; hash: string | null; expected: string }[]>`
          WITH page AS (SELECT * FROM "AuditEvent" WHERE "seq" > ${after} ORDER BY "seq" LIMIT ${PAGE})
          SELECT "seq", "id"::text AS "id", "hash",
            audit_event_digest(COALESCE(lag("hash") OVER (ORDER BY "seq"), ${prev}), "id", "noticeId", "at", "type", "actorRole",
              "actorCountry", "actorUserId", "actorKeyId", "data") AS "expected"
          FROM page ORDER BY "seq"`;
        for (const r of rows) {
          if (r.hash !== r.expected || r.seq > head.lastSeq) return { ok: false, events, firstBrokenEventId: r.id };
          events++;
          last = r;
        }
        if (rows.length < PAGE) break;
        prev = rows[rows.length - 1].hash!;
        after = rows[rows.length - 1].seq;
      }
      // With the newest events gone, what is left does not end where the head says the chain ends.
      const endsAtHead = last ? last.seq === head.lastSeq && last.hash === head.lastHash : head.lastHash === '';
      return endsAtHead ? { ok: true, events } : { ok: false, events };
    },
    { isolationLevel: 'RepeatableRead', timeout: 10 * 60_000, maxWait: 60_000 },
  );
}
