/**
 * "Check before you confirm": an action that cannot be undone is posted twice. The first post
 * shows what will happen and carries every posted field again as hidden fields; only the second,
 * with `_confirm`, acts. `_back` brings the form back with what was typed. No script is needed.
 */
import type { Ctx } from './context';
import type { Posted } from './forms';
import { html, type Content } from './html';
import { csrfField, page } from './layout';

export const CONFIRMED = '_confirm';
export const BACK = '_back';

const posted = (form: Posted, name: string) => typeof form[name] === 'string' && form[name] !== '';
export const isConfirmed = (form: Posted) => posted(form, CONFIRMED);
export const isBack = (form: Posted) => posted(form, BACK);

/** The posted fields as hidden inputs, the form's own controls left out (a fresh CSRF field is added). */
function carried(form: Posted): Content {
  return Object.entries(form)
    .filter(([name]) => name !== '_csrf' && name !== CONFIRMED && name !== BACK)
    .flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string').map((x) => [name, x]))
    .map(([name, x]) => html`<input type="hidden" name="${name}" value="${x}" />`);
}

export interface Confirmation {
  title: string;
  /** What will happen, in a sentence. */
  consequence: string;
  /** The choices made, as the reader typed or picked them: [label, value]. */
  facts: [string, Content][];
  /** Where the form is posted (the same address as the first post). */
  action: string;
  form: Posted;
  /** The confirm button's words. */
  submit: string;
  /** Back without a form to show again (a row's button): a link. */
  backHref?: string;
}

export function confirmPage(ctx: Ctx, c: Confirmation): string {
  const back = c.backHref
    ? html`<a class="button" href="${c.backHref}">${ctx.t('confirm.back')}</a>`
    : html`<button type="submit" name="${BACK}" value="1" formnovalidate>${ctx.t('confirm.back')}</button>`;
  return page(ctx, {
    title: c.title,
    body: html`<h1>${c.title}</h1>
      <section class="confirm" aria-labelledby="confirm-h">
        <h2 id="confirm-h">${ctx.t('confirm.check')}</h2>
        <p class="notice warning">${c.consequence}</p>
        ${
          c.facts.length
            ? html`<dl class="facts">
                ${c.facts.map(
                  ([k, v]) =>
                    html`<dt>${k}</dt>
                      <dd dir="auto">${v}</dd>`,
                )}
              </dl>`
            : ''
        }
        <form method="post" action="${c.action}" id="confirm-form">
          ${csrfField(ctx)}${carried(c.form)}
          <div class="buttons">
            <button type="submit" name="${CONFIRMED}" value="1" class="danger">${c.submit}</button>
            ${back}
          </div>
        </form>
      </section>`,
  });
}
