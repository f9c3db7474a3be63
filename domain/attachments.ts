/**
 * Files attached to a request: the kinds taken, how each is told by its first bytes, the limits,
 * what a file may be called, and who may read one. Bundle-safe: no I/O.
 */
import type { FieldProblem } from './request';

export const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** 10 MiB: a scanned court order fits; a video does not. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 20;
export const MAX_FILENAME_LENGTH = 200;

/** The signature each format opens with; a declared type is believed only when the bytes agree. */
const MAGIC: Record<AttachmentType, readonly number[]> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  'image/jpeg': [0xff, 0xd8, 0xff],
};

export const isAttachmentType = (type: string): type is AttachmentType => (ATTACHMENT_TYPES as readonly string[]).includes(type);

export function contentMatches(type: AttachmentType, bytes: Uint8Array<ArrayBufferLike>): boolean {
  const magic = MAGIC[type];
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/**
 * Why a file name cannot be kept (empty: it can). It is shown to people and sent back in
 * Content-Disposition, so it names a file, not a path, and carries nothing a terminal or a header
 * would act on.
 */
export function filenameProblems(name: string | undefined, path = 'filename'): FieldProblem[] {
  if (name === undefined || name.trim() === '') return [{ path, message: 'A file name is required', code: 'REQUIRED' }];
  if ([...name].length > MAX_FILENAME_LENGTH)
    return [{ path, message: `At most ${MAX_FILENAME_LENGTH} characters`, code: 'TOO_LONG', limit: MAX_FILENAME_LENGTH }];
  // eslint-disable-next-line no-control-regex
  if (/[/\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name) || name === '.' || name === '..')
    return [{ path, message: 'A file name without path separators or control characters', code: 'FORMAT' }];
  return [];
}

/** Who uploaded a file, as far as reading it is concerned. */
export interface Uploader {
  role: string;
  country: string | null;
}

/**
 * Whether a reader may know a file: the requester and the General Secretariat (reviewers, CCF)
 * read them all; a recipient reads its own country's, and the requester's it shared.
 */
export function mayReadAttachment(
  file: { shared: boolean; uploader: Uploader },
  reader: { relation: 'REQUESTER' | 'REVIEWER' | 'CCF' | 'RECIPIENT'; country: string | null },
  requestingCountry: string,
): boolean {
  if (reader.relation !== 'RECIPIENT') return true;
  if (file.uploader.country === reader.country) return true;
  return file.shared && file.uploader.role === 'NCB' && file.uploader.country === requestingCountry;
}

/** Why an upload's file cannot be kept, checked the same way by the API and the console. */
export type UploadProblem = { kind: 'NAME'; problems: FieldProblem[] } | { kind: 'EMPTY' } | { kind: 'TYPE' } | { kind: 'MISMATCH' };

export function uploadProblem(
  u: { filename: string | undefined; contentType: string; content: Uint8Array<ArrayBufferLike> },
  namePath = 'filename',
): UploadProblem | undefined {
  const problems = filenameProblems(u.filename, namePath);
  if (problems.length) return { kind: 'NAME', problems };
  if (u.content.length === 0) return { kind: 'EMPTY' };
  if (!isAttachmentType(u.contentType)) return { kind: 'TYPE' };
  if (!contentMatches(u.contentType, u.content)) return { kind: 'MISMATCH' };
  return undefined;
}
