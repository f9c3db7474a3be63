/** The console's pure parts: escaping, the reader's time, refusals by their codes in four languages, forms to bodies. */
import { NoticeRequest } from '../../api/schemas/requests';
import { makeCtx } from '../../console/context';
import { wallTimeToInstant, isTimeZone } from '../../console/format';
import { FormErrors, FormRenderer } from '../../console/forms';
import { html, trusted } from '../../console/html';
import { LANGS, problemText, refusalText } from '../../console/i18n';
import { FIELD_CODES, REFUSAL_CODES, type FieldCode, type RefusalCode } from '../../domain/codes';
import { NOTIFICATION_TYPES } from '../../domain/model';
import { answerFromForm } from '../../console/pages/answer-form';
import { formFromRequest, requestFromForm } from '../../console/pages/request-form';
import { localPath } from '../../console/session';
import { SESSION_IDLE_MS, SESSION_MAX_MS, sessionEnd } from '../../domain/time';
import { sampleRequest } from '../support/system';

const ctx = (lang: 'en' | 'fr' | 'es' | 'ar' = 'en') => makeCtx({ lang, timeZone: 'UTC', csrfToken: 't', path: '/' });

test('interpolated text is escaped; only markup built here passes as it is', () => {
  const name = `<img src=x onerror="alert(1)">&'`;
  expect(html`<p title="${name}">${name}</p>`.value).toBe(
    '<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;</p>',
  );
  expect(html`<p>${[trusted('<b>a</b>'), 'b<', null, false, 3]}</p>`.value).toBe('<p><b>a</b>b&lt;3</p>');
});

test('a wall time in a time zone is one instant, across daylight saving changes', () => {
  expect(wallTimeToInstant('2026-07-01T09:00', 'Europe/Paris')).toBe('2026-07-01T07:00:00Z');
  expect(wallTimeToInstant('2026-12-01T09:00', 'Europe/Paris')).toBe('2026-12-01T08:00:00Z');
  expect(wallTimeToInstant('2026-03-08T12:30', 'America/New_York')).toBe('2026-03-08T16:30:00Z');
  expect(wallTimeToInstant('tomorrow', 'UTC')).toBeUndefined();
  expect(wallTimeToInstant('2026-13-45T99:00', 'UTC')).toBeUndefined();
  expect(isTimeZone('Asia/Tokyo')).toBe(true);
  expect(isTimeZone('Mars/Olympus')).toBe(false);
});

test('a session ends after half an hour without use, and twelve hours after it opened in any case', () => {
  const opened = Date.UTC(2026, 0, 1, 8);
  expect(sessionEnd(opened, opened)).toBe(opened + SESSION_IDLE_MS);
  expect(sessionEnd(opened, opened + 3600_000)).toBe(opened + 3600_000 + SESSION_IDLE_MS);
  expect(sessionEnd(opened, opened + SESSION_MAX_MS - 60_000)).toBe(opened + SESSION_MAX_MS);
});

test('after signing in, only a path of the console itself', () => {
  expect(localPath('/requests/abc?x=1')).toBe('/requests/abc?x=1');
  for (const elsewhere of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/a b', undefined, ['/x']]) {
    expect(localPath(elsewhere)).toBeUndefined();
  }
});

test('every refusal code and field code has its words in each language, and English sentences are never matched', () => {
  for (const { code: lang } of LANGS) {
    const c = ctx(lang);
    for (const code of Object.keys(REFUSAL_CODES) as RefusalCode[]) expect(refusalText(c, code).length).toBeGreaterThan(0);
    for (const code of Object.keys(FIELD_CODES) as FieldCode[]) {
      expect(problemText(c, { path: 'x', message: 'untranslated', code, limit: 7 })).not.toMatch(/untranslated|\{n\}/);
    }
  }
  expect(
    problemText(ctx('fr'), { path: 'reason', message: 'Too big: expected string to have <=200 characters', code: 'TOO_LONG', limit: 200 }),
  ).toBe('doit comporter au plus 200 caractères');
  expect(refusalText(ctx('es'), 'REQUEST_FINAL')).toMatch(/^La solicitud ha terminado/);
  // A problem without a code (none is made so) would be shown as the API wrote it.
  expect(problemText(ctx('ar'), { path: 'x', message: 'an unknown rule' })).toBe('an unknown rule');
  // The same English sentence with another code says what the code says.
  expect(problemText(ctx('en'), { path: 'x', message: 'must be in the future', code: 'REQUIRED' })).toBe('is required');
});

/** The events the records write on a request, as its history shows them (READ apart, which is listed on its own). */
const REQUEST_EVENTS = [
  ...['SUBMITTED', 'SCREENED', 'DECISION', 'CLARIFICATION', 'PUBLISHED', 'ACKNOWLEDGED', 'DELAYED', 'RESPONSE', 'REMINDERS_SENT'],
  ...['OVERDUE', 'BLOCKED', 'BLOCKING_DECIDED', 'RENEWAL_REQUESTED', 'RENEWAL_DECIDED', 'REASSESSMENT_DUE', 'LINK_DETECTED'],
  ...['AMENDMENT_SUBMITTED', 'AMENDMENT_APPROVAL', 'AMENDMENT_DECIDED', 'AMENDED', 'EXTENDED', 'ATTACHED', 'ATTACHMENT_DOWNLOADED'],
  ...['CLAIMED', 'CLAIM_RELEASED', 'CLAIM_TAKEN_OVER', 'MESSAGE', 'DELETION_CONFIRMED', 'DELETION_REMINDED', 'OUTCOME_RECORDED', 'PURGED'],
  ...['COMPLETED', 'WITHDRAWN', 'CANCELLED', 'EXPIRED', 'LAPSED'],
];

test('every notification type and every event of a request’s history has its name in each language, never its code', () => {
  for (const { code: lang } of LANGS) {
    const c = ctx(lang);
    const unnamed = [...NOTIFICATION_TYPES, ...REQUEST_EVENTS].filter((type) => c.label('event', type) === type);
    expect({ lang, unnamed }).toEqual({ lang, unnamed: [] });
  }
});

test('a request filled into the form comes back as the same body, and the API’s schema takes it', () => {
  const request = NoticeRequest.parse(sampleRequest({ kind: 'DIFFUSION', recipients: ['FR', 'ES'] }));
  const view = { ...request, requestedRecipients: request.recipients, recipients: [] } as never;
  const body = requestFromForm({ ...formFromRequest(view), kind: 'DIFFUSION' }, true);
  expect(NoticeRequest.parse(body)).toEqual(request);
});

test('an answer’s rows become assets; empty rows are left out, the reader’s country alone does not make a row', () => {
  const body = answerFromForm({
    outcome: 'ASSETS_LOCATED',
    final: 'INTERIM',
    '_rows.assets': '3',
    'assets.0.category': 'VESSEL',
    'assets.0.description': 'Yacht',
    'assets.0.location.country': 'fr',
    'assets.0.source.reliability': 'A',
    'assets.0.source.accuracy': '2',
    'assets.1.location.country': 'FR',
    'assets.2.category': 'CASH',
    'assets.2.description': 'Safe',
    'assets.2.location.country': 'FR',
    'assets.2.estimatedValue.amount': 'lots',
    'assets.2.estimatedValue.currency': 'eur',
  });
  expect(body).toEqual({
    outcome: 'ASSETS_LOCATED',
    final: false,
    assets: [
      { category: 'VESSEL', description: 'Yacht', source: { reliability: 'A', accuracy: 2 }, location: { country: 'FR' } },
      { category: 'CASH', description: 'Safe', estimatedValue: { amount: 'lots', currency: 'EUR' }, location: { country: 'FR' } },
    ],
  });
});

test('a field claims the problems at its path and below; the rest go to the summary alone', () => {
  const c = ctx();
  const f = new FormRenderer(
    c,
    {},
    new FormErrors([
      { path: 'subject.familyName', code: 'REQUIRED', message: 'must not be empty' },
      {
        path: 'recipients.3',
        code: 'MEMBER_COUNTRY',
        message: 'must be the upper-case ISO 3166-1 alpha-2 code of an INTERPOL member country',
      },
      { path: 'offence', code: 'REQUIRED', message: 'Invalid input: expected object, received undefined' },
    ]),
  );
  expect(f.input({ name: 'subject.familyName', label: 'Family name' }).value).toContain(
    '<p class="error" id="f-subject-familyName-error"><span>is required</span>',
  );
  expect(f.multiSelect({ name: 'recipients', label: 'Recipients', options: [] }).value).toContain(
    'must be the code of an INTERPOL member country',
  );
  const summary = String(f.summary());
  expect(summary).toContain('<a href="#f-subject-familyName">Family name: is required</a>');
  expect(summary).toContain('<li>offence: is required</li>');
});

test('counts follow each language’s plural forms (Arabic’s six among them) and lists its conjunction', () => {
  const days = (lang: 'en' | 'ar', n: number) => ctx(lang).t('request.days', { n });
  expect([1, 2, 30].map((n) => days('en', n))).toEqual(['1 day', '2 days', '30 days']);
  // zero, one, two, few (3–10), many (11–99), other (100–102…): six different words in Arabic.
  const arabic = [0, 1, 2, 3, 11, 100].map((n) => days('ar', n));
  expect(new Set(arabic).size).toBe(6);
  expect(arabic.slice(1, 3)).toEqual(['يوم واحد', 'يومان']);
  expect(ctx('en').t('admin.quotaEach', { n: 1, total: 12000 })).toBe('Each participant may submit 1 request (12,000 in all).');
  expect(problemText(ctx('en'), { path: 'x', message: 'too long', code: 'TOO_LONG', limit: 1 })).toBe('must be at most 1 character');
  expect(problemText(ctx('fr'), { path: 'x', message: 'too long', code: 'TOO_LONG', limit: 200 })).toBe(
    'doit comporter au plus 200 caractères',
  );
  expect(problemText(ctx('ar'), { path: 'x', message: 'too far', code: 'TOO_FAR', limit: 2 })).toBe('يجب ألا يتجاوز يومين من الآن');
  // Words that need a limit, without one: the API's message rather than a hole.
  expect(problemText(ctx('en'), { path: 'x', message: 'too long', code: 'TOO_LONG' })).toBe('too long');

  expect(String(ctx('en').fmt.list(['France', 'Spain', 'Italy']))).toBe('<bdi>France</bdi>, <bdi>Spain</bdi> and <bdi>Italy</bdi>');
  const ar = String(ctx('ar').fmt.list(['فرنسا', 'RUSSO, M.']));
  expect(ar).toBe('<bdi>فرنسا</bdi> و<bdi>RUSSO, M.</bdi>');
  expect(String(ctx('ar').fmt.list([]))).toBe('—');
});
