/** The pilot report (reviewers and administrators): its figures, and charts drawn on the server. */
import { Router } from 'express';
import { sendCsv } from '../../api/csv';
import type { Services } from '../../services';
import { barChart, type Bar } from '../charts';
import type { Ctx } from '../context';
import { html } from '../html';
import type { LabelGroup } from '../i18n';
import { page } from '../layout';
import { allow } from './allow';
import { csvLink } from './lists';
import { facts } from './parts';

const byCount = (counts: Record<string, number>, label: (k: string) => string): Bar[] =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => ({ label: label(k), value: v }));

export function reportRoutes(services: Services): Router {
  const router = Router();
  router.get('/report', ...allow('REVIEWER', 'ADMIN'), async (req, res) => {
    const ctx = res.locals.ctx as Ctx;
    const t = ctx.t;
    const r = await services.reports.pilotReport();
    if (req.query.format === 'csv') return sendCsv(res, 'pilot-report.csv', [r]);
    const chart = (id: string, title: string, bars: Bar[], labelHeader: string) =>
      barChart({ id, title, bars, rtl: ctx.dir === 'rtl', valueHeader: t('report.figures'), labelHeader, empty: t('report.none') });
    const labels = (group: LabelGroup) => (k: string) => ctx.label(group, k);
    const seconds = (s: number | null | undefined) =>
      s === null || s === undefined ? '—' : t('report.hours', { n: Math.round((s / 3600) * 10) / 10 });
    res.send(
      page(ctx, {
        title: t('nav.report'),
        body: html`<h1>${t('nav.report')}</h1>
          <p class="muted">${t('report.generated')} ${ctx.fmt.instant(r.generatedAt)}</p>
          ${csvLink(ctx, '/report')}
          ${facts([
            [t('report.total'), ctx.fmt.number(r.requests.total)],
            [t('report.quotaUsed'), `${r.quota.used} / ${r.quota.quotaTotal}`],
            [t('report.medianReview'), seconds(r.review.medianReviewSeconds)],
            [t('report.responseRate'), r.responses.responseRate === null ? '—' : ctx.fmt.percent(r.responses.responseRate)],
            [t('report.overdue'), ctx.fmt.number(r.responses.overdue)],
            [t('report.lateAnswers'), ctx.fmt.number(r.responses.lateAnswers)],
            [t('report.assetsLocated'), ctx.fmt.number(r.assets.located)],
            [t('report.blockedNow'), ctx.fmt.number(r.blocking.blockedNow)],
            [t('report.renewals'), `${r.renewals.requested} / ${r.renewals.approved} / ${r.renewals.rejected}`],
            [t('report.links'), ctx.fmt.number(r.links.pairs)],
            [t('report.deletion'), `${ctx.fmt.number(r.deletion.confirmed)} / ${ctx.fmt.number(r.deletion.awaiting)}`],
            [t('report.requestsWithOutcome'), ctx.fmt.number(r.outcomes.requestsWithOutcome)],
            [
              t('report.medianDaysToMeasure'),
              r.outcomes.medianDaysToFirstMeasure === null ? '—' : ctx.fmt.number(r.outcomes.medianDaysToFirstMeasure),
            ],
          ])}
          <div class="charts">
            ${chart('by-status', t('report.byStatus'), byCount(r.requests.byStatus, labels('status')), t('col.status'))}
            ${chart('by-kind', t('report.byKind'), byCount(r.requests.byKind, labels('kind')), t('col.kind'))}
            ${chart(
              'by-country',
              t('report.byCountry'),
              byCount(r.requests.byRequestingCountry, (c) => ctx.fmt.country(c)),
              t('col.country'),
            )}
            ${chart(
              'quota',
              t('report.quota'),
              Object.entries(r.quota.usage).map(([c, n]) => ({ label: ctx.fmt.country(c), value: n, limit: r.quota.quotaPerParticipant })),
              t('col.country'),
            )}
            ${chart('assets', t('report.byCategory'), byCount(r.assets.byCategory, labels('assetCategory')), t('field.assetCategory'))}
            ${chart(
              'value',
              t('report.value'),
              Object.entries(r.assets.estimatedValue).map(([c, v]) => ({ label: c, value: v, shown: ctx.fmt.money(v, c) })),
              t('field.currency'),
            )}
            ${chart(
              'first-answer',
              t('report.firstAnswer'),
              Object.entries(r.responses.firstAnswerMedianSeconds).map(([u, s]) => ({
                label: ctx.label('urgency', u),
                value: s,
                shown: seconds(s),
              })),
              t('field.urgency'),
            )}
            ${chart(
              'outcomes',
              t('report.outcomesByMeasure'),
              byCount(Object.fromEntries(Object.entries(r.outcomes.byMeasure).map(([m, o]) => [m, o.count])), labels('outcomeMeasure')),
              t('field.measure'),
            )}
            ${chart(
              'outcome-value',
              t('report.outcomeValue'),
              Object.entries(r.outcomes.byMeasure).flatMap(([m, o]) =>
                Object.entries(o.value).map(([c, v]) => ({
                  label: `${ctx.label('outcomeMeasure', m)} (${c})`,
                  value: v,
                  shown: ctx.fmt.money(v, c),
                })),
              ),
              t('field.measure'),
            )}
          </div>`,
      }),
    );
  });
  return router;
}
