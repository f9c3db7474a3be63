/**
 * A request's threads on its page: each thread its reader takes part in, oldest message first, and
 * one form to write (to the thread chosen, when the reader has several). Reviewers see each field
 * a clarification answer changed, before and after.
 */
import * as M from '../../domain/model';
import { GS_THREAD, threadToWrite } from '../../domain/messages';
import { formToken } from '../attempt';
import type { Ctx } from '../context';
import { FormErrors, FormRenderer } from '../forms';
import { html, type Content } from '../html';
import { csrfField } from '../layout';
import type { FormState } from './action-forms';
import { free, labelled, type FullView } from './parts';
import type { RequestPage } from './request-data';

type Message = NonNullable<RequestPage['messages']>['items'][number];

const threadTitle = (ctx: Ctx, thread: string) =>
  thread === GS_THREAD ? ctx.t('thread.gs') : ctx.t('thread.with', { country: ctx.fmt.country(thread) });

/** A field's value before or after a change: text as written, a list of words as a list, anything else as data. */
function value(ctx: Ctx, v: unknown): Content {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string' || typeof v === 'number') return free(String(v));
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return ctx.fmt.list(v);
  return html`<code dir="ltr">${JSON.stringify(v)}</code>`;
}

function message(ctx: Ctx, m: Message): Content {
  const who = [ctx.label('role', m.author.role), m.author.country ? ctx.fmt.country(m.author.country) : ''].filter(Boolean).join(' · ');
  return html`<li class="message" id="msg-${m.id}">
    <p class="meta">
      <strong dir="auto">${m.author.name}</strong> (${who}) · ${ctx.fmt.instant(m.at)} ·
      ${ctx.label('handlingCode', m.handlingCode)}${m.kind !== 'MESSAGE' ? html` · <em>${ctx.t(`thread.kind.${m.kind}`)}</em>` : ''}
    </p>
    <p class="body" dir="auto">${m.body}</p>
    ${m.changes?.length && !m.changed ? html`<p>${ctx.t('thread.changes')}: ${ctx.fmt.list(m.changes)}</p>` : ''}
    ${
      m.changed?.length
        ? html`<table class="changed">
            <caption>
              ${ctx.t('thread.changes')}
            </caption>
            <thead>
              <tr>
                <th scope="col">${ctx.t('thread.field')}</th>
                <th scope="col">${ctx.t('thread.before')}</th>
                <th scope="col">${ctx.t('thread.after')}</th>
              </tr>
            </thead>
            <tbody>
              ${m.changed.map(
                (c) =>
                  html`<tr>
                    <th scope="row"><code>${c.path}</code></th>
                    <td>${value(ctx, c.before)}</td>
                    <td>${value(ctx, c.after)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }
  </li>`;
}

/** The form to write in one of `writable`; `to` is the thread chosen beforehand (a reply link). */
function writeForm(ctx: Ctx, id: string, writable: string[], own: string | null, o: { state?: FormState; to?: string }): Content {
  const mine = o.state?.action === 'message' ? o.state : undefined;
  const problems = mine?.refused && !mine.refused.ok ? mine.refused.problems : [];
  const chosen = o.to && writable.includes(o.to) && o.to !== GS_THREAD ? o.to : '';
  const f = new FormRenderer(ctx, mine?.form ?? { country: chosen, handlingCode: 'H0' }, new FormErrors(problems));
  // A recipient writes to its own thread only, a reviewer to the GS: only the requester chooses.
  const to =
    writable.length > 1
      ? f.select({
          name: 'country',
          label: ctx.t('thread.to'),
          options: writable.map((t) => [t === GS_THREAD ? '' : t, threadTitle(ctx, t)] as const),
        })
      : own && writable[0] === own
        ? html`<input type="hidden" name="country" value="${own}" />`
        : '';
  const fields = html`${to}${f.textarea({ name: 'body', label: ctx.t('thread.body'), rows: 4, required: true })}
  ${f.select({ name: 'handlingCode', label: ctx.t('field.handlingCode'), options: labelled(ctx, 'handlingCode', M.HANDLING_CODES) })}`;
  return html`<section class="action" id="act-message" aria-labelledby="act-message-h">
    <h3 id="act-message-h">${ctx.t('thread.write')}</h3>
    ${f.summary()}
    <form method="post" action="/requests/${id}/message" novalidate>
      ${csrfField(ctx)}<input type="hidden" name="_form" value="${formToken(f.form._form)}" />${fields}
      <button type="submit" class="primary">${ctx.t('thread.send')}</button>
    </form>
  </section>`;
}

/** The threads section of a request's page (nothing when the reader takes part in none). */
export function threads(ctx: Ctx, p: RequestPage, v: FullView, o: { state?: FormState; to?: string } = {}): Content {
  const read = p.messages;
  if (!read || read.threads.length === 0) return '';
  const own = ctx.principal?.country ?? null;
  const canWrite = v.actions.some((a) => a.name === 'MESSAGE');
  const writable = canWrite
    ? read.threads.filter((t) => {
        const target = threadToWrite(p.relation, own, t === GS_THREAD ? undefined : t, read.threads);
        return 'thread' in target && target.thread === t;
      })
    : [];
  return html`<section id="threads" aria-labelledby="threads-h">
    <h2 id="threads-h">${ctx.t('thread.title')}</h2>
    ${read.threads.map((t) => {
      const items = read.items.filter((m) => m.thread === t);
      return html`<section class="thread" aria-labelledby="thread-${t}-h">
        <h3 id="thread-${t}-h">${threadTitle(ctx, t)}</h3>
        ${
          items.length
            ? html`<ol class="messages">
                ${items.map((m) => message(ctx, m))}
              </ol>`
            : html`<p class="hint">${ctx.t('thread.none')}</p>`
        }
        ${writable.includes(t) && writable.length > 1 ? html`<p><a href="/requests/${p.id}?to=${t}#act-message">${ctx.t('thread.reply')}</a></p>` : ''}
      </section>`;
    })}
    ${writable.length ? writeForm(ctx, p.id, writable, own, o) : ''}
  </section>`;
}
