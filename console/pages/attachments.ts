/**
 * A request's attachments on its page: the files its reader may read, each a download, and the
 * upload form when the reader may attach (ATTACH in the view's actions). The browser posts the file
 * as multipart/form-data; it is read here, before the CSRF check looks at the form's fields, and
 * goes to the same service call as the API's upload.
 */
import busboy from 'busboy';
import { Router, type RequestHandler } from 'express';
import { sendAttachment } from '../../api/routes/attachments';
import { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, uploadProblem, type AttachmentType } from '../../domain/attachments';
import type { RefusalCode } from '../../domain/codes';
import type { Services } from '../../services';
import { attempt, formToken } from '../attempt';
import type { Ctx } from '../context';
import { html, type Content } from '../html';
import { refusalText } from '../i18n';
import { csrfField } from '../layout';
import { allow } from './allow';
import { loadRequestPage, requestId, type RequestPage } from './request-data';
import { requestPage } from './request';

type Listed = NonNullable<RequestPage['attachments']>[number];

const UPLOAD_PATH = /^\/requests\/[^/]+\/attachments$/;

interface Posted {
  filename: string | undefined;
  contentType: string;
  content: Buffer;
  tooLarge: boolean;
}

/**
 * Reads an upload's form: its fields become the body (the CSRF token among them), its one file
 * `res.locals.upload`. Only for a signed-in reader posting to an upload address; a file over the
 * limit is read no further than the limit and marked.
 */
export const readUploadForm: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST' || !UPLOAD_PATH.test(req.path) || !res.locals.principal || !req.is('multipart/form-data')) return next();
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: { files: 1, fields: 10, fieldSize: 1000, fileSize: MAX_ATTACHMENT_BYTES },
    });
  } catch {
    return next(Object.assign(new Error('The form could not be read'), { status: 400 }));
  }
  const fields: Record<string, string> = {};
  let upload: Posted | undefined;
  parser.on('field', (name, value) => (fields[name] = value));
  parser.on('file', (_name, stream, info) => {
    const chunks: Buffer[] = [];
    const file: Posted = { filename: info.filename, contentType: info.mimeType, content: Buffer.alloc(0), tooLarge: false };
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('limit', () => (file.tooLarge = true));
    stream.on('end', () => {
      file.content = Buffer.concat(chunks);
      upload ??= file;
    });
  });
  parser.on('error', () => next(Object.assign(new Error('The form could not be read'), { status: 400 })));
  parser.on('close', () => {
    req.body = fields;
    res.locals.upload = upload;
    next();
  });
  req.pipe(parser);
};

const kib = (ctx: Ctx, bytes: number) => `${ctx.fmt.number(Math.max(1, Math.round(bytes / 1024)))} KiB`;

/** The attachments section (nothing when there is nothing to read and nothing the reader may attach). */
export function attachmentsSection(ctx: Ctx, p: RequestPage): Content {
  const items = p.attachments ?? [];
  const mayAttach = p.view.actions.some((a) => a.name === 'ATTACH');
  if (!items.length && !mayAttach) return '';
  const row = (a: Listed) =>
    html`<li>
      <a href="/requests/${p.id}/attachments/${a.id}" download dir="auto">${a.filename}</a>
      (${a.contentType}, ${kib(ctx, a.size)}) ·
      ${ctx.label('role', a.uploadedBy.role)}${a.uploadedBy.country ? html` ${ctx.fmt.country(a.uploadedBy.country)}` : ''} ·
      ${ctx.fmt.instant(a.at)}${p.relation === 'REQUESTER' && !a.shared ? html` · <em>${ctx.t('attachments.notShared')}</em>` : ''}
      <br /><small class="hint">SHA-256 <code dir="ltr">${a.sha256}</code></small>
    </li>`;
  const form = mayAttach
    ? html`<form method="post" action="/requests/${p.id}/attachments" enctype="multipart/form-data">
        ${csrfField(ctx)}<input type="hidden" name="_form" value="${formToken(undefined)}" />
        <p>
          <label for="attachment-file">${ctx.t('attachments.file')}</label>
          <span class="hint" id="attachment-file-hint">${ctx.t('attachments.hint')}</span>
          <input
            type="file"
            id="attachment-file"
            name="file"
            required
            accept="${ATTACHMENT_TYPES.join(',')}"
            aria-describedby="attachment-file-hint"
          />
        </p>
        ${
          p.relation === 'REQUESTER'
            ? html`<p>
                <input type="checkbox" id="attachment-shared" name="shared" value="true" checked />
                <label for="attachment-shared">${ctx.t('attachments.shared')}</label>
              </p>`
            : html`<p class="hint">${ctx.t('attachments.forRequester')}</p>`
        }
        <button type="submit" class="primary">${ctx.t('attachments.upload')}</button>
      </form>`
    : '';
  return html`<section id="attachments" aria-labelledby="attachments-h">
    <h2 id="attachments-h">${ctx.t('attachments.title')}</h2>
    ${
      items.length
        ? html`<ul class="attachments">
            ${items.map(row)}
          </ul>`
        : html`<p class="hint">${ctx.t('attachments.none')}</p>`
    }
    ${form}
  </section>`;
}

/** Why a posted file is refused before it reaches the services: the code the reader is told, and the status. */
function refusalOfFile(file: Posted | undefined): { code: RefusalCode; status: number } | undefined {
  if (!file || file.content.length === 0) return { code: 'VALIDATION', status: 400 };
  if (file.tooLarge) return { code: 'TOO_LARGE', status: 413 };
  const problem = uploadProblem(file);
  if (!problem) return undefined;
  if (problem.kind === 'NAME' || problem.kind === 'EMPTY') return { code: 'VALIDATION', status: 400 };
  return problem.kind === 'TYPE' ? { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 } : { code: 'CONTENT_MISMATCH', status: 415 };
}

export function attachmentRoutes(services: Services): Router {
  const router = Router();
  router.get('/requests/:id/attachments/:aid', ...allow('NCB', 'REVIEWER', 'CCF'), async (req, res, next) => {
    const ctx = res.locals.ctx as Ctx;
    const id = requestId(req.params.id);
    const aid = requestId(req.params.aid);
    if (!id || !aid) return next(Object.assign(new Error('No such file'), { status: 404 }));
    sendAttachment(res, await services.attachments.download(ctx.principal!, id, aid));
  });

  router.post('/requests/:id/attachments', ...allow('NCB'), async (req, res, next) => {
    const ctx = res.locals.ctx as Ctx;
    const id = requestId(req.params.id);
    if (!id) return next(Object.assign(new Error('No such request'), { status: 404 }));
    const file = res.locals.upload as Posted | undefined;
    const form = req.body as Record<string, string>;
    const early = refusalOfFile(file);
    const done = early
      ? { ok: false as const, status: early.status, notice: refusalText(ctx, early.code, undefined) }
      : await attempt(ctx, () =>
          services.attachments.upload(
            ctx.principal!,
            id,
            {
              filename: file!.filename!,
              contentType: file!.contentType as AttachmentType,
              shared: form.shared === 'true',
              content: file!.content as Uint8Array<ArrayBuffer>,
            },
            // The form's token: the same form posted twice (a double click, a reload) keeps one file.
            { idempotencyKey: `console:${formToken(form._form)}` },
          ),
        );
    if (done.ok) return res.redirect(303, `/requests/${id}?done=attach#attachments`);
    res
      .status(done.status)
      .send(requestPage(ctx, await loadRequestPage(services, ctx.principal!, id), { notice: { kind: 'error', text: done.notice } }));
  });
  return router;
}
