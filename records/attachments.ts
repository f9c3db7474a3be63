/**
 * Files attached to requests, bytes and all: one backup of the database keeps them. An attachment's
 * id is its action's, so an upload repeated with the same Idempotency-Key finds the row it wrote.
 */
import { MAX_ATTACHMENTS } from '../domain/attachments';
import type { Actor } from '../domain/model';
import { recordAudit, recordStepEvent } from './audit';
import type { Db, PrismaClient } from './db';

export interface NewAttachment {
  id: string;
  noticeId: string;
  filename: string;
  contentType: string;
  sha256: string;
  content: Uint8Array;
  shared: boolean;
  uploader: Actor & { userId: string };
  at: Date;
  /** The countries told of the new file (its readers but the uploader's own), and the request's reference. */
  tell: { countries: string[]; reference: string | null };
}

/** Everything but the bytes: what lists and answers show. */
const DESCRIBED = {
  id: true,
  noticeId: true,
  filename: true,
  contentType: true,
  size: true,
  sha256: true,
  shared: true,
  uploaderRole: true,
  uploaderCountry: true,
  at: true,
} as const;

export type AttachmentRow = Awaited<ReturnType<typeof attachmentsOf>>[number];

/**
 * Keeps a file unless the request has its full count already ('FULL'). The request's row is locked
 * while counting, so two uploads racing for the last place cannot both take it.
 */
export async function recordAttachment(prisma: PrismaClient, a: NewAttachment): Promise<AttachmentRow | 'FULL'> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM "Notice" WHERE "id" = ${a.noticeId}::uuid FOR UPDATE`;
    const earlier = await tx.attachment.findUnique({ where: { id: a.id }, select: DESCRIBED });
    if (earlier) return earlier;
    if ((await tx.attachment.count({ where: { noticeId: a.noticeId } })) >= MAX_ATTACHMENTS) return 'FULL';
    // The bytes travel as base64 text, decoded by the database: the driver adapters turn a bytea
    // parameter or column into hex one byte at a time, seconds for a file of a few MiB.
    const content = Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength).toString('base64');
    await tx.$executeRaw`
      INSERT INTO "Attachment" ("id", "noticeId", "filename", "contentType", "size", "sha256", "content", "shared",
                                "uploaderRole", "uploaderCountry", "uploaderUserId", "uploaderKeyId", "at")
      VALUES (${a.id}::uuid, ${a.noticeId}::uuid, ${a.filename}, ${a.contentType}, ${a.content.byteLength}, ${a.sha256},
              decode(${content}, 'base64'), ${a.shared}, ${a.uploader.role}, ${a.uploader.country ?? null}, ${a.uploader.userId}::uuid,
              ${a.uploader.keyId}::uuid, ${a.at})`;
    const row = (await tx.attachment.findUnique({ where: { id: a.id }, select: DESCRIBED }))!;
    await recordStepEvent(
      tx,
      { noticeId: a.noticeId, eventId: a.id, at: a.at.getTime() },
      {
        type: 'ATTACHED',
        actor: a.uploader,
        data: { attachmentId: a.id, contentType: a.contentType, size: row.size, sha256: a.sha256, shared: a.shared },
        tell: a.tell.countries.length ? { type: 'ATTACHED', ...a.tell } : undefined,
      },
    );
    return row;
  });
}

/** A request's attachments, oldest first, without their bytes. */
export function attachmentsOf(db: Db, noticeId: string) {
  return db.attachment.findMany({ where: { noticeId }, orderBy: [{ at: 'asc' }, { id: 'asc' }], select: DESCRIBED });
}

/** One attachment of a request, with its bytes (as base64 from the database: see recordAttachment). */
export async function attachmentContent(db: Db, noticeId: string, id: string) {
  const described = await db.attachment.findFirst({ where: { id, noticeId }, select: DESCRIBED });
  if (!described) return null;
  const [{ content }] = await db.$queryRaw<
    { content: string }[]
  >`SELECT encode("content", 'base64') AS "content" FROM "Attachment" WHERE "id" = ${id}::uuid`;
  return { ...described, content: Buffer.from(content, 'base64') };
}

/** A download, in the request's audit trail. */
export function recordDownload(db: Db, noticeId: string, attachmentId: string, reader: Actor): Promise<void> {
  return recordAudit(db, { noticeId, at: new Date(), type: 'ATTACHMENT_DOWNLOADED', actor: reader, data: { attachmentId } });
}
