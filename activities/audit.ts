import type { Prisma } from '../generated/prisma/client';
import type { Actor } from '../domain/model';

/** Timers and screening act as the system itself. */
export type AuditActor = Actor | { role: 'SYSTEM'; country?: null; keyId?: null };
export const SYSTEM_ACTOR: AuditActor = { role: 'SYSTEM' };

export interface AuditEntry {
  id: string;
  noticeId: string | null;
  at: Date;
  type: string;
  actor: AuditActor;
  data: Record<string, unknown>;
}

/** Appends one event to the audit trail; writing the same id twice keeps the first. */
export async function recordAudit(tx: Prisma.TransactionClient, e: AuditEntry): Promise<void> {
  await tx.auditEvent.createMany({
    data: [
      {
        id: e.id,
        noticeId: e.noticeId,
        at: e.at,
        type: e.type,
        actorRole: e.actor.role,
        actorCountry: e.actor.country ?? null,
        actorKeyId: e.actor.keyId ?? null,
        data: e.data as Prisma.InputJsonValue,
      },
    ],
    skipDuplicates: true,
  });
}
