/**
 * A request on paper (`GET /v1/notices/:id/extract.pdf`): what its reader may read of it, as the
 * API's view gives it to that reader, in the request's language (the console's wording), with the
 * case number, the reference and the handling code on every page. Banks, registries and courts work
 * from documents, and the handling code must travel with every sheet of one.
 *
 * An extract is a copy that leaves the system, so every one is in the request's audit trail, its
 * requester's too (an ordinary read by the requester is not).
 */
import PDFDocument from 'pdfkit';
import { formatter } from '../console/format';
import { isLang, translator } from '../console/i18n';
import { recordAudit } from '../records/audit';
import { responsesTo } from '../records/queries';
import type { Principal, ServiceDeps } from './context';
import { registerFonts, Typesetter, type TextStyle } from './pdf-layout';
import type { NoticeView, ReadingService } from './reading';
import { conflict } from './refusals';

type Full = Extract<NoticeView, { kind: unknown }>;
type Insider = Partial<{
  review: { flags: string[]; decisions: { decision: string; reason: string | null; grounds: string[]; at: string }[] };
  findings: { assetsLocated: number; byCategory: Record<string, number>; estimatedValue: Record<string, number> };
  closure: { at: string; reason: string | null } | null;
}>;
type Money = { amount: number; currency: string };
type Asset = {
  category: string;
  description?: string;
  identifiers?: Record<string, string>;
  estimatedValue?: Money;
  location?: { country: string; address?: string };
  holder?: string;
  measures?: string;
};
type Answer = Awaited<ReturnType<typeof responsesTo>>[number];

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { top: 84, bottom: 64, left: 56, right: 56 };
const BODY: TextStyle = { size: 10 };
const LABEL: TextStyle = { size: 10, weight: 'bold', color: '#333333' };
const LINE = 14;

export function extractService(deps: ServiceDeps, reading: ReadingService) {
  return {
    /** The caller's extract of a request: 404 as for a read, 409 BLOCKED to a recipient while the CCF withholds it. */
    async pdf(id: string, principal: Principal): Promise<{ caseNumber: string; bytes: Buffer }> {
      const { view, relation } = await reading.viewAs(id, principal);
      if (!('kind' in view))
        throw conflict('The CCF withholds this request from its recipients: there is nothing of it to print', 'BLOCKED');
      const answers = view.publishedAt ? await responsesTo(deps.prisma, id, relation === 'RECIPIENT' ? principal.country! : undefined) : [];
      const at = new Date();
      await recordAudit(deps.prisma, { noticeId: id, at, type: 'READ', actor: principal, data: { what: 'extract' } });
      return { caseNumber: view.caseNumber, bytes: await render(view, answers, principal, at) };
    },
  };
}

function render(view: Full, answers: Answer[], reader: Principal, madeAt: Date): Promise<Buffer> {
  const v = view as Full & Insider;
  const lang = isLang(v.language) ? v.language : 'en';
  const { t, label, dir } = translator(lang);
  const fmt = formatter(lang, 'UTC');
  const instantFormat = new Intl.DateTimeFormat(fmt.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  const instant = (iso: string | null | undefined) => (iso ? `${instantFormat.format(new Date(iso))} UTC` : null);
  const list = (items: readonly string[] | null | undefined) =>
    items?.length ? new Intl.ListFormat(fmt.locale, { type: 'conjunction' }).format(items) : null;
  const money = (m?: Money) => (m ? fmt.money(m.amount, m.currency) : null);
  const identifiers = (ids?: Record<string, string>) =>
    ids && Object.keys(ids).length ? Object.entries(ids).map(([k, value]) => `${label('identifier', k)}: ${value}`) : [];

  const doc = new PDFDocument({
    size: [A4.width, A4.height],
    margins: MARGIN,
    bufferPages: true,
    lang,
    displayTitle: true,
    info: { Title: `${t('print.title')} ${v.caseNumber}`, Creator: 'Silver Notice' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  registerFonts(doc);
  const ts = new Typesetter(doc, dir);
  const left = MARGIN.left;
  const width = A4.width - MARGIN.left - MARGIN.right;
  const bottom = A4.height - MARGIN.bottom;
  let y = MARGIN.top;
  const room = (height: number) => {
    if (y + height <= bottom) return;
    doc.addPage();
    y = MARGIN.top;
  };

  const heading = (text: string, size = 13) => {
    room(size * 2 + LINE * 2);
    y += size * 0.8;
    ts.line(text, left, y, width, { size, weight: 'bold' });
    y += size * 1.6;
  };
  /** A label and its value side by side (the label at the start of the line, so on the right in Arabic); free text keeps its own direction. */
  const row = (name: string, value: string | readonly string[] | null | undefined) => {
    const values = (typeof value === 'string' ? [value] : (value ?? [])).filter((s) => s !== '');
    if (values.length === 0) return;
    const labelWidth = width * 0.3;
    const valueWidth = width - labelWidth - 12;
    const labelX = dir === 'rtl' ? left + width - labelWidth : left;
    const valueX = dir === 'rtl' ? left : left + labelWidth + 12;
    const names = ts.wrap(name, labelWidth, LABEL);
    const lines = values.flatMap((s) => ts.wrap(s, valueWidth, BODY));
    room(Math.min(names.length, 3) * LINE);
    for (let i = 0; i < Math.max(names.length, lines.length); i++) {
      room(LINE);
      if (names[i]) ts.line(names[i], labelX, y, labelWidth, LABEL);
      if (lines[i]) ts.line(lines[i], valueX, y, valueWidth, BODY, 'auto');
      y += LINE;
    }
    y += 3;
  };
  const assetRows = (a: Asset) => {
    row(t('field.assetCategory'), label('assetCategory', a.category));
    row(t('field.assetDescription'), a.description);
    row(t('field.identifier'), identifiers(a.identifiers));
    if (a.location) row(t('field.location'), [fmt.country(a.location.country), ...(a.location.address ? [a.location.address] : [])]);
    row(t('field.holder'), a.holder);
    row(t('field.measures'), a.measures ? label('measure', a.measures) : null);
    row(t('field.amount'), money(a.estimatedValue));
  };

  ts.line(t('print.title'), left, y, width, { size: 18, weight: 'bold' });
  y += 26;
  ts.line(`${label('kind', v.kind)} · ${label('status', v.status)}`, left, y, width, { size: 12 });
  y += 18;
  ts.line(t('print.made', { at: instant(madeAt.toISOString())!, reader: readerName(reader) }), left, y, width, {
    size: 9,
    color: '#555555',
  });
  y += 16;

  heading(t('form.distribution'));
  row(t('col.caseNumber'), v.caseNumber);
  row(t('col.reference'), v.reference);
  row(t('col.status'), label('status', v.status));
  row(t('field.kind'), label('kind', v.kind));
  row(t('col.from'), fmt.country(v.requestingCountry));
  row(t('field.purposes'), list(v.purposes.map((p) => label('purpose', p))));
  row(t('col.submitted'), instant(v.createdAt));
  row(t('request.published'), instant(v.publishedAt));
  row(t('col.expires'), instant(v.expiresAt));
  row(t('field.urgency'), label('urgency', v.urgency));
  row(t('request.window'), v.responseDays !== null ? t('request.days', { n: v.responseDays }) : t('request.hours', { n: v.responseHours }));
  row(t('field.handlingCode'), label('handlingCode', v.handlingCode));
  row(t('field.language'), label('language', v.language));
  row(t('request.purged'), instant(v.purgedAt));

  heading(t('form.subject'));
  const s = v.subject;
  if (!s) row(t('form.subject'), t('request.purgedSubject'));
  else {
    row(t('field.familyName'), s.familyName);
    row(t('field.givenNames'), s.givenNames);
    row(t('field.dateOfBirth'), s.dateOfBirth ? fmt.date(s.dateOfBirth) : null);
    row(t('field.placeOfBirth'), s.placeOfBirth);
    row(t('field.sex'), s.sex ? label('sex', s.sex) : null);
    row(t('field.nationalities'), list(s.nationalities?.map((c) => fmt.country(c))));
    row(
      t('request.aliases'),
      s.aliases?.map((a) => [a.familyName, a.givenNames].filter(Boolean).join(', ')),
    );
    row(
      t('request.documents'),
      s.identityDocuments?.map((d) => `${label('documentType', d.type)} ${d.number} (${fmt.country(d.issuingCountry)})`),
    );
  }

  const o = v.offence as {
    category: string;
    description?: string;
    maxPenaltyYears: number;
    legalBasis: { type: string; reference?: string; authority?: string; date: string };
    assetLink?: string;
  };
  heading(t('form.offence'));
  row(t('field.offenceCategory'), label('offenceCategory', o.category));
  row(t('field.facts'), o.description);
  row(t('field.maxPenaltyYears'), fmt.number(o.maxPenaltyYears));
  row(t('field.legalBasis'), [label('legalBasis', o.legalBasis.type), ...(o.legalBasis.reference ? [o.legalBasis.reference] : [])]);
  row(t('field.authority'), o.legalBasis.authority);
  row(t('field.legalDate'), fmt.date(o.legalBasis.date));
  row(t('field.assetLink'), o.assetLink);

  heading(t('form.assetsSought'));
  (v.assetsSought as Asset[]).forEach((a, i) => {
    heading(t('form.assetN', { n: i + 1 }), 11);
    assetRows(a);
  });

  if (v.recipients.length) {
    heading(t('request.recipients', { n: v.recipients.length, answered: v.recipients.filter((r) => r.final).length }));
    for (const r of v.recipients)
      row(fmt.country(r.country), [
        `${label('recipientStatus', r.status)} · ${t('col.due')}: ${instant(r.dueAt)}`,
        ...(r.respondedAt ? [`${t('col.responded')}: ${instant(r.respondedAt)}`] : []),
        ...(r.delayReason ? [r.delayReason] : []),
      ]);
  }

  if (v.review) {
    heading(t('request.review'));
    row(t('request.flags'), v.review.flags.length ? list(v.review.flags.map((f) => label('flag', f))) : t('flags.none'));
    for (const d of v.review.decisions)
      row(label('decision', d.decision), [
        instant(d.at)!,
        ...(d.grounds.length ? [list(d.grounds.map((g) => label('ground', g)))!] : []),
        ...(d.reason ? [d.reason] : []),
      ]);
  }
  if (v.findings && v.publishedAt) {
    heading(t('request.findings'));
    row(
      t('field.assetCategory'),
      Object.entries(v.findings.byCategory).map(([c, n]) => `${label('assetCategory', c)}: ${fmt.number(n)}`),
    );
    row(
      t('field.amount'),
      Object.entries(v.findings.estimatedValue).map(([cur, amount]) => fmt.money(amount, cur)),
    );
  }
  if (v.closure) {
    heading(t('request.closure'));
    row(label('status', v.status), [instant(v.closure.at)!, ...(v.closure.reason ? [v.closure.reason] : [])]);
  }

  if (answers.length) {
    heading(t('request.answers'));
    for (const a of answers) {
      heading(`${fmt.country(a.country)} · ${label('outcome', a.outcome)} · ${t(a.final ? 'answer.final' : 'answer.interim')}`, 11);
      row(t('col.responded'), instant(a.createdAt.toISOString()));
      row(t('field.answerReason'), a.reason);
      row(t('field.handlingCode'), a.handlingCode ? label('handlingCode', a.handlingCode) : null);
      ((a.assets as Asset[] | null) ?? []).forEach((asset, i) => {
        heading(t('form.locatedN', { n: i + 1 }), 10);
        assetRows(asset);
      });
    }
  }

  // Every page carries what identifies the request and how it must be handled, so a page on its own still says so.
  const pages = doc.bufferedPageRange();
  const handling = `${t('field.handlingCode')}: ${label('handlingCode', v.handlingCode)}`;
  const ids = `${t('col.caseNumber')}: ${v.caseNumber} · ${t('col.reference')}: ${v.reference ?? '—'}`;
  for (let i = 0; i < pages.count; i++) {
    doc.switchToPage(pages.start + i);
    ts.line(ids, left, 30, width, { size: 9, weight: 'bold' });
    ts.line(handling, left, 44, width, { size: 9, weight: 'bold', color: '#a00000' });
    doc
      .moveTo(left, 62)
      .lineTo(left + width, 62)
      .lineWidth(0.5)
      .strokeColor('#999999')
      .stroke();
    doc
      .moveTo(left, A4.height - 50)
      .lineTo(left + width, A4.height - 50)
      .stroke();
    ts.line(`${v.caseNumber} · ${handling}`, left, A4.height - 44, width * 0.75, { size: 8 });
    const pageNo = t('print.page', { page: i + 1, pages: pages.count });
    const pageX = dir === 'rtl' ? left : left + width * 0.75;
    ts.line(pageNo, pageX, A4.height - 44, width * 0.25, { size: 8 });
  }
  doc.end();
  return ended;
}

function readerName(p: Principal): string {
  return [p.name, p.country ? `${p.role} ${p.country}` : p.role].join(', ');
}
