/** Building blocks of every schema: country and currency codes, text, dates, money, ids. */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { LINKABLE_IDENTIFIERS, type LinkableIdentifier } from '../../domain/assets';
import { isIsoCountry, isMemberCountry, MEMBER_CODES } from '../../domain/countries';
import { checkIdentifier, type CheckedIdentifier } from '../../domain/identifiers';

extendZodWithOpenApi(z);

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
/** Every code each rule accepts, listed in the OpenAPI document (as named components). */
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ISO_COUNTRIES = [...LETTERS].flatMap((a) => [...LETTERS].map((b) => a + b)).filter(isIsoCountry);

export const CountryCode = z
  .string()
  .refine(isMemberCountry, {
    message: 'must be the upper-case ISO 3166-1 alpha-2 code of an INTERPOL member country',
    params: { code: 'MEMBER_COUNTRY' },
  })
  .openapi('MemberCountryCode', {
    example: 'FR',
    description: 'ISO 3166-1 alpha-2, upper case; an INTERPOL member country',
    enum: [...MEMBER_CODES].sort(),
  });
export const AnyCountryCode = z
  .string()
  .refine(isIsoCountry, { message: 'must be an upper-case ISO 3166-1 alpha-2 country code', params: { code: 'COUNTRY_CODE' } })
  .openapi('CountryCode', { example: 'KP', description: 'ISO 3166-1 alpha-2, upper case; any country or territory', enum: ISO_COUNTRIES });
export const CurrencyCode = z
  .string()
  .refine((c) => /^[A-Z]{3}$/.test(c) && CURRENCIES.has(c), {
    message: 'must be an upper-case ISO 4217 currency code',
    params: { code: 'CURRENCY' },
  })
  .openapi('CurrencyCode', { example: 'EUR', enum: [...CURRENCIES].filter((c) => /^[A-Z]{3}$/.test(c)).sort() });

/** PostgreSQL stores neither NUL characters nor unpaired UTF-16 surrogates (in text or jsonb). */
export const storable = (s: string) => !s.includes('\u0000') && s.isWellFormed();
export const STORABLE = { message: 'must not contain NUL characters or unpaired surrogates', params: { code: 'FORMAT' } };
/**
 * The same rules as JSON Schema patterns, for the OpenAPI document: no NUL, and (for text, which is
 * trimmed) at least one character that trim() keeps. ECMAScript's trim() set, spelled out, since
 * `\s` means other things to other regex engines (a fuzzer's, say).
 */
const TRIMMED = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
export const NO_NUL_PATTERN = '^[^\\u0000]*$';
const TEXT_PATTERN = `^[^\\u0000]*[^\\u0000${TRIMMED}][^\\u0000]*$`;
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine(storable, STORABLE)
    .openapi({ pattern: TEXT_PATTERN });
export const isoDate = z.iso.date({ message: 'must be a date as YYYY-MM-DD' }).openapi({ example: '2024-11-05' });
export const Money = z
  .strictObject({
    amount: z.number().finite().nonnegative('must not be negative').max(1e15, 'is implausibly large'),
    currency: CurrencyCode,
  })
  .openapi('Money');
const IDENTIFIER_MAX = 500;
const IdentifierValue = z.string().max(IDENTIFIER_MAX).refine(storable, STORABLE).openapi({ pattern: NO_NUL_PATTERN });
/** What each checked type's standard checks, for the document (the checks are domain/identifiers.ts). */
const CHECKED: Record<CheckedIdentifier, { description: string; example: string }> = {
  iban: { description: "ISO 13616: the country's length and mod 97; spaces allowed", example: 'DE89 3704 0044 0532 0130 00' },
  imo: { description: 'IMO ship number: 7 digits with the check digit; an `IMO ` prefix allowed', example: 'IMO 9074729' },
  lei: { description: 'ISO 17442 legal entity identifier: mod 97', example: '506700GE1G29325QX363' },
  bic: { description: 'ISO 9362 BIC: 8 or 11 characters with a known country', example: 'DEUTDEFF' },
  walletAddress: {
    description:
      'Bitcoin (`1`, `3`: base58check; `bc1`: bech32 for witness version 0, bech32m above) and `0x` + 40 hex digits ' +
      '(EIP-55 when in mixed case) are checked; other chains are taken as written',
    example: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  },
  vin: { description: 'ISO 3779 vehicle identification number: 17 characters, none of I, O and Q', example: 'WVWZZZ1JZXW000001' },
};
/** A value of a checked type: a wrong one is a field error with `CHECKSUM`, or `FORMAT` when not even shaped like one. */
const checkedValue = (type: CheckedIdentifier) =>
  IdentifierValue.superRefine((value, ctx) => {
    if (value.length > IDENTIFIER_MAX || !storable(value)) return; // said already, once
    const checked = checkIdentifier(type, value);
    if (checked && !checked.ok) ctx.addIssue({ code: 'custom', message: checked.message, params: { code: checked.code } });
  }).openapi(CHECKED[type]);
/** An asset's identifiers, each of a listed type: any other key (`__proto__` included) is a field error at its own path. */
export const Identifiers = z
  .strictObject(
    Object.fromEntries(
      LINKABLE_IDENTIFIERS.map((type) => [type, (type in CHECKED ? checkedValue(type as CheckedIdentifier) : IdentifierValue).optional()]),
    ) as Record<LinkableIdentifier, z.ZodOptional<typeof IdentifierValue>>,
  )
  .openapi({
    description: 'Checked where a standard defines a check: a wrong one is 400 with `CHECKSUM` (or `FORMAT`) at its path',
    example: { iban: 'IT60X0542811101000000123456' },
  });
export const uniqueList = <T extends z.ZodTypeAny>(item: T, max: number) =>
  z
    .array(item)
    .max(max, `must have at most ${max} entries`)
    .refine((a) => new Set(a as unknown[]).size === a.length, { message: 'must not repeat an entry', params: { code: 'REPEATED' } })
    .openapi({ uniqueItems: true });

/** A UUID in any letter case, answered in lower case (the form ids are stored and run under). */
export const uuid = (what: string) =>
  z
    .uuid({ message: `must be ${what} (UUID)` })
    .transform((s) => s.toLowerCase())
    .openapi({ format: 'uuid' });
export const IdParam = z.strictObject({ id: uuid('a request id') });
export const AmendmentIdParam = z.strictObject({ id: uuid('a request id'), aid: uuid('an amendment id') });
export const KeyIdParam = z.strictObject({ id: uuid('a key id') });
export const UserIdParam = z.strictObject({ id: uuid('a user id') });

/** A page of a list: how many, and from where (the `nextCursor` of the previous page). */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: cursorParam(200),
};

/** A page cursor: a position and its signature, only as the server gave it out (anything else is 400). */
export function cursorParam(max: number) {
  return z.string().max(max).optional().openapi({
    description: 'The `nextCursor` of the previous page, as given: the server signs its cursors and refuses any other (400)',
    pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{22}$',
  });
}
