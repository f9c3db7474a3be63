import crypto from 'node:crypto';
import type { Prisma } from '../generated/prisma/client';
import type { Actor } from '../domain/model';

/** Timers and screening act as the system itself. */
export type AuditActor = Actor | { role: 'SYSTEM'; country?: null; keyId?: null };
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

/**
 * Appends events to the audit trail, the one way anything writes it (activities, API reads and
 * administration); writing the same id twice keeps the first.
 */
export async function recordAudit(db: Pick<Prisma.TransactionClient, 'auditEvent'>, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.auditEvent.createMany({
    data: entries.map((e) => ({
      id: e.id ?? crypto.randomUUID(),
      noticeId: e.noticeId,
      at: e.at,
      type: e.type,
      actorRole: e.actor.role,
      actorCountry: e.actor.country ?? null,
      actorKeyId: e.actor.keyId ?? null,
      data: e.data as Prisma.InputJsonValue,
    })),
    skipDuplicates: true,
  });
}
