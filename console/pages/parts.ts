/** Small pieces every page uses: badges, flags, a subject's name, definition lists. */
import type { NoticeView } from '../../services/reading';
import type { Ctx } from '../context';
import { html, type Content, type Html } from '../html';
import type { LabelGroup } from '../i18n';

type Insider = Extract<NoticeView, { review?: unknown }>;
/** A request's view with its content: what insiders see has the review, findings and closure too. */
export type FullView = Extract<NoticeView, { kind: unknown }> &
  Partial<Pick<Insider, 'review' | 'findings' | 'closure' | 'requestedRecipients'>>;
export const isFull = (v: NoticeView): v is FullView => 'kind' in v;

export const badge = (ctx: Ctx, value: string, group: LabelGroup = 'status'): Html =>
  html`<span class="badge b-${value.toLowerCase()}">${ctx.label(group, value)}</span>`;

export function flagList(ctx: Ctx, flags: readonly string[]): Content {
  if (flags.length === 0) return html`<span class="muted">${ctx.t('flags.none')}</span>`;
  return html`<ul class="flags">
    ${flags.map((f) => html`<li>${badge(ctx, f, 'flag')}</li>`)}
  </ul>`;
}

/** Text someone typed (a name, a reason): its direction is its own, whatever the page's. */
export const free = (s: string | null | undefined): Content => (s ? html`<span dir="auto">${s}</span>` : '');

/** A person's name as written: family name, then given names. */
export const personName = (p: { familyName?: string | null; givenNames?: string | null }): string =>
  [p.familyName, p.givenNames].filter(Boolean).join(', ');

export function subjectName(v: FullView): string {
  const s = v.subject;
  if (!s) return '—';
  return personName(s);
}

/** A definition list of the rows that have a value. */
export function facts(rows: [string, Content][]): Html {
  const shown = rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
  return html`<dl class="facts">
    ${shown.map(
      ([k, v]) =>
        html`<div>
          <dt>${k}</dt>
          <dd>${v}</dd>
        </div>`,
    )}
  </dl>`;
}

export const section = (id: string, title: string, body: Content) =>
  html`<section id="${id}" aria-labelledby="h-${id}">
    <h2 id="h-${id}">${title}</h2>
    ${body}
  </section>`;

/** Options for a select or choices: each code with its label. */
export const labelled = (ctx: Ctx, group: LabelGroup, codes: readonly string[]) => codes.map((c) => [c, ctx.label(group, c)] as const);

/** Member countries by their name in the reader's language. */
export function countryOptions(ctx: Ctx, codes: readonly string[]) {
  return codes.map((c) => [c, `${ctx.fmt.country(c)} (${c})`] as const).sort((a, b) => a[1].localeCompare(b[1], ctx.fmt.locale));
}

/** A table's header row. */
export const thead = (heads: readonly string[]): Html =>
  html`<thead>
    <tr>
      ${heads.map((h) => html`<th scope="col">${h}</th>`)}
    </tr>
  </thead>`;
