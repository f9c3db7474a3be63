/** The parts of a request's page its handling leaves behind: the review's decisions, the links found, the audit trail. */
import type { Ctx } from '../context';
import { html, type Content } from '../html';
import type { RequestPage } from './request-data';
import { flagList, free, type FullView, section, thead } from './parts';

export function review(ctx: Ctx, p: RequestPage, v: FullView): Content {
  if (!v.review) return '';
  const t = ctx.t;
  const e = p.fourEyes;
  return section(
    'review',
    t('request.review'),
    html` <h3>${t('request.flags')}</h3>
      ${flagList(ctx, v.review.flags)}
      ${e ? html`<p class="four-eyes">${t('review.fourEyes', { given: e.approvedBy.length, required: e.required })}${e.approvedBy.length ? html` · ${t('review.approvedBy')} ${ctx.fmt.list(e.approvedBy.map((a) => a.name ?? a.id))}` : ''}${e.approvedByCaller ? html` · <strong>${t('review.youApproved')}</strong>` : ''}</p>` : ''}
      ${
        v.review.decisions.length
          ? html`<h3>${t('request.decisions')}</h3>
              <ol class="decisions">
                ${v.review.decisions.map(
                  (d) =>
                    html`<li>
                      ${ctx.fmt.instant(d.at)} ·
                      <strong>${ctx.label('decision', d.decision)}</strong
                      >${d.grounds.length ? html` (${ctx.fmt.list(d.grounds.map((g) => ctx.label('ground', g)))})` : ''}${d.reason ? html`<blockquote dir="auto">${d.reason}</blockquote>` : ''}
                    </li>`,
                )}
              </ol>`
          : ''
      }
      ${
        v.closure
          ? html`<h3>${t('request.closure')}</h3>
              <p>
                ${ctx.fmt.instant(v.closure.at)}${v.closure.reason ? html` · ${free(v.closure.reason)}` : ''}${v.closure.grounds.length ? html` (${ctx.fmt.list(v.closure.grounds.map((g) => ctx.label('ground', g)))})` : ''}
              </p>`
          : ''
      }`,
  );
}

export function links(ctx: Ctx, p: RequestPage): Content {
  if (!p.links || p.links.items.length === 0) return '';
  const t = ctx.t;
  return section(
    'links',
    t('request.links'),
    html`<ul>
      ${p.links.items.map(
        (l) =>
          html`<li>
            ${ctx.label('identifier', l.identifierType)} · ${ctx.fmt.instant(l.detectedAt)} ·
            ${l.otherNoticeId ? html`<a href="/requests/${l.otherNoticeId}">${l.otherReference ?? l.otherNoticeId}</a>` : t('request.linkHidden')}
          </li>`,
      )}
    </ul>`,
  );
}

type AuditEvent = NonNullable<RequestPage['events']>['items'][number];
const eventRows = (ctx: Ctx, events: AuditEvent[], what: (e: AuditEvent) => Content) =>
  events.map(
    (e) =>
      html`<tr>
        <td>${ctx.fmt.instant(e.at)}</td>
        <td>${what(e)}</td>
        <td>${e.actor.name ? free(e.actor.name) : ctx.label('role', e.actor.role)}${e.actor.country ? ` (${e.actor.country})` : ''}</td>
      </tr>`,
  );

/** A blocking's complaint, and its decision's outcome and reason, as the audit trail keeps them. */
function blockingDetail(ctx: Ctx, e: AuditEvent): Content {
  if (e.type !== 'BLOCKED' && e.type !== 'BLOCKING_DECIDED') return '';
  const data = (e.data ?? {}) as { outcome?: unknown; reason?: unknown };
  const outcome = typeof data.outcome === 'string' ? ctx.label('blockingOutcome', data.outcome) : '';
  const reason = typeof data.reason === 'string' ? data.reason : '';
  return html`${outcome ? html`: ${outcome}` : ''}${reason ? html`<blockquote dir="auto">${reason}</blockquote>` : ''}`;
}

export function history(ctx: Ctx, p: RequestPage): Content {
  if (!p.events) return '';
  const t = ctx.t;
  const events = p.events.items.filter((e) => e.type !== 'READ');
  const reads = p.events.items.filter((e) => e.type === 'READ');
  // Who read the request is what the CCF examines a complaint by: folded, as there may be hundreds.
  return section(
    'history',
    t('request.history'),
    html`<table>
        ${thead([t('col.when'), t('col.event'), t('col.by')])}
        <tbody>
          ${eventRows(ctx, events, (e) => html`${ctx.label('event', e.type)}${blockingDetail(ctx, e)}`)}
        </tbody>
      </table>
      ${
        reads.length
          ? html`<details id="reads">
              <summary>${t('request.readsAudited', { n: reads.length })}</summary>
              <table>
                ${thead([t('col.when'), t('col.whatRead'), t('col.by')])}
                <tbody>
                  ${eventRows(ctx, reads, (e) => html`<code class="id">${String((e.data as { what?: unknown } | null)?.what ?? '')}</code>`)}
                </tbody>
              </table>
            </details>`
          : ''
      }`,
  );
}
