/**
 * Forms whose field names are the API's field paths (`subject.familyName`, `assets.0.category`):
 * a posted form becomes the API's body, and each problem the API's schemas find lands next to the
 * field of the same path, in the reader's language.
 */
import type { ZodType } from 'zod';
import { zodFieldErrors } from '../api/problem';
import type { FieldProblem } from '../domain/request';
import type { Ctx } from './context';
import { html, trusted, type Content, type Html } from './html';
import { problemText } from './i18n';

export type Posted = Record<string, unknown>;

/** The posted value of a field as text ('' when absent or repeated, or when nothing was posted). */
export const text = (form: Posted | undefined, name: string): string => {
  const v = form?.[name];
  return typeof v === 'string' ? v : '';
};

/** An optional text field: trimmed, or undefined when left empty. */
export const optional = (form: Posted, name: string): string | undefined => text(form, name).trim() || undefined;

/** A number field: a number, the text itself when it is not one (the schema says why), or undefined when empty. */
export function numberField(form: Posted, name: string): number | string | undefined {
  const v = text(form, name).trim();
  if (!v) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : v;
}

/** Every value of a field that may repeat (checkboxes, multiple selects). */
export const values = (form: Posted, name: string): string[] => {
  const v = form[name];
  return (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).filter((x): x is string => typeof x === 'string' && x !== '');
};

/** Codes typed in one field, separated by commas or spaces, in upper case. */
export const codes = (form: Posted, name: string): string[] | undefined => {
  const list = text(form, name)
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((c) => c.toUpperCase());
  return list.length ? list : undefined;
};

/** Drops keys whose value is undefined, and returns undefined for an object left empty. */
export function compact<T extends Record<string, unknown>>(o: T): T | undefined {
  const kept = Object.entries(o).filter(([, v]) => v !== undefined);
  return kept.length ? (Object.fromEntries(kept) as T) : undefined;
}

/** How many rows of a repeating group the form shows: those posted, one more when asked, at least `min`. */
export function rowCount(form: Posted, group: string, min: number, max: number): number {
  const posted = Number(text(form, `_rows.${group}`)) || 0;
  const more = text(form, '_add') === group ? 1 : 0;
  return Math.min(max, Math.max(min, posted + more));
}

/** Parses a body with an API schema; its value, or the problems found. */
export function parseWith<S extends ZodType>(
  schema: S,
  body: unknown,
): { ok: true; value: ReturnType<S['parse']> } | { ok: false; problems: FieldProblem[] } {
  const parsed = schema.safeParse(body);
  return parsed.success
    ? { ok: true, value: parsed.data as ReturnType<S['parse']> }
    : { ok: false, problems: zodFieldErrors(parsed.error) };
}

export const fieldId = (name: string) => `f-${name.replace(/[^\w-]/g, '-')}`;

/**
 * The problems of one form. A field claims the problems at its path or below it; what no field
 * claimed is listed in the summary above the form.
 */
export class FormErrors {
  private readonly claimed = new Set<FieldProblem>();
  constructor(readonly problems: readonly FieldProblem[] = []) {}

  get any(): boolean {
    return this.problems.length > 0;
  }

  claim(name: string, exactly = false): FieldProblem[] {
    const mine = this.problems.filter((p) => !this.claimed.has(p) && (p.path === name || (!exactly && p.path.startsWith(`${name}.`))));
    mine.forEach((p) => this.claimed.add(p));
    return mine;
  }

  /** The summary at the top of the form: every problem, linked to its field when one claimed it. */
  summary(ctx: Ctx, anchors: Map<FieldProblem, { id: string; label: string }>): Html | '' {
    if (!this.any) return '';
    return html`<div class="error-summary" role="alert" tabindex="-1">
      <h2>${ctx.t('form.problems')}</h2>
      <ul>
        ${this.problems.map((p) => {
          const anchor = anchors.get(p);
          const message = problemText(ctx, p);
          return anchor ? html`<li><a href="#${anchor.id}">${anchor.label}: ${message}</a></li>` : html`<li>${p.path}: ${message}</li>`;
        })}
      </ul>
    </div>`;
  }
}

export interface FieldOptions {
  name: string;
  label: string;
  hint?: string;
  /** Marked as required; the browser does not check it, so the API's own message shows, in the reader's language. */
  required?: boolean;
}

/** An attribute's name is markup, so only a plain one is taken. */
function attributeName(name: string): Html {
  if (!/^[a-z][a-z-]*$/.test(name)) throw new Error(`not an attribute name: ${name}`);
  return trusted(name);
}

/** Renders the fields of one form, remembering which problem each shows. */
export class FormRenderer {
  readonly anchors = new Map<FieldProblem, { id: string; label: string }>();
  constructor(
    readonly ctx: Ctx,
    readonly form: Posted,
    readonly errors: FormErrors,
  ) {}

  private wrap(o: FieldOptions, control: (attrs: Html) => Html, group = false): Html {
    const id = fieldId(o.name);
    const problems = this.errors.claim(o.name);
    problems.forEach((p) => this.anchors.set(p, { id, label: o.label }));
    const describedBy = [o.hint ? `${id}-hint` : '', problems.length ? `${id}-error` : ''].filter(Boolean).join(' ');
    const attrs = html`id="${id}" ${describedBy ? html`aria-describedby="${describedBy}"` : ''}
    ${problems.length ? html`aria-invalid="true"` : ''} ${o.required ? html`aria-required="true"` : ''}`;
    const label = html`${o.label}${o.required ? html` <span class="req" aria-hidden="true">*</span>` : ''}`;
    const messages: Content = problems.length
      ? html`<p class="error" id="${id}-error">${problems.map((p) => html`<span>${problemText(this.ctx, p)}</span> `)}</p>`
      : '';
    const hint = o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : '';
    return group
      ? html`<fieldset class="field${problems.length ? ' invalid' : ''}" ${describedBy ? html`aria-describedby="${describedBy}"` : ''}>
          <legend>${label}</legend>
          ${hint}${messages}${control(html`id="${id}"`)}
        </fieldset>`
      : html`<div class="field${problems.length ? ' invalid' : ''}">
          <label for="${id}">${label}</label>${hint}${messages}${control(attrs)}
        </div>`;
  }

  /** `limits`: the browser's own hints on the control (`maxlength`, `min`, `step`...), their values escaped like any text. */
  input(o: FieldOptions & { type?: string; value?: string; limits?: Record<string, string | number> }): Html {
    const value = o.value ?? text(this.form, o.name);
    const limits = Object.entries(o.limits ?? {}).map(([name, v]) => html` ${attributeName(name)}="${v}"`);
    return this.wrap(o, (a) => html`<input ${a} name="${o.name}" type="${o.type ?? 'text'}" value="${value}" ${limits} />`);
  }

  textarea(o: FieldOptions & { rows?: number }): Html {
    return this.wrap(o, (a) => html`<textarea ${a} name="${o.name}" rows="${o.rows ?? 3}">${text(this.form, o.name)}</textarea>`);
  }

  select(o: FieldOptions & { options: readonly (readonly [string, string])[]; empty?: string }): Html {
    const current = text(this.form, o.name);
    return this.wrap(
      o,
      (a) =>
        html`<select ${a} name="${o.name}">
          ${o.empty !== undefined ? html`<option value="">${o.empty}</option>` : ''}
          ${o.options.map(([v, l]) => html`<option value="${v}" ${v === current ? 'selected' : ''}>${l}</option>`)}
        </select>`,
    );
  }

  multiSelect(o: FieldOptions & { options: readonly (readonly [string, string])[]; size?: number }): Html {
    const chosen = new Set(values(this.form, o.name));
    return this.wrap(
      o,
      (a) =>
        html`<select ${a} name="${o.name}" multiple size="${o.size ?? 8}">
          ${o.options.map(([v, l]) => html`<option value="${v}" ${chosen.has(v) ? 'selected' : ''}>${l}</option>`)}
        </select>`,
    );
  }

  /** Checkboxes (`multiple`) or radio buttons, in a fieldset. */
  choices(o: FieldOptions & { options: readonly (readonly [string, string])[]; multiple?: boolean }): Html {
    const chosen = new Set(values(this.form, o.name));
    const type = o.multiple ? 'checkbox' : 'radio';
    return this.wrap(
      o,
      () =>
        html`<div class="choices">
          ${o.options.map(([v, l], i) => {
            const id = `${fieldId(o.name)}-${i}`;
            return html`<span
              ><input type="${type}" id="${id}" name="${o.name}" value="${v}" ${chosen.has(v) ? 'checked' : ''} /><label for="${id}"
                >${l}</label
              ></span
            >`;
          })}
        </div>`,
      true,
    );
  }

  /**
   * Many checkboxes (the countries of the world): under the initial of each one's name, with a box
   * that filters them and the number chosen. Without a script the filter stays hidden and every
   * box is there; each box's id ends with its value.
   */
  picker(
    o: FieldOptions & { options: readonly (readonly [string, string])[]; filterLabel: string; chosenText: (n: number) => string },
  ): Html {
    const chosen = new Set(values(this.form, o.name));
    const id = fieldId(o.name);
    const initial = (label: string) =>
      label
        .normalize('NFD')
        .replace(/[^\p{L}]/gu, '')
        .charAt(0)
        .toLocaleUpperCase(this.ctx.fmt.locale);
    const groups = new Map<string, (readonly [string, string])[]>();
    for (const option of o.options) groups.set(initial(option[1]), [...(groups.get(initial(option[1])) ?? []), option]);
    return this.wrap(
      o,
      () =>
        html`<div class="picker" data-picker>
          <p class="picker-tools">
            <span hidden data-picker-filter
              ><label for="${id}-filter">${o.filterLabel}</label> <input id="${id}-filter" type="search" dir="auto" autocomplete="off"
            /></span>
            <output
              id="${id}-count"
              aria-live="polite"
              data-picker-count
              data-locale="${this.numbersLocale()}"
              data-forms="${JSON.stringify(this.countForms(o.chosenText))}"
              >${o.chosenText(chosen.size)}</output
            >
          </p>
          <div class="picker-groups">
            ${[...groups].map(
              ([letter, options]) =>
                html`<div class="picker-group" role="group" aria-label="${letter}">
                  <span class="picker-letter" aria-hidden="true">${letter}</span>
                  ${options.map(
                    ([v, l]) =>
                      html`<span
                        ><input type="checkbox" id="${id}-${v}" name="${o.name}" value="${v}" ${chosen.has(v) ? 'checked' : ''} /><label
                          for="${id}-${v}"
                          >${l}</label
                        ></span
                      >`,
                  )}
                </div>`,
            )}
          </div>
        </div>`,
      true,
    );
  }

  /** The locale with the digits the server writes, for a script to write the same ones. */
  private numbersLocale(): string {
    const { locale } = this.ctx.fmt;
    return `${locale}-u-nu-${new Intl.NumberFormat(locale).resolvedOptions().numberingSystem}`;
  }

  /**
   * A count's words for each plural form of this language (and for none), with `{n}` for the
   * number: the script that updates the count then follows the same rules as the server.
   */
  private countForms(words: (n: number) => string): Record<string, string> {
    const { locale } = this.ctx.fmt;
    const rules = new Intl.PluralRules(locale);
    const forms: Record<string, string> = { none: words(0) };
    for (let n = 1; n < 200; n++) {
      const form = rules.select(n);
      forms[form] ??= words(n).replace(this.ctx.fmt.number(n), '{n}');
    }
    return forms;
  }

  /** Problems about a repeating group as a whole ("at least one asset"), shown above its rows. */
  groupProblems(name: string, label: string): Html | '' {
    const id = fieldId(name);
    const problems = this.errors.claim(name, true);
    problems.forEach((p) => this.anchors.set(p, { id, label }));
    return problems.length ? html`<p class="error" id="${id}" tabindex="-1">${problems.map((p) => problemText(this.ctx, p))}</p>` : '';
  }

  /** The summary of problems, then the fields (call after rendering them). */
  summary(): Html | '' {
    return this.errors.summary(this.ctx, this.anchors);
  }
}
