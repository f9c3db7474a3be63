/**
 * The forms of a request's page: one for each action the view lists as open to this reader now
 * (the catalogue's answer, as the API gives it). What is decided here is only how each form looks.
 */
import type { ActionName } from '../../domain/actions';
import * as M from '../../domain/model';
import type { Attempt } from '../attempt';
import type { Ctx } from '../context';
import { FormErrors, FormRenderer, type Posted } from '../forms';
import { html, type Content, type Html } from '../html';
import { csrfField } from '../layout';
import { amendForm, amendmentDecisionForm } from './amendments';
import { answerForm } from './answer-form';
import { labelled, type FullView } from './parts';

/** The form that was just posted and refused, to show again with its problems. */
export interface FormState {
  action: string;
  form: Posted;
  refused?: Attempt<never>;
}

export interface ActionForm {
  action: string;
  title: string;
  submit: string;
  fields: (f: FormRenderer) => Content;
  /** Folded away until opened: an action to take with care, or rarely. */
  folded?: boolean;
  danger?: boolean;
  /** What the form shows before anything was posted. */
  defaults?: Posted;
}

export function renderForm(ctx: Ctx, id: string, a: ActionForm, state?: FormState): Html {
  const mine = state?.action === a.action ? state : undefined;
  const problems = mine?.refused && !mine.refused.ok ? mine.refused.problems : [];
  const f = new FormRenderer(ctx, mine?.form ?? { ...a.defaults }, new FormErrors(problems));
  const fields = a.fields(f);
  const body = html`${f.summary()}
    <form method="post" action="/requests/${id}/${a.action}" novalidate>
      ${csrfField(ctx)}${fields}
      <button type="submit" class="${a.danger ? 'danger' : 'primary'}">${a.submit}</button>
    </form>`;
  return a.folded
    ? html`<details class="action" id="act-${a.action}" ${mine ? 'open' : ''}>
        <summary>${a.title}</summary>
        ${body}
      </details>`
    : html`<section class="action" id="act-${a.action}" aria-labelledby="act-${a.action}-h">
        <h2 id="act-${a.action}-h">${a.title}</h2>
        ${body}
      </section>`;
}

const reason = (f: FormRenderer, label: string, required = true) => f.textarea({ name: 'reason', label, rows: 3, required });
const grounds = (f: FormRenderer) =>
  f.choices({ name: 'grounds', label: f.ctx.t('field.grounds'), options: labelled(f.ctx, 'ground', M.GROUNDS), multiple: true });

/** How each action's form looks (a clarification has a page of its own, clarify.ts). */
const FORMS: Partial<Record<ActionName, (ctx: Ctx, v: FullView) => ActionForm>> = {
  AMEND: amendForm,
  DECIDE_AMENDMENT: amendmentDecisionForm,
  CLAIM: ({ t }, v) =>
    v.review?.claimedBy
      ? {
          action: 'claim',
          title: t('action.takeOver', { name: v.review.claimedBy.name ?? '' }),
          submit: t('action.takeOverSubmit'),
          folded: true,
          fields: (f) => html`<input type="hidden" name="takeOver" value="true" />${reason(f, t('field.takeOverReason'))}`,
        }
      : {
          action: 'claim',
          title: t('action.claim'),
          submit: t('action.claimSubmit'),
          fields: () => html`<p class="hint">${t('action.claimHint')}</p>`,
        },
  RELEASE: ({ t }) => ({
    action: 'release',
    title: t('action.release'),
    submit: t('action.releaseSubmit'),
    folded: true,
    fields: () => '',
  }),
  DECIDE: ({ t, ...ctx }) => ({
    action: 'decide',
    title: t('action.decide'),
    submit: t('action.decideSubmit'),
    fields: (f) =>
      html`${f.choices({ name: 'decision', label: t('field.decision'), options: labelled({ t, ...ctx }, 'decision', M.DECISIONS), required: true })}
      ${reason(f, t('field.decisionReason'), false)}${grounds(f)}`,
  }),
  DECIDE_RENEWAL: (ctx) => ({
    action: 'renewal-decision',
    title: ctx.t('action.renewalDecision'),
    submit: ctx.t('action.decideSubmit'),
    fields: (f) =>
      html`${f.choices({ name: 'decision', label: ctx.t('field.decision'), options: labelled(ctx, 'renewalDecision', M.RENEWAL_DECISIONS), required: true })}${reason(f, ctx.t('field.reason'))}`,
  }),
  CANCEL: ({ t }) => ({
    action: 'cancel',
    title: t('action.cancel'),
    submit: t('action.cancelSubmit'),
    folded: true,
    danger: true,
    fields: (f) => html`${reason(f, t('field.reason'))}${grounds(f)}`,
  }),
  BLOCK: ({ t }) => ({
    action: 'block',
    title: t('action.block'),
    submit: t('action.blockSubmit'),
    folded: true,
    danger: true,
    fields: (f) => reason(f, t('field.complaint')),
  }),
  DECIDE_BLOCKING: (ctx) => ({
    action: 'blocking-decision',
    title: ctx.t('action.blockingDecision'),
    submit: ctx.t('action.decideSubmit'),
    fields: (f) =>
      html`${f.choices({ name: 'outcome', label: ctx.t('field.outcome'), options: labelled(ctx, 'blockingOutcome', M.BLOCKING_OUTCOMES), required: true })}${reason(f, ctx.t('field.reason'))}`,
  }),
  REQUEST_RENEWAL: ({ t }) => ({
    action: 'renewal',
    title: t('action.renewal'),
    submit: t('action.renewalSubmit'),
    folded: true,
    fields: (f) =>
      html`<p class="hint">${t('action.renewalHint')}</p>
        ${reason(f, t('field.reason'))}`,
  }),
  WITHDRAW: ({ t }) => ({
    action: 'withdraw',
    title: t('action.withdraw'),
    submit: t('action.withdrawSubmit'),
    folded: true,
    danger: true,
    fields: (f) => reason(f, t('field.reason')),
  }),
  RESPOND: ({ t }) => ({
    action: 'answer',
    title: t('action.answer'),
    submit: t('action.answerSubmit'),
    defaults: { final: 'FINAL', handlingCode: 'H0' },
    fields: (f) => answerForm(f),
  }),
  ACKNOWLEDGE: (ctx) => ({
    action: 'acknowledge',
    title: ctx.t('action.acknowledge'),
    submit: ctx.t('action.acknowledgeSubmit'),
    folded: true,
    fields: (f) =>
      f.input({
        name: 'expectedBy',
        label: ctx.t('field.expectedBy'),
        type: 'datetime-local',
        hint: ctx.t('field.inYourZone', { zone: ctx.timeZone }),
      }),
  }),
  RECORD_OUTCOME: (ctx, v) => ({
    action: 'outcome',
    title: ctx.t('action.outcome'),
    submit: ctx.t('action.outcomeSubmit'),
    folded: true,
    fields: (f) =>
      html`${f.select({ name: 'measure', label: ctx.t('field.measure'), options: labelled(ctx, 'outcomeMeasure', M.OUTCOME_MEASURES), required: true })}
      ${f.select({ name: 'country', label: ctx.t('col.country'), options: v.recipients.map((r) => [r.country, ctx.fmt.country(r.country)] as const), required: true })}
      ${f.input({ name: 'date', label: ctx.t('field.outcomeDate'), type: 'date', required: true })}
      ${f.input({ name: 'value.amount', label: ctx.t('field.outcomeValue'), type: 'number', limits: { min: 0, step: 'any' } })}
      ${f.input({ name: 'value.currency', label: ctx.t('field.currency'), hint: ctx.t('field.currencyHint'), limits: { maxlength: 3, size: 4 } })}
      ${f.textarea({ name: 'note', label: ctx.t('field.note'), rows: 2 })}`,
  }),
  CONFIRM_DELETION: ({ t }) => ({
    action: 'confirm-deletion',
    title: t('action.confirmDeletion'),
    submit: t('action.confirmDeletionSubmit'),
    fields: () => html`<p class="hint">${t('action.confirmDeletionHint')}</p>`,
  }),
  DELAY: (ctx) => ({
    action: 'delay',
    title: ctx.t('action.delay'),
    submit: ctx.t('action.delaySubmit'),
    folded: true,
    fields: (f) =>
      html`${reason(f, ctx.t('field.delayReason'))}${f.input({ name: 'expectedBy', label: ctx.t('field.newDeadline'), type: 'datetime-local', required: true, hint: ctx.t('field.inYourZone', { zone: ctx.timeZone }) })}`,
  }),
};

/** The forms of the actions this reader may take on this request now, as its view lists them. */
export function actionForms(ctx: Ctx, v: FullView): ActionForm[] {
  return v.actions.flatMap((a) => FORMS[a.name]?.(ctx, v) ?? []);
}
