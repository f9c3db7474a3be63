/**
 * The console in English, French, Spanish and Arabic (right to left). Each language has every key
 * of the English dictionaries: the type checker says which one is missing.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import type { FieldCode, RefusalCode } from '../../domain/codes';
import { LANGUAGES } from '../../domain/model';
import { localeOf } from '../format';
import { codes as arCodes } from './ar/codes';
import { codes as enCodes } from './en/codes';
import { codes as esCodes } from './es/codes';
import { codes as frCodes } from './fr/codes';
import { fields as arFields } from './ar/fields';
import { labels as arLabels } from './ar/labels';
import { messages as arMessages } from './ar/messages';
import { fields as enFields } from './en/fields';
import { labels as enLabels } from './en/labels';
import { messages as enMessages } from './en/messages';
import { fields as esFields } from './es/fields';
import { labels as esLabels } from './es/labels';
import { messages as esMessages } from './es/messages';
import { fields as frFields } from './fr/fields';
import { labels as frLabels } from './fr/labels';
import { messages as frMessages } from './fr/messages';
import { passkeys as arPasskeys } from './ar/passkeys';
import { passkeys as enPasskeys } from './en/passkeys';
import { passkeys as esPasskeys } from './es/passkeys';
import { passkeys as frPasskeys } from './fr/passkeys';
import { actionsWords as arActions } from './ar/actions';
import { actionsWords as enActions } from './en/actions';
import { actionsWords as esActions } from './es/actions';
import { actionsWords as frActions } from './fr/actions';
import { adminWords as arAdmin } from './ar/admin';
import { adminWords as enAdmin } from './en/admin';
import { adminWords as esAdmin } from './es/admin';
import { adminWords as frAdmin } from './fr/admin';
import { requestsWords as arRequests } from './ar/requests';
import { requestsWords as enRequests } from './en/requests';
import { requestsWords as esRequests } from './es/requests';
import { requestsWords as frRequests } from './fr/requests';
import { workWords as arWork } from './ar/work';
import { workWords as enWork } from './en/work';
import { workWords as esWork } from './es/work';
import { workWords as frWork } from './fr/work';
import { print as arPrint } from './ar/print';
import { print as enPrint } from './en/print';
import { print as esPrint } from './es/print';
import { print as frPrint } from './fr/print';

export { problemText, refusalText } from './problems';

/** Every refusal code and field code, in one language: the type checker says which one is missing. */
export interface Codes {
  refusal: Record<RefusalCode, string>;
  field: Record<FieldCode, string>;
}
const CODES: Record<Lang, Codes> = { en: enCodes, fr: frCodes, es: esCodes, ar: arCodes };
export const codesIn = (lang: Lang): Codes => CODES[lang];

export type Lang = (typeof LANGUAGES)[number];
export const LANGS: readonly { code: Lang; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'fr', name: 'Français' },
  { code: 'es', name: 'Español' },
  { code: 'ar', name: 'العربية' },
];
export const isLang = (s: string): s is Lang => (LANGUAGES as readonly string[]).includes(s);

const en = { ...enMessages, ...enActions, ...enAdmin, ...enRequests, ...enWork, ...enFields, ...enPasskeys, ...enPrint };
export type Key = keyof typeof en;
export type Messages = Record<keyof typeof enMessages, string>;
export type ActionWords = Record<keyof typeof enActions, string>;
export type AdminWords = Record<keyof typeof enAdmin, string>;
export type RequestWords = Record<keyof typeof enRequests, string>;
export type WorkWords = Record<keyof typeof enWork, string>;
export type Fields = Record<keyof typeof enFields, string>;
export type PasskeyWords = Record<keyof typeof enPasskeys, string>;
export type PrintWords = Record<keyof typeof enPrint, string>;
export type LabelGroup = keyof typeof enLabels;
export type Labels = { [G in LabelGroup]: Record<keyof (typeof enLabels)[G], string> };

const DICTIONARIES: Record<Lang, Record<Key, string>> = {
  en,
  fr: { ...frMessages, ...frActions, ...frAdmin, ...frRequests, ...frWork, ...frFields, ...frPasskeys, ...frPrint },
  es: { ...esMessages, ...esActions, ...esAdmin, ...esRequests, ...esWork, ...esFields, ...esPasskeys, ...esPrint },
  ar: { ...arMessages, ...arActions, ...arAdmin, ...arRequests, ...arWork, ...arFields, ...arPasskeys, ...arPrint },
};
const LABELS: Record<Lang, Labels> = { en: enLabels, fr: frLabels, es: esLabels, ar: arLabels };

export type Translate = (key: Key, params?: Record<string, string | number>) => string;

/**
 * Each message is ICU MessageFormat, so a count is pluralised by its language's rules (Arabic's six
 * forms among them) and `{n, number}` is written as the language writes numbers. Compiled once.
 */
const compiled = new Map<string, IntlMessageFormat>();
function message(lang: Lang, template: string): IntlMessageFormat {
  const id = `${lang}:${template}`;
  let m = compiled.get(id);
  if (!m) {
    // Messages hold no markup: a "<" is text, not a tag.
    m = new IntlMessageFormat(template, localeOf(lang), undefined, { ignoreTag: true });
    compiled.set(id, m);
  }
  return m;
}

/** One ICU message of this language (a code's words), with its values. */
export const formatMessage = (lang: Lang, template: string, params?: Record<string, string | number>): string =>
  String(message(lang, template).format(params));
export type Label = (group: LabelGroup, value: string) => string;

export function translator(lang: Lang): { t: Translate; label: Label; dir: 'ltr' | 'rtl' } {
  const words = DICTIONARIES[lang];
  const names = LABELS[lang];
  return {
    t: (key, params) => formatMessage(lang, words[key] ?? en[key] ?? key, params),
    label: (group, value) => {
      const named = (names[group] as Record<string, string>)[value];
      // An event that is a request's state (PUBLISHED, WITHDRAWN...) is named like the state.
      return named ?? (group === 'event' ? (names.status as Record<string, string>)[value] : undefined) ?? value;
    },
    dir: lang === 'ar' ? 'rtl' : 'ltr',
  };
}
