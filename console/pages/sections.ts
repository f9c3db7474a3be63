/** The parts of a request's page that only show what it asks and what came back: facts, subject, assets, recipients, answers. */
import { DELETION_STATES } from '../../domain/actions';
import type { Ctx } from '../context';
import { html, type Content } from '../html';
import type { RequestPage } from './request-data';
import { badge, facts, free, type FullView, personName, section, thead } from './parts';

type Asset = {
  category: string;
  description?: string;
  identifiers?: Record<string, string>;
  estimatedValue?: { amount: number; currency: string };
};
type Located = Asset & {
  location: { country: string; address?: string };
  holder?: string;
  measures?: string;
  source?: { register?: string; reliability: string; accuracy: number };
};

const money = (ctx: Ctx, m?: { amount: number; currency: string }) => (m ? ctx.fmt.money(m.amount, m.currency) : '—');
const identifiers = (ctx: Ctx, ids?: Record<string, string>) =>
  ids
    ? Object.entries(ids).map(
        ([k, v]) => html`<div><span class="muted">${ctx.label('identifier', k)}</span> <code class="id">${v}</code></div>`,
      )
    : '—';

export function summary(ctx: Ctx, v: FullView): Content {
  const t = ctx.t;
  return facts([
    [t('col.caseNumber'), v.caseNumber],
    [t('field.kind'), ctx.label('kind', v.kind)],
    [t('col.from'), ctx.fmt.country(v.requestingCountry)],
    [t('field.purposes'), ctx.fmt.list(v.purposes.map((p) => ctx.label('purpose', p)))],
    [t('col.submitted'), ctx.fmt.instant(v.createdAt)],
    [t('request.published'), v.publishedAt ? ctx.fmt.instant(v.publishedAt) : ''],
    [t('col.expires'), v.expiresAt ? ctx.fmt.instant(v.expiresAt, true) : ''],
    [t('field.urgency'), ctx.label('urgency', v.urgency)],
    [t('request.window'), v.responseDays !== null ? t('request.days', { n: v.responseDays }) : t('request.hours', { n: v.responseHours })],
    [t('field.handlingCode'), ctx.label('handlingCode', v.handlingCode)],
    [t('field.language'), ctx.label('language', v.language)],
    [t('request.requestedRecipients'), v.requestedRecipients && ctx.fmt.list(v.requestedRecipients.map((c) => ctx.fmt.country(c)))],
    [t('request.purged'), v.purgedAt ? ctx.fmt.instant(v.purgedAt) : ''],
  ]);
}

export function subjectAndOffence(ctx: Ctx, v: FullView): Content {
  const t = ctx.t;
  const s = v.subject;
  const o = v.offence as {
    category: string;
    description?: string;
    maxPenaltyYears: number;
    legalBasis: { type: string; reference?: string; authority?: string; date: string };
    assetLink?: string;
  };
  return html`${section(
    'subject',
    t('form.subject'),
    s
      ? facts([
          [t('field.familyName'), free(s.familyName)],
          [t('field.givenNames'), free(s.givenNames)],
          [t('field.dateOfBirth'), s.dateOfBirth ? ctx.fmt.date(s.dateOfBirth) : ''],
          [t('field.placeOfBirth'), free(s.placeOfBirth)],
          [t('field.sex'), s.sex ? ctx.label('sex', s.sex) : ''],
          [t('field.nationalities'), s.nationalities && ctx.fmt.list(s.nationalities.map((c) => ctx.fmt.country(c)))],
          [t('request.aliases'), s.aliases && ctx.fmt.list(s.aliases.map(personName))],
          [
            t('request.documents'),
            s.identityDocuments?.map(
              (d) => html`<div>${ctx.label('documentType', d.type)} <code class="id">${d.number}</code> (${d.issuingCountry})</div>`,
            ),
          ],
        ])
      : html`<p class="muted">${t('request.purgedSubject')}</p>`,
  )}
  ${section(
    'offence',
    t('form.offence'),
    facts([
      [t('field.offenceCategory'), ctx.label('offenceCategory', o.category)],
      [t('field.facts'), o.description],
      [t('field.maxPenaltyYears'), String(o.maxPenaltyYears)],
      [
        t('field.legalBasis'),
        html`${ctx.label('legalBasis', o.legalBasis.type)}${o.legalBasis.reference ? html` <code class="id">${o.legalBasis.reference}</code>` : ''}`,
      ],
      [t('field.authority'), o.legalBasis.authority],
      [t('field.legalDate'), ctx.fmt.date(o.legalBasis.date)],
      [t('field.assetLink'), o.assetLink],
    ]),
  )}
  ${section('sought', t('form.assetsSought'), assetTable(ctx, v.assetsSought as Asset[], false))}`;
}

function assetTable(ctx: Ctx, assets: (Asset | Located)[], located: boolean): Content {
  const t = ctx.t;
  if (assets.length === 0) return '';
  const head = [
    t('field.assetCategory'),
    t('field.assetDescription'),
    t('field.identifier'),
    t('field.amount'),
    ...(located ? [t('field.location'), t('field.holder'), t('field.measures'), t('field.source')] : []),
  ];
  return html`<table class="assets">
    ${thead(head)}
    <tbody>
      ${assets.map((a) => {
        const l = a as Located;
        return html`<tr>
          <td>${ctx.label('assetCategory', a.category)}</td>
          <td>${free(a.description) || '—'}</td>
          <td>${identifiers(ctx, a.identifiers)}</td>
          <td>${money(ctx, a.estimatedValue)}</td>
          ${
            located
              ? html`<td>
                    ${ctx.fmt.country(l.location.country)}${l.location.address ? html`<div dir="auto">${l.location.address}</div>` : ''}
                  </td>
                  <td>${free(l.holder) || '—'}</td>
                  <td>${l.measures ? ctx.label('measure', l.measures) : '—'}</td>
                  <td>${l.source ? `${l.source.register ?? ''} ${l.source.reliability}${l.source.accuracy}`.trim() : '—'}</td>`
              : ''
          }
        </tr>`;
      })}
    </tbody>
  </table>`;
}

export function recipients(ctx: Ctx, v: FullView): Content {
  const t = ctx.t;
  if (v.recipients.length === 0) return '';
  const answered = v.recipients.filter((r) => r.final).length;
  // Once withdrawn, cancelled or expired, each recipient owes a confirmation that it deleted the request.
  const deletion = (DELETION_STATES as readonly string[]).includes(v.status);
  return section(
    'recipients',
    t('request.recipients', { n: v.recipients.length, answered }),
    html`<table>
      ${thead([
        t('col.country'),
        t('col.status'),
        t('col.due'),
        t('col.responded'),
        t('col.expectedBy'),
        t('col.delayReason'),
        ...(deletion ? [t('col.deletionConfirmed')] : []),
      ])}
      <tbody>
        ${v.recipients.map(
          (r) =>
            html`<tr class="${r.status === 'OVERDUE' ? 'overdue' : ''}">
              <td>${ctx.fmt.country(r.country)}</td>
              <td>${badge(ctx, r.status, 'recipientStatus')}${r.final ? html` ${t('recipient.final')}` : ''}</td>
              <td>${ctx.fmt.instant(r.dueAt, true)}</td>
              <td>${ctx.fmt.instant(r.respondedAt)}</td>
              <td>${ctx.fmt.instant(r.expectedBy)}</td>
              <td>${free(r.delayReason)}</td>
              ${deletion ? html`<td>${r.deletionConfirmedAt ? ctx.fmt.instant(r.deletionConfirmedAt) : t('recipient.deletionAwaited')}</td>` : ''}
            </tr>`,
        )}
      </tbody>
    </table>`,
  );
}

export function findings(ctx: Ctx, v: FullView): Content {
  const f = v.findings;
  if (!f || !v.publishedAt) return '';
  const t = ctx.t;
  return section(
    'findings',
    t('request.findings'),
    facts([
      [t('report.assetsLocated'), ctx.fmt.number(f.assetsLocated)],
      [
        t('report.byCategory'),
        ctx.fmt.list(Object.entries(f.byCategory).map(([c, n]) => `${ctx.label('assetCategory', c)}: ${ctx.fmt.number(n)}`)),
      ],
      [t('report.value'), ctx.fmt.list(Object.entries(f.estimatedValue).map(([c, n]) => ctx.fmt.money(n, c)))],
    ]),
  );
}

export function answers(ctx: Ctx, p: RequestPage): Content {
  if (!p.responses) return '';
  const t = ctx.t;
  const title = p.relation === 'RECIPIENT' ? t('request.ownAnswers') : t('request.answers');
  if (p.responses.items.length === 0) return section('answers', title, html`<p class="empty">${t('request.noAnswers')}</p>`);
  return section(
    'answers',
    title,
    p.responses.items.map(
      (r) =>
        html`<article class="answer">
          <h3>
            ${ctx.fmt.country(r.country)} · ${ctx.label('outcome', r.outcome)} ·
            ${r.final ? t('answer.final') : t('answer.interim')}${r.late ? html` ${badge(ctx, 'LATE', 'recipientStatus')}` : ''}
          </h3>
          <p class="muted">${ctx.fmt.instant(r.createdAt)} · ${ctx.label('handlingCode', r.handlingCode)}</p>
          ${r.reason ? html`<p dir="auto">${r.reason}</p>` : ''} ${assetTable(ctx, r.assets as Located[], true)}
        </article>`,
    ),
  );
}
