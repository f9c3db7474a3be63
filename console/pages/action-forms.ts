/**
 * The forms of a request's page, for whoever may act: a reviewer decides, cancels and decides
 * renewals; the CCF blocks and decides; the requester withdraws and asks for a renewal; a recipient
 * acknowledges, puts its deadline back and answers. The workflow still decides whether an action fits.
 */
import * as M from '../../domain/model';
import type { Attempt } from '../attempt';
import type { Ctx } from '../context';
import { FormErrors, FormRenderer, type Posted } from '../forms';
import { html, type Content, type Html } from '../html';
import { csrfField } from '../layout';
import { answerForm } from './answer-form';
import { labelled, type FullView } from './parts';
import type { RequestPage } from './request-data';

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

/** The forms this reader may use on this request now. */
export function actionForms(ctx: Ctx, p: RequestPage, v: FullView): ActionForm[] {
  const t = ctx.t;
  const forms: ActionForm[] = [];
  const published = v.status === 'PUBLISHED';
  if (p.relation === 'REVIEWER') {
    if (v.status === 'UNDER_REVIEW')
      forms.push({
        action: 'decide',
        title: t('action.decide'),
        submit: t('action.decideSubmit'),
        fields: (f) =>
          html`${f.choices({ name: 'decision', label: t('field.decision'), options: labelled(ctx, 'decision', M.DECISIONS), required: true })}
          ${reason(f, t('field.decisionReason'), false)}${grounds(f)}`,
      });
    if (published && v.renewal?.status === 'REQUESTED')
      forms.push({
        action: 'renewal-decision',
        title: t('action.renewalDecision'),
        submit: t('action.decideSubmit'),
        fields: (f) =>
          html`${f.choices({ name: 'decision', label: t('field.decision'), options: labelled(ctx, 'renewalDecision', M.RENEWAL_DECISIONS), required: true })}${reason(f, t('field.reason'))}`,
      });
    if (published)
      forms.push({
        action: 'cancel',
        title: t('action.cancel'),
        submit: t('action.cancelSubmit'),
        folded: true,
        danger: true,
        fields: (f) => html`${reason(f, t('field.reason'))}${grounds(f)}`,
      });
  }
  if (p.relation === 'CCF') {
    if (published && !v.blocking)
      forms.push({
        action: 'block',
        title: t('action.block'),
        submit: t('action.blockSubmit'),
        folded: true,
        danger: true,
        fields: (f) => reason(f, t('field.complaint')),
      });
    if (published && v.blocking)
      forms.push({
        action: 'blocking-decision',
        title: t('action.blockingDecision'),
        submit: t('action.decideSubmit'),
        fields: (f) =>
          html`${f.choices({ name: 'outcome', label: t('field.outcome'), options: labelled(ctx, 'blockingOutcome', M.BLOCKING_OUTCOMES), required: true })}${reason(f, t('field.reason'))}`,
      });
  }
  if (p.relation === 'REQUESTER') {
    if (published && v.renewal?.status !== 'REQUESTED' && !v.blocking)
      forms.push({
        action: 'renewal',
        title: t('action.renewal'),
        submit: t('action.renewalSubmit'),
        folded: true,
        fields: (f) =>
          html`<p class="hint">${t('action.renewalHint')}</p>
            ${reason(f, t('field.reason'))}`,
      });
    if (!M.isFinal(v.status))
      forms.push({
        action: 'withdraw',
        title: t('action.withdraw'),
        submit: t('action.withdrawSubmit'),
        folded: true,
        danger: true,
        fields: (f) => reason(f, t('field.reason')),
      });
  }
  const own = v.recipients[0];
  if (p.relation === 'RECIPIENT' && published && own && !own.final) {
    forms.push({
      action: 'answer',
      title: t('action.answer'),
      submit: t('action.answerSubmit'),
      defaults: { final: 'FINAL', handlingCode: 'H0' },
      fields: (f) => answerForm(f),
    });
    if (!own.acknowledgedAt)
      forms.push({
        action: 'acknowledge',
        title: t('action.acknowledge'),
        submit: t('action.acknowledgeSubmit'),
        folded: true,
        fields: (f) =>
          f.input({
            name: 'expectedBy',
            label: t('field.expectedBy'),
            type: 'datetime-local',
            hint: t('field.inYourZone', { zone: ctx.timeZone }),
          }),
      });
    forms.push({
      action: 'delay',
      title: t('action.delay'),
      submit: t('action.delaySubmit'),
      folded: true,
      fields: (f) =>
        html`${reason(f, t('field.delayReason'))}${f.input({ name: 'expectedBy', label: t('field.newDeadline'), type: 'datetime-local', required: true, hint: t('field.inYourZone', { zone: ctx.timeZone }) })}`,
    });
  }
  return forms;
}
