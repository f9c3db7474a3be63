/**
 * The audit trail: every read, change, decision and distribution. Rows are only ever added (a
 * trigger refuses UPDATE and DELETE); this module is the one way anything writes it.
 */
import crypto from 'node:crypto';
import type { Actor, NotificationType } from '../domain/model';
import type { Db, Prisma } from './db';
import { notify } from './notifications';

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

/** Appends events; writing the same id twice keeps the first. */
export async function recordAudit(db: Db, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.auditEvent.createMany({
    data: entries.map((e) => ({
      id: e.id ?? crypto.randomUUID(),
      noticeId: e.noticeId,
      at: e.at,
      type: e.type,
      actorRole: e.actor.role,
      actorCountry: e.actor.country ?? null,
      actorUserId: e.actor.userId ?? null,
      actorKeyId: e.actor.keyId ?? null,
      data: e.data as Prisma.InputJsonValue,
    })),
    skipDuplicates: true,
  });
}

/** An event outside any request (administration), by `actor`. */
export function recordAction(db: Db, actor: Actor, type: string, data: Record<string, unknown>): Promise<void> {
  return recordAudit(db, { noticeId: null, at: new Date(), type, actor, data });
}

/** A request's trail, oldest first, each event with the name of the user who acted (if one did). */
export async function auditTrail(db: Db, noticeId: string) {
  const rows = await db.auditEvent.findMany({ where: { noticeId }, orderBy: { seq: 'asc' } });
  const userIds = [...new Set(rows.map((r) => r.actorUserId).filter((id): id is string => id !== null))];
  const users = userIds.length ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } }) : [];
  const names = new Map(users.map((u) => [u.id, u.name]));
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

/**
 * What a workflow step leaves behind: its audit event, and a notification to each country it tells.
 * Both are keyed by the step's id, so a retried step writes them once.
 */
export async function recordStepEvent(
  db: Db,
  step: Step,
  event: {
    type: string;
    actor?: AuditActor;
    data: Record<string, unknown>;
    tell?: { type: NotificationType; countries: readonly string[]; reference: string | null };
  },
): Promise<void> {
  const at = new Date(step.at);
  if (event.tell) await notify(db, { eventId: step.eventId, noticeId: step.noticeId, at, ...event.tell });
  await recordAudit(db, {
    id: step.eventId,
    noticeId: step.noticeId,
    at,
    type: event.type,
    actor: event.actor ?? SYSTEM_ACTOR,
    data: event.data,
  });
}
