/**
 * A request's threads as recorded: the messages written in them, and the clarification question
 * and answer the review already recorded (Decision, Clarification), which the GS thread shows
 * without copying them. Who may read which thread is the service's to say.
 */
import type { Actor } from '../domain/model';
import { GS_THREAD } from '../domain/messages';
import { recordAudit } from './audit';
import { inTransaction, type Db } from './db';
import { notify } from './notifications';

export interface NewMessage {
  /** The action's id: a repeat finds it written and writes nothing. */
  id: string;
  noticeId: string;
  thread: string;
  author: Actor & { country: string | null; userId: string; name: string };
  body: string;
  handlingCode: string;
  at: Date;
  /** The countries told of it (MESSAGE). */
  tell: readonly string[];
  reference: string | null;
}

/** Writes a message once, with its audit event and the other side's notification; the message as stored. */
export function writeMessage(db: Db, m: NewMessage) {
  return inTransaction(db, async (tx) => {
    const { count } = await tx.message.createMany({
      data: [
        {
          id: m.id,
          noticeId: m.noticeId,
          thread: m.thread,
          authorRole: m.author.role,
          authorCountry: m.author.country,
          authorUserId: m.author.userId,
          authorKeyId: m.author.keyId,
          authorName: m.author.name,
          body: m.body,
          handlingCode: m.handlingCode,
          at: m.at,
        },
      ],
      skipDuplicates: true,
    });
    if (count === 1) {
      // The audit trail keeps no free text: the thread and the message's id only.
      await recordAudit(tx, { id: m.id, noticeId: m.noticeId, at: m.at, type: 'MESSAGE', actor: m.author, data: { thread: m.thread } });
      await notify(tx, { eventId: m.id, noticeId: m.noticeId, reference: m.reference, type: 'MESSAGE', countries: m.tell, at: m.at });
    }
    return tx.message.findUniqueOrThrow({ where: { id: m.id } });
  });
}

export type StoredMessage = Awaited<ReturnType<typeof writeMessage>>;

/** The messages written in `threads` of a request, oldest first. */
export function messagesIn(db: Db, noticeId: string, threads: readonly string[]) {
  return db.message.findMany({ where: { noticeId, thread: { in: [...threads] } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
}

/** The review's questions (clarifications asked, with their reason) and the requester's answers, with who wrote them. */
export async function reviewExchanges(db: Db, noticeId: string) {
  const [questions, answers] = await Promise.all([
    db.decision.findMany({ where: { noticeId, decision: 'REQUEST_CLARIFICATION' }, orderBy: { at: 'asc' } }),
    db.clarification.findMany({ where: { noticeId }, orderBy: { at: 'asc' } }),
  ]);
  const keyIds = [...new Set([...questions.map((q) => q.reviewerKeyId), ...answers.map((a) => a.keyId)])];
  const keys = await db.apiKey.findMany({ where: { id: { in: keyIds } }, select: { id: true, user: { select: { name: true } } } });
  const names = new Map(keys.map((k) => [k.id, k.user.name]));
  return { questions, answers, nameOf: (keyId: string) => names.get(keyId) ?? '' };
}

/** Marks the GS thread of a request read by a reviewer up to `at` (never back). */
export async function markThreadRead(db: Db, userId: string, noticeId: string, at: Date) {
  await db.$executeRaw`
    INSERT INTO "MessageRead" ("userId", "noticeId", "readAt") VALUES (${userId}::uuid, ${noticeId}::uuid, ${at})
    ON CONFLICT ("userId", "noticeId") DO UPDATE SET "readAt" = GREATEST("MessageRead"."readAt", EXCLUDED."readAt")`;
}

/**
 * The requests with GS messages a reviewer has not read (written by someone else after it last read
 * the thread), with how many: what reviewers have instead of a country's MESSAGE notifications.
 */
export async function unreadForReviewer(db: Db, userId: string): Promise<{ noticeId: string; unread: number }[]> {
  const rows = await db.$queryRaw<{ noticeId: string; unread: bigint }[]>`
    SELECT m."noticeId", count(*) AS unread
    FROM "Message" m
    LEFT JOIN "MessageRead" r ON r."userId" = ${userId}::uuid AND r."noticeId" = m."noticeId"
    WHERE m."thread" = ${GS_THREAD} AND m."authorUserId" <> ${userId}::uuid AND (r."readAt" IS NULL OR m."at" > r."readAt")
    GROUP BY m."noticeId"
    ORDER BY min(m."at")`;
  return rows.map((r) => ({ noticeId: r.noticeId, unread: Number(r.unread) }));
}
