/**
 * Dates, countries, money and numbers as the signed-in person reads them: in their language and
 * their time zone, with the UTC instant at hand.
 */
import { DateTime } from 'luxon';
import { html, type Html } from './html';

const LOCALES: Record<string, string> = { en: 'en-GB', fr: 'fr-FR', es: 'es-ES', ar: 'ar' };
/** The locale a language's dates, numbers, plurals and lists follow. */
export const localeOf = (lang: string): string => LOCALES[lang] ?? 'en-GB';

const cache = new Map<string, unknown>();
function cached<T>(key: string, make: () => T): T {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as T;
}

/** Whether this is an IANA time zone the runtime knows. */
export function isTimeZone(zone: string): boolean {
  return zone.length <= 64 && DateTime.local().setZone(zone).isValid;
}

/** Every time zone, for a preference's choices. */
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

/** A wall-clock time typed in a form (`YYYY-MM-DDTHH:mm`) in `zone`, as an instant; undefined when it is not one. */
export function wallTimeToInstant(local: string, zone: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return undefined;
  const t = DateTime.fromISO(local, { zone });
  return t.isValid ? t.toUTC().toISO({ suppressMilliseconds: true })! : undefined;
}

export function formatter(lang: string, timeZone: string) {
  const locale = localeOf(lang);
  const dateTime = cached(
    `dt:${locale}:${timeZone}`,
    () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }),
  );
  const utc = cached(`utc:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }));
  const day = cached(`d:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }));
  const regions = cached(`r:${locale}`, () => new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' }));
  const number = cached(`n:${locale}`, () => new Intl.NumberFormat(locale));
  const relative = cached(`rel:${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));

  return {
    locale,
    timeZone,
    /** An instant in the reader's zone; its UTC form in the markup, and shown as well when `withUtc`. */
    instant(iso: string | null | undefined, withUtc = false): Html | string {
      if (!iso) return '—';
      const d = new Date(iso);
      const inUtc = `${utc.format(d)} UTC`;
      return html`<time datetime="${d.toISOString()}" title="${inUtc}">${dateTime.format(d)}</time
        >${withUtc ? html` <span class="utc"><bdi>(${inUtc})</bdi></span>` : ''}`;
    },
    /** A calendar date (YYYY-MM-DD), the same everywhere. */
    date(ymd: string | null | undefined): string {
      if (!ymd) return '—';
      const d = new Date(`${ymd}T00:00:00Z`);
      return Number.isNaN(d.getTime()) ? ymd : day.format(d);
    },
    /** How far an instant is from now, in words ("in 3 days", "2 hours ago"). */
    fromNow(iso: string, now = Date.now()): string {
      const seconds = (new Date(iso).getTime() - now) / 1000;
      const units: [Intl.RelativeTimeFormatUnit, number][] = [
        ['day', 86400],
        ['hour', 3600],
        ['minute', 60],
      ];
      for (const [unit, size] of units) if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
      return relative.format(Math.round(seconds), 'second');
    },
    country: (code: string | null | undefined) => (code ? (regions.of(code) ?? code) : '—'),
    number: (n: number) => number.format(n),
    money(amount: number, currency: string): string {
      try {
        return cached(`m:${locale}:${currency}`, () => new Intl.NumberFormat(locale, { style: 'currency', currency })).format(amount);
      } catch {
        return `${number.format(amount)} ${currency}`;
      }
    },
    /**
     * Items joined as this language joins them ("A, B and C", "A وB"), each isolated so a Latin
     * name's punctuation stays with it in a right-to-left sentence.
     */
    list(items: readonly (string | null | undefined)[]): Html | string {
      const kept = items.filter((i): i is string => !!i);
      if (!kept.length) return '—';
      const parts = cached(`l:${locale}`, () => new Intl.ListFormat(locale, { type: 'conjunction' })).formatToParts(kept);
      return html`${parts.map((p) => (p.type === 'element' ? html`<bdi>${p.value}</bdi>` : p.value))}`;
    },
    percent: (share: number) =>
      cached(`p:${locale}`, () => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 })).format(share),
  };
}
export type Formatter = ReturnType<typeof formatter>;
