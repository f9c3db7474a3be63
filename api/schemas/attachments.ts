/** Files attached to a request: the upload's parts, and what the API answers about a file. */
import { z } from 'zod';
import { ATTACHMENT_TYPES } from '../../domain/attachments';

/** The query of an upload (the file itself is the raw body). */
export const AttachmentQuery = z.strictObject({
  filename: z.string().openapi({ description: 'The file name shown and sent back on download: no path separators or control characters' }),
  shared: z.enum(['true', 'false']).optional().openapi({
    description: "The requester's file is shared with the recipients unless `false`; a recipient's is never shared with other recipients",
  }),
});

/** An upload as the services take it: the bytes with what the query and Content-Type said. */
export const AttachmentUpload = z.object({
  filename: z.string(),
  contentType: z.enum(ATTACHMENT_TYPES),
  shared: z.boolean(),
  content: z.instanceof(Uint8Array),
});

export const AttachmentView = z.object({
  id: z.uuid(),
  filename: z.string(),
  contentType: z.enum(ATTACHMENT_TYPES),
  size: z.number().int(),
  sha256: z.string().openapi({ description: 'SHA-256 of the bytes, in hex' }),
  at: z.string(),
  uploadedBy: z.object({ role: z.string(), country: z.string().optional() }),
  shared: z.boolean().openapi({ description: 'Seen by the recipients (a requester’s file not marked `shared=false`)' }),
});

export const AttachmentList = z.object({ items: z.array(AttachmentView) });

export const AttachmentParams = z.strictObject({ id: z.uuid(), aid: z.uuid() });
