/**
 * Files attached to a request. An upload is the catalogue's ATTACH, taken on the record (the
 * workflow keeps nothing of it): `writeAttachment` is its write. Reading follows need to know
 * (domain/attachments.ts); a file the caller may not read is answered as if it did not exist.
 */
import crypto from 'node:crypto';
import type { z } from 'zod';
import type { AttachmentUpload } from '../api/schemas/attachments';
import { mayReadAttachment } from '../domain/attachments';
import { attachmentContent, attachmentsOf, recordAttachment, recordDownload, type AttachmentRow } from '../records/attachments';
import type { RecordWrite } from './action-registry';
import type { actionService } from './actions';
import type { Principal, ServiceDeps } from './context';
import type { ReadingService } from './reading';
import { conflict, notFound } from './refusals';
import { withheldFrom } from './views';

export type Upload = z.output<typeof AttachmentUpload>;
type ActionService = ReturnType<typeof actionService>;

/** An attachment as the API shows it. */
export function attachmentView(a: AttachmentRow) {
  return {
    id: a.id,
    filename: a.filename,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
    at: a.at.toISOString(),
    uploadedBy: { role: a.uploaderRole, ...(a.uploaderCountry ? { country: a.uploaderCountry } : {}) },
    shared: a.shared,
  };
}

/** ATTACH's write: the file under the action's id (a repeat finds it), refused once the request has its full count. */
export async function writeAttachment(deps: ServiceDeps, a: RecordWrite<Upload>) {
  const { principal, body } = a;
  // Only the requester shares: a recipient's file goes to the requester and the GS alone.
  const shared = body.shared && a.relation === 'REQUESTER';
  const row = await recordAttachment(deps.prisma, {
    id: a.actionId,
    noticeId: a.noticeId,
    filename: body.filename,
    contentType: body.contentType,
    content: body.content,
    sha256: crypto.createHash('sha256').update(body.content).digest('hex'),
    shared,
    uploader: principal,
    at: new Date(),
    tell: { countries: readersToTell(a, shared), reference: a.notice.reference },
  });
  if (row === 'FULL') throw conflict('The request has as many attachments as it may have', 'TOO_MANY_ATTACHMENTS');
  return attachmentView(row);
}

/**
 * The countries that may read a new file, the uploader's own apart: the requester of a recipient's
 * file, the recipients of one the requester shared (none while the CCF withholds the request from
 * them). A requester's request comes with every recipient; a recipient's with its own entry only,
 * which is the uploader's.
 */
function readersToTell(a: RecordWrite<Upload>, shared: boolean): string[] {
  const n = a.notice;
  const readers = [
    { relation: 'REQUESTER' as const, country: n.requestingCountry },
    ...(withheldFrom(n, 'RECIPIENT') ? [] : n.recipients.map((r) => ({ relation: 'RECIPIENT' as const, country: r.country }))),
  ];
  const file = { shared, uploader: { role: a.principal.role, country: a.principal.country ?? null } };
  return readers.filter((r) => r.country !== a.principal.country && mayReadAttachment(file, r, n.requestingCountry)).map((r) => r.country);
}

const NO_SUCH_FILE = 'No attachment with this id is visible to this key';

export function attachmentService(deps: ServiceDeps, reading: ReadingService, actions: ActionService) {
  /** The request's attachments the caller may read, and the request (404 if the caller may not know it). */
  async function readable(id: string, principal: Principal) {
    const { notice, relation } = await reading.visible(id, principal);
    const withheld = withheldFrom(notice, relation);
    const reader = { relation, country: principal.country };
    const mayRead = (a: AttachmentRow) =>
      !withheld &&
      mayReadAttachment(
        { shared: a.shared, uploader: { role: a.uploaderRole, country: a.uploaderCountry } },
        reader,
        notice.requestingCountry,
      );
    return { notice, mayRead };
  }

  return {
    /** Attaches a file (ATTACH): the catalogue is asked, the Idempotency-Key honoured, as for every action. */
    async upload(principal: Principal, id: string, upload: Upload, opts: { idempotencyKey?: string } = {}) {
      return (await actions.take('ATTACH', principal, id, upload, opts)).view as ReturnType<typeof attachmentView>;
    },

    /**
     * What the caller may read of the request's attachments. Read like the request, so audited like
     * it, unless the caller audited the request's read already (the console's page).
     */
    async list(principal: Principal, id: string, o: { audited?: boolean } = {}) {
      const { notice, mayRead } = await readable(id, principal);
      if (!o.audited) await reading.auditReads([notice], principal, 'attachments');
      return (await attachmentsOf(deps.prisma, id)).filter(mayRead).map(attachmentView);
    },

    /** One file with its bytes, each download in the request's audit trail. */
    async download(principal: Principal, id: string, attachmentId: string) {
      const { mayRead } = await readable(id, principal);
      const file = await attachmentContent(deps.prisma, id, attachmentId);
      if (!file || !mayRead(file)) throw notFound(NO_SUCH_FILE);
      await recordDownload(deps.prisma, id, attachmentId, principal);
      return { ...attachmentView(file), content: file.content };
    },
  };
}
