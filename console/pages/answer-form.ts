/** A recipient's answer: its outcome, final or interim, and the assets it located (several rows). */
import * as M from '../../domain/model';
import { formToken } from '../attempt';
import { compact, FormRenderer, numberField, optional, rowCount, text, type Posted } from '../forms';
import { html, type Html } from '../html';
import { labelled } from './parts';
import { assetFields, filledRows, identifiersFrom, moneyFrom } from './request-form';

const MAX_ROWS = 500;

export function answerFromForm(form: Posted): Record<string, unknown> {
  const assets = filledRows(form, 'assets', rowCount(form, 'assets', 1, MAX_ROWS), (p) => {
    const described = compact({
      category: optional(form, `${p}.category`),
      description: optional(form, `${p}.description`),
      identifiers: identifiersFrom(form, p),
      estimatedValue: moneyFrom(form, `${p}.estimatedValue`),
      holder: optional(form, `${p}.holder`),
      measures: optional(form, `${p}.measures`),
      source: compact({
        register: optional(form, `${p}.source.register`),
        reliability: optional(form, `${p}.source.reliability`),
        accuracy: numberField(form, `${p}.source.accuracy`),
      }),
      address: optional(form, `${p}.location.address`),
    });
    // The country alone (filled in for every row) does not make a row.
    if (!described) return undefined;
    const { address, ...asset } = described;
    return { ...asset, location: compact({ country: optional(form, `${p}.location.country`)?.toUpperCase(), address }) ?? {} };
  });
  return JSON.parse(
    JSON.stringify({
      outcome: optional(form, 'outcome'),
      final: text(form, 'final') !== 'INTERIM',
      reason: optional(form, 'reason'),
      handlingCode: optional(form, 'handlingCode'),
      assets: assets.length ? assets : undefined,
    }),
  ) as Record<string, unknown>;
}

export function answerForm(f: FormRenderer): Html {
  const { ctx } = f;
  const t = ctx.t;
  const rows = rowCount(f.form, 'assets', 1, MAX_ROWS);
  const country = ctx.principal?.country ?? '';
  return html`${f.choices({ name: 'outcome', label: t('field.outcome'), options: labelled(ctx, 'outcome', M.OUTCOMES), required: true })}
    ${f.choices({
      name: 'final',
      label: t('field.answerKind'),
      options: [
        ['FINAL', t('answer.final')],
        ['INTERIM', t('answer.interim')],
      ],
    })}
    ${f.textarea({ name: 'reason', label: t('field.answerReason'), hint: t('field.answerReasonHint'), rows: 2 })}
    ${f.select({ name: 'handlingCode', label: t('field.handlingCode'), options: labelled(ctx, 'handlingCode', M.HANDLING_CODES) })}
    ${f.groupProblems('assets', ctx.label('outcome', 'ASSETS_LOCATED'))}<input type="hidden" name="_rows.assets" value="${rows}" /><input
      type="hidden"
      name="_form"
      value="${formToken(f.form._form)}"
    />
    ${Array.from({ length: rows }, (_, i) => {
      const p = `assets.${i}`;
      if (f.form[`${p}.location.country`] === undefined) f.form[`${p}.location.country`] = country;
      return html`<fieldset class="asset">
        <legend>${t('form.locatedN', { n: i + 1 })}</legend>
        ${assetFields(f, p)}
        <div class="row">
          ${f.input({ name: `${p}.location.country`, label: t('field.locationCountry'), hint: t('field.codeHint'), limits: { maxlength: 2, size: 3 } })}
          ${f.input({ name: `${p}.location.address`, label: t('field.address') })}
        </div>
        <div class="row">
          ${f.input({ name: `${p}.holder`, label: t('field.holder') })}
          ${f.select({ name: `${p}.measures`, label: t('field.measures'), options: labelled(ctx, 'measure', M.MEASURES), empty: '' })}
        </div>
        <div class="row">
          ${f.input({ name: `${p}.source.register`, label: t('field.register') })}
          ${f.select({ name: `${p}.source.reliability`, label: t('field.reliability'), options: labelled(ctx, 'reliability', M.RELIABILITY), empty: '' })}
          ${f.select({ name: `${p}.source.accuracy`, label: t('field.accuracy'), options: labelled(ctx, 'accuracy', ['1', '2', '3', '4']), empty: '' })}
        </div>
      </fieldset>`;
    })}
    <button type="submit" name="_add" value="assets" formnovalidate>${t('form.addLocated')}</button>`;
}
