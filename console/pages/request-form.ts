/**
 * The fields of a request, as the API names them: the new request form and the changes a
 * clarification may bring. A posted form becomes the API's body; a request's view refills the form.
 */
import { LINKABLE_IDENTIFIERS } from '../../domain/assets';
import { MEMBER_COUNTRIES } from '../../domain/countries';
import * as M from '../../domain/model';
import { compact, codes, FormRenderer, numberField, optional, rowCount, values, type Posted } from '../forms';
import { html, type Html } from '../html';
import { countryOptions, labelled, type FullView } from './parts';

/** The API takes the listed types only: the form offers those, the first chosen until another is. */
export const IDENTIFIER_TYPES = LINKABLE_IDENTIFIERS;
const ROWS = { aliases: 2, identityDocuments: 2 };
const MAX_ASSET_ROWS = 100;

/** A money amount and its currency, or nothing when both are empty. */
export const moneyFrom = (form: Posted, name: string) =>
  compact({ amount: numberField(form, `${name}.amount`), currency: optional(form, `${name}.currency`)?.toUpperCase() });

/** A one-identifier record from its type and value fields. */
export const identifiersFrom = (form: Posted, prefix: string) => {
  const value = optional(form, `${prefix}.identifiers`);
  return value ? { [optional(form, `${prefix}.identifierType`) ?? IDENTIFIER_TYPES[0]]: value } : undefined;
};

/**
 * The form with one more asset sought filled in: the first empty row, else a new one (none beyond
 * the most the form shows).
 */
export function withAssetSought(
  form: Posted,
  asset: { category: string; description: string; identifierType: string; identifier: string },
): Posted {
  const rows = rowCount(form, 'assetsSought', 1, MAX_ASSET_ROWS);
  const empty = Array.from({ length: rows }, (_, i) => `assetsSought.${i}`).findIndex((p) =>
    ['category', 'description', 'identifiers', 'estimatedValue.amount'].every((f) => !optional(form, `${p}.${f}`)),
  );
  const row = empty >= 0 ? empty : rows;
  if (row >= MAX_ASSET_ROWS) return form;
  const p = `assetsSought.${row}`;
  return {
    ...form,
    [`${p}.category`]: asset.category,
    [`${p}.description`]: asset.description,
    [`${p}.identifierType`]: asset.identifierType,
    [`${p}.identifiers`]: asset.identifier,
    '_rows.assetsSought': String(Math.max(rows, row + 1)),
  };
}

/** The identifier of each asset sought the form holds, as typed: type and value. */
export const identifiersInForm = (form: Posted): { type: string; value: string }[] =>
  filledRows(form, 'assetsSought', rowCount(form, 'assetsSought', 1, MAX_ASSET_ROWS), (p) => {
    const value = optional(form, `${p}.identifiers`);
    return value ? { type: optional(form, `${p}.identifierType`) ?? IDENTIFIER_TYPES[0], value } : undefined;
  });

/** Rows of a repeating group that have anything in them. */
export function filledRows<T>(form: Posted, group: string, count: number, row: (prefix: string) => T | undefined): T[] {
  return Array.from({ length: count }, (_, i) => row(`${group}.${i}`)).filter((r): r is T => r !== undefined);
}

/** The API body the form says (without `kind` for a clarification's changes). */
export function requestFromForm(form: Posted, withKind: boolean): Record<string, unknown> {
  const kind = optional(form, 'kind');
  const urgency = optional(form, 'urgency');
  const body = {
    ...(withKind ? { kind } : {}),
    recipients:
      !withKind || kind === 'DIFFUSION' ? (values(form, 'recipients').length ? values(form, 'recipients') : undefined) : undefined,
    purposes: values(form, 'purposes'),
    subject: {
      familyName: optional(form, 'subject.familyName'),
      givenNames: optional(form, 'subject.givenNames'),
      dateOfBirth: optional(form, 'subject.dateOfBirth'),
      placeOfBirth: optional(form, 'subject.placeOfBirth'),
      sex: optional(form, 'subject.sex'),
      nationalities: codes(form, 'subject.nationalities'),
      aliases: filledRows(form, 'subject.aliases', ROWS.aliases, (p) =>
        compact({ familyName: optional(form, `${p}.familyName`), givenNames: optional(form, `${p}.givenNames`) }),
      ),
      identityDocuments: filledRows(form, 'subject.identityDocuments', ROWS.identityDocuments, (p) =>
        compact({
          type: optional(form, `${p}.type`),
          number: optional(form, `${p}.number`),
          issuingCountry: optional(form, `${p}.issuingCountry`)?.toUpperCase(),
        }),
      ),
    },
    offence: {
      category: optional(form, 'offence.category'),
      description: optional(form, 'offence.description'),
      maxPenaltyYears: numberField(form, 'offence.maxPenaltyYears'),
      legalBasis: {
        type: optional(form, 'offence.legalBasis.type'),
        reference: optional(form, 'offence.legalBasis.reference'),
        authority: optional(form, 'offence.legalBasis.authority'),
        date: optional(form, 'offence.legalBasis.date'),
      },
      assetLink: optional(form, 'offence.assetLink'),
    },
    assetsSought: filledRows(form, 'assetsSought', rowCount(form, 'assetsSought', 1, MAX_ASSET_ROWS), (p) =>
      compact({
        category: optional(form, `${p}.category`),
        description: optional(form, `${p}.description`),
        identifiers: identifiersFrom(form, p),
        estimatedValue: moneyFrom(form, `${p}.estimatedValue`),
      }),
    ),
    handlingCode: optional(form, 'handlingCode'),
    urgency,
    // Sent as typed: an urgent request's window is the rule's, and the API says so next to the field.
    responseDays: numberField(form, 'responseDays'),
    language: optional(form, 'language'),
  };
  return JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
}

/** The form filled with what a request says now (for its clarification). */
export function formFromRequest(v: FullView): Posted {
  const form: Posted = {
    recipients: v.requestedRecipients ?? [],
    purposes: v.purposes,
    handlingCode: v.handlingCode,
    urgency: v.urgency,
    responseDays: v.urgency === 'NORMAL' && v.responseDays !== null ? String(v.responseDays) : '',
    language: v.language,
  };
  const put = (prefix: string, o: unknown) => {
    if (o === null || o === undefined) return;
    if (typeof o !== 'object') form[prefix] = String(o);
    else if (Array.isArray(o) && o.every((x) => typeof x === 'string')) form[prefix] = o.join(', ');
    else for (const [k, x] of Object.entries(o)) put(`${prefix}.${k}`, x);
  };
  put('subject', v.subject);
  put('offence', v.offence);
  v.assetsSought.forEach((a, i) => {
    const { identifiers, ...rest } = a as typeof a & { identifiers?: Record<string, string> };
    put(`assetsSought.${i}`, rest);
    const [type, value] = Object.entries(identifiers ?? {})[0] ?? [];
    if (value) Object.assign(form, { [`assetsSought.${i}.identifierType`]: type, [`assetsSought.${i}.identifiers`]: value });
  });
  form['_rows.assetsSought'] = String(v.assetsSought.length);
  return form;
}

/** The fields of an asset sought or located (category, description, identifier, value). */
export function assetFields(f: FormRenderer, prefix: string): Html {
  const t = f.ctx.t;
  return html`${f.select({ name: `${prefix}.category`, label: t('field.assetCategory'), options: labelled(f.ctx, 'assetCategory', M.ASSET_CATEGORIES), empty: '' })}
    ${f.textarea({ name: `${prefix}.description`, label: t('field.assetDescription'), rows: 2 })}
    <div class="row">
      ${f.select({ name: `${prefix}.identifierType`, label: t('field.identifierType'), options: labelled(f.ctx, 'identifier', IDENTIFIER_TYPES) })}
      ${f.input({ name: `${prefix}.identifiers`, label: t('field.identifier') })}
    </div>
    <div class="row">
      ${f.input({ name: `${prefix}.estimatedValue.amount`, label: t('field.amount'), type: 'number', limits: { min: 0, step: 'any' } })}
      ${f.input({ name: `${prefix}.estimatedValue.currency`, label: t('field.currency'), hint: t('field.currencyHint'), limits: { maxlength: 3, size: 4 } })}
    </div>`;
}

/**
 * The request's fields; `ownCountry` is left out of the countries a diffusion may name; `afterFacts`
 * follows the facts (the new request's offer of the identifiers they mention).
 */
export function requestFields(f: FormRenderer, o: { withKind: boolean; ownCountry: string; afterFacts?: Html }): Html {
  const { ctx } = f;
  const t = ctx.t;
  const members = countryOptions(
    ctx,
    MEMBER_COUNTRIES.map((c) => c.code).filter((c) => c !== o.ownCountry),
  );
  const assetRows = rowCount(f.form, 'assetsSought', 1, MAX_ASSET_ROWS);
  return html` <fieldset class="group">
      <legend>${t('form.distribution')}</legend>
      ${o.withKind ? f.choices({ name: 'kind', label: t('field.kind'), options: labelled(ctx, 'kindLong', M.KINDS), required: true }) : ''}
      ${f.picker({
        name: 'recipients',
        label: t('field.recipients'),
        hint: t('field.recipientsHint'),
        options: members,
        filterLabel: t('field.recipientsFilter'),
        chosenText: (n) => t('field.recipientsChosen', { n }),
      })}
      ${f.choices({ name: 'purposes', label: t('field.purposes'), options: labelled(ctx, 'purpose', M.PURPOSES), multiple: true, required: true })}
    </fieldset>
    <fieldset class="group">
      <legend>${t('form.subject')}</legend>
      <div class="row">
        ${f.input({ name: 'subject.familyName', label: t('field.familyName'), required: true })}
        ${f.input({ name: 'subject.givenNames', label: t('field.givenNames') })}
      </div>
      <div class="row">
        ${f.input({ name: 'subject.dateOfBirth', label: t('field.dateOfBirth'), type: 'date', hint: t('field.dateOfBirthHint') })}
        ${f.input({ name: 'subject.placeOfBirth', label: t('field.placeOfBirth') })}
        ${f.select({ name: 'subject.sex', label: t('field.sex'), options: labelled(ctx, 'sex', M.SEXES), empty: '' })}
      </div>
      ${f.input({ name: 'subject.nationalities', label: t('field.nationalities'), hint: t('field.codesHint') })}
      ${Array.from(
        { length: ROWS.aliases },
        (_, i) =>
          html`<div class="row">
            ${f.input({ name: `subject.aliases.${i}.familyName`, label: t('field.aliasFamilyName', { n: i + 1 }) })}
            ${f.input({ name: `subject.aliases.${i}.givenNames`, label: t('field.aliasGivenNames', { n: i + 1 }) })}
          </div>`,
      )}
      ${Array.from(
        { length: ROWS.identityDocuments },
        (_, i) =>
          html`<div class="row">
            ${f.select({ name: `subject.identityDocuments.${i}.type`, label: t('field.documentType', { n: i + 1 }), options: labelled(ctx, 'documentType', M.DOCUMENT_TYPES), empty: '' })}
            ${f.input({ name: `subject.identityDocuments.${i}.number`, label: t('field.documentNumber', { n: i + 1 }) })}
            ${f.input({ name: `subject.identityDocuments.${i}.issuingCountry`, label: t('field.issuingCountry', { n: i + 1 }), hint: t('field.codeHint'), limits: { maxlength: 2, size: 3 } })}
          </div>`,
      )}
    </fieldset>
    <fieldset class="group">
      <legend>${t('form.offence')}</legend>
      ${f.select({ name: 'offence.category', label: t('field.offenceCategory'), options: labelled(ctx, 'offenceCategory', M.OFFENCE_CATEGORIES), empty: '', required: true })}
      ${f.textarea({ name: 'offence.description', label: t('field.facts'), rows: 4, required: true })}
      ${f.input({ name: 'offence.maxPenaltyYears', label: t('field.maxPenaltyYears'), type: 'number', hint: t('field.maxPenaltyHint'), required: true, limits: { min: 0, step: 1 } })}
      <div class="row">
        ${f.select({ name: 'offence.legalBasis.type', label: t('field.legalBasis'), options: labelled(ctx, 'legalBasis', M.LEGAL_BASIS_TYPES), empty: '', required: true })}
        ${f.input({ name: 'offence.legalBasis.reference', label: t('field.legalReference'), required: true })}
      </div>
      <div class="row">
        ${f.input({ name: 'offence.legalBasis.authority', label: t('field.authority'), required: true })}
        ${f.input({ name: 'offence.legalBasis.date', label: t('field.legalDate'), type: 'date', required: true })}
      </div>
      ${f.textarea({ name: 'offence.assetLink', label: t('field.assetLink'), rows: 3, required: true })} ${o.afterFacts ?? ''}
    </fieldset>
    <fieldset class="group">
      <legend>${t('form.assetsSought')}</legend>
      ${f.groupProblems('assetsSought', t('form.assetsSought'))}<input type="hidden" name="_rows.assetsSought" value="${assetRows}" />
      ${Array.from(
        { length: assetRows },
        (_, i) =>
          html`<fieldset class="asset">
            <legend>${t('form.assetN', { n: i + 1 })}</legend>
            ${assetFields(f, `assetsSought.${i}`)}
          </fieldset>`,
      )}
      <button type="submit" name="_add" value="assetsSought" formnovalidate>${t('form.addAsset')}</button>
    </fieldset>
    <fieldset class="group">
      <legend>${t('form.handling')}</legend>
      <div class="row">
        ${f.select({ name: 'handlingCode', label: t('field.handlingCode'), options: labelled(ctx, 'handlingCode', M.HANDLING_CODES) })}
        ${f.select({ name: 'urgency', label: t('field.urgency'), options: labelled(ctx, 'urgency', M.URGENCIES) })}
        ${f.input({ name: 'responseDays', label: t('field.responseDays'), type: 'number', hint: t('field.responseDaysHint'), limits: { min: 1, max: 365, step: 1 } })}
        ${f.select({ name: 'language', label: t('field.language'), options: labelled(ctx, 'language', M.LANGUAGES) })}
      </div>
    </fieldset>`;
}
