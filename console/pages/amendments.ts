/**
 * Amendments on a request's page: the list with what each adds, the requester's form to amend a
 * published request, and the reviewer's form to decide the one under review (shown with its changes).
 * Whether either form is offered is the view's `actions`, as for every form.
 */
import * as M from '../../domain/model';
import type { Ctx } from '../context';
import { codes, compact, optional, text, type Posted } from '../forms';
import { html, type Content } from '../html';
import type { ActionForm } from './action-forms';
import { free, labelled, personName, section, type FullView } from './parts';

type Amendment = FullView['amendments'][number];
interface Changes {
  add?: {
    aliases?: { familyName: string; givenNames?: string }[];
    identityDocuments?: { type: string; number: string; issuingCountry: string }[];
    assetsSought?: { category: string; description: string }[];
    recipients?: string[];
  };
  legalBasis?: { type: string; reference: string; authority: string; date: string };
}

/** What an amendment adds, as a list a reader can check. */
function changesList(ctx: Ctx, a: Amendment): Content {
  const { add = {}, legalBasis } = a.changes as Changes;
  const items: Content[] = [
    ...(add.aliases ?? []).map((n) => html`<li>${ctx.t('field.aliasLines')}: ${free(personName(n))}</li>`),
    ...(add.identityDocuments ?? []).map((d) => html`<li>${free(`${d.type} ${d.number} (${d.issuingCountry})`)}</li>`),
    ...(add.assetsSought ?? []).map((s) => html`<li>${ctx.label('assetCategory', s.category)}: ${free(s.description)}</li>`),
    ...(add.recipients?.length
      ? [html`<li>${ctx.t('field.addRecipients')}: ${ctx.fmt.list(add.recipients.map((c) => ctx.fmt.country(c)))}</li>`]
      : []),
    ...(legalBasis
      ? [html`<li>${free(`${legalBasis.type} ${legalBasis.reference}, ${legalBasis.authority}, ${legalBasis.date}`)}</li>`]
      : []),
  ];
  return items.length
    ? html`<ul>
        ${items}
      </ul>`
    : '—';
}

export function amendmentsSection(ctx: Ctx, v: FullView): Content {
  if (!v.amendments?.length) return '';
  return section(
    'amendments',
    ctx.t('amendments.title'),
    html`<table>
      <thead>
        <tr>
          <th scope="col">${ctx.t('col.status')}</th>
          <th scope="col">${ctx.t('col.submitted')}</th>
          <th scope="col">${ctx.t('field.reason')}</th>
          <th scope="col">${ctx.t('amendments.changes')}</th>
        </tr>
      </thead>
      <tbody>
        ${v.amendments.map(
          (a) =>
            html`<tr>
              <td>
                ${ctx.label('amendmentStatus', a.status)}${a.decidedAt ? html` <span class="muted">${ctx.fmt.instant(a.decidedAt)}</span>` : ''}
              </td>
              <td>${ctx.fmt.instant(a.submittedAt)}</td>
              <td>${a.reason ? free(a.reason) : '—'}</td>
              <td>${changesList(ctx, a)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`,
  );
}

/**
 * The amendment whose decision the view offers its reader: the catalogue says whether there is one
 * to decide (and by this reader); its address names which.
 */
function offeredAmendment(v: FullView): Amendment | undefined {
  const href = v.actions.find((a) => a.name === 'DECIDE_AMENDMENT')?.href;
  return href === undefined ? undefined : v.amendments.find((a) => href.endsWith(`/amendments/${a.id}/decision`));
}

/** The review queue's rows for amendments: the requests with one to decide, each with what it adds. */
export function amendmentRows(ctx: Ctx, items: FullView[]): Content[] {
  return items.flatMap((v) => {
    const pending = offeredAmendment(v);
    return pending
      ? [
          html`<tr>
            <td><a href="/requests/${v.id}#act-amendment-decision">${v.reference ?? v.caseNumber}</a></td>
            <td>${ctx.fmt.country(v.requestingCountry)}</td>
            <td>${ctx.fmt.instant(pending.submittedAt)}</td>
            <td>${changesList(ctx, pending)}</td>
          </tr>`,
        ]
      : [];
  });
}

export const amendForm = (ctx: Ctx, v: FullView): ActionForm => ({
  action: 'amend',
  title: ctx.t('action.amend'),
  submit: ctx.t('action.amendSubmit'),
  folded: true,
  fields: (f) =>
    html`<p class="hint">${ctx.t('action.amendHint')}</p>
      ${f.textarea({ name: 'reason', label: ctx.t('field.reason'), rows: 3, required: true })}
      ${f.textarea({ name: 'aliases', label: ctx.t('field.aliasLines'), hint: ctx.t('field.aliasLinesHint'), rows: 3 })}
      ${v.kind === 'DIFFUSION' ? f.input({ name: 'recipients', label: ctx.t('field.addRecipients'), hint: ctx.t('field.addRecipientsHint') }) : ''}
      ${f.select({ name: 'assetCategory', label: ctx.t('field.assetCategory'), options: labelled(ctx, 'assetCategory', M.ASSET_CATEGORIES), empty: '' })}
      ${f.input({ name: 'assetDescription', label: ctx.t('field.addAssetDescription') })}
      ${f.input({ name: 'assetIban', label: ctx.t('field.addAssetIban') })}`,
});

/** The amendment's body, from the form: an alias a line ("family name, given names"), countries by code, one asset. */
export function amendmentFromForm(f: Posted): unknown {
  const aliases = text(f, 'aliases')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [familyName, ...given] = line.split(',');
      return compact({ familyName: familyName.trim(), givenNames: given.join(',').trim() || undefined });
    });
  const iban = optional(f, 'assetIban');
  const asset = optional(f, 'assetDescription')
    ? compact({
        category: optional(f, 'assetCategory'),
        description: optional(f, 'assetDescription'),
        identifiers: iban ? { iban } : undefined,
      })
    : undefined;
  const add = compact({
    aliases: aliases.length ? aliases : undefined,
    recipients: codes(f, 'recipients'),
    assetsSought: asset && [asset],
  });
  return compact({ reason: optional(f, 'reason'), add: add ?? {} });
}

/** Screening's flags on an amendment (recipients, who see no review, are never offered its decision). */
const flagsOf = (a: Amendment): string[] => ('flags' in a ? a.flags : []);

export const amendmentDecisionForm = (ctx: Ctx, v: FullView): ActionForm => {
  const pending = offeredAmendment(v);
  return {
    action: 'amendment-decision',
    title: ctx.t('action.amendmentDecision'),
    submit: ctx.t('action.decideSubmit'),
    fields: (f) =>
      html`${
        pending
          ? html`<p>${ctx.t('amendments.pending')} ${pending.reason ? free(pending.reason) : ''}</p>
              ${changesList(ctx, pending)}${flagsOf(pending).length ? html`<p>${ctx.fmt.list(flagsOf(pending).map((x) => ctx.label('flag', x)))}</p>` : ''}
              <input type="hidden" name="aid" value="${pending.id}" />`
          : ''
      }
      ${f.choices({ name: 'decision', label: ctx.t('field.decision'), options: labelled(ctx, 'amendmentDecision', M.RENEWAL_DECISIONS), required: true })}
      ${f.textarea({ name: 'reason', label: ctx.t('field.decisionReason'), rows: 3 })}`,
  };
};
