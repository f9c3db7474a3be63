/**
 * Every request and response shape of the API, as zod schemas. The same schemas validate requests
 * and generate /openapi.json, so the documentation cannot drift from what is enforced.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { isMemberCountry } from '../domain/countries';
import * as M from '../domain/model';

extendZodWithOpenApi(z);

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const CountryCode = z
  .string()
  .refine(isMemberCountry, { message: 'must be the upper-case ISO 3166-1 alpha-2 code of an INTERPOL member country' })
  .openapi({ example: 'FR', description: 'ISO 3166-1 alpha-2, upper case; an INTERPOL member country' });

/**
 * Any country or territory, member or not: a suspect may hold a North Korean passport or a flat in
 * Tuvalu. ICU names every assigned ISO 3166-1 code (and echoes an unknown one back); the few
 * groupings it also names (EU, UN, ...) are not countries.
 */
const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);
export function isIsoCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && !NOT_COUNTRIES.has(code) && REGION_NAMES.of(code) !== code;
}
export const AnyCountryCode = z
  .string()
  .refine(isIsoCountry, { message: 'must be an upper-case ISO 3166-1 alpha-2 country code' })
  .openapi({ example: 'KP', description: 'ISO 3166-1 alpha-2, upper case; any country or territory' });
export const CurrencyCode = z
  .string()
  .refine((c) => /^[A-Z]{3}$/.test(c) && CURRENCIES.has(c), { message: 'must be an upper-case ISO 4217 currency code' })
  .openapi({ example: 'EUR' });
/** PostgreSQL stores neither NUL characters nor unpaired UTF-16 surrogates (in text or jsonb). */
const storable = (s: string) => !s.includes('\u0000') && s.isWellFormed();
const STORABLE = { message: 'must not contain NUL characters or unpaired surrogates' };
const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`).refine(storable, STORABLE);
const isoDate = z.iso.date({ message: 'must be a date as YYYY-MM-DD' }).openapi({ example: '2024-11-05' });
export const Money = z
  .strictObject({
    amount: z.number().finite().nonnegative('must not be negative').max(1e15, 'is implausibly large'),
    currency: CurrencyCode,
  })
  .openapi('Money');
const Identifiers = z
  .record(z.string().max(64).refine(storable, STORABLE), z.string().max(500).refine(storable, STORABLE))
  .refine((r) => Object.keys(r).length <= 20, { message: 'at most 20 identifiers' })
  .openapi({ example: { iban: 'IT60X0542811101000000123456' } });
const uniqueList = <T extends z.ZodTypeAny>(item: T, max: number) =>
  z
    .array(item)
    .max(max, `must have at most ${max} entries`)
    .refine((a) => new Set(a as unknown[]).size === a.length, { message: 'must not repeat an entry' });

export const Subject = z
  .strictObject({
    familyName: text(200),
    givenNames: text(200).optional(),
    dateOfBirth: isoDate.optional(),
    placeOfBirth: text(200).optional(),
    sex: z.enum(M.SEXES).optional(),
    nationalities: uniqueList(AnyCountryCode, 10).optional(),
    aliases: z
      .array(z.strictObject({ familyName: text(200), givenNames: text(200).optional() }))
      .max(50)
      .optional(),
    identityDocuments: z
      .array(z.strictObject({ type: z.enum(M.DOCUMENT_TYPES), number: text(100), issuingCountry: AnyCountryCode }))
      .max(20)
      .optional(),
  })
  .refine((s) => s.dateOfBirth !== undefined || (s.identityDocuments?.length ?? 0) > 0, {
    message: 'a date of birth or an identity document is required',
    path: ['dateOfBirth'],
  })
  .openapi('Subject');

export const Offence = z
  .strictObject({
    category: z.enum(M.OFFENCE_CATEGORIES),
    description: text(10_000),
    maxPenaltyYears: z.number().int('must be a whole number of years').min(4, 'must be at least 4 (serious offences only)').max(999),
    legalBasis: z.strictObject({
      type: z.enum(M.LEGAL_BASIS_TYPES),
      reference: text(200),
      authority: text(300),
      date: isoDate,
    }),
    assetLink: text(5_000),
  })
  .openapi('Offence');

export const AssetSought = z
  .strictObject({
    category: z.enum(M.ASSET_CATEGORIES),
    description: text(2_000),
    identifiers: Identifiers.optional(),
    estimatedValue: Money.optional(),
  })
  .openapi('AssetSought');

/** The request fields a clarification may change, each with its submission rule. */
const requestFields = {
  recipients: uniqueList(CountryCode, 195).min(1, 'must name at least one country').optional(),
  purposes: uniqueList(z.enum(M.PURPOSES), 4).min(1, 'must name at least one purpose'),
  subject: Subject,
  offence: Offence,
  assetsSought: z.array(AssetSought).min(1, 'must list at least one asset').max(100, 'must have at most 100 entries'),
  handlingCode: z.enum(M.HANDLING_CODES).default('H0'),
  urgency: z.enum(M.URGENCIES).default('NORMAL'),
  responseDays: z.number().int('must be a whole number of days').min(1).max(365).optional(),
  language: z.enum(M.LANGUAGES).default('en'),
};

export const NoticeRequest = z
  .strictObject({ kind: z.enum(M.KINDS), ...requestFields })
  .superRefine((r, ctx) => {
    if (r.kind === 'NOTICE' && r.recipients !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'must be omitted for a NOTICE, which goes to every member country' });
    }
    if (r.kind === 'DIFFUSION' && r.recipients === undefined) {
      ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'a DIFFUSION must name at least one recipient country' });
    }
  })
  .transform((r) => ({ ...r, responseDays: r.responseDays ?? (r.urgency === 'URGENT' ? 7 : 30) }))
  .openapi('NoticeRequest');
export type NoticeRequest = z.output<typeof NoticeRequest>;

export const ClarificationRequest = z
  .strictObject({
    message: text(10_000),
    changes: z
      // Without the submission defaults: a field left out of `changes` stays as it is.
      .strictObject(
        Object.fromEntries(
          Object.entries(requestFields).map(([k, v]) => [k, (v instanceof z.ZodDefault ? v.unwrap() : (v as z.ZodTypeAny)).optional()]),
        ) as {
          [K in keyof typeof requestFields]: z.ZodOptional<(typeof requestFields)[K]>;
        },
      )
      .optional(),
  })
  .openapi('ClarificationRequest');

export const DecisionRequest = z
  .strictObject({
    decision: z.enum(M.DECISIONS),
    reason: text(10_000).optional(),
    grounds: uniqueList(z.enum(M.GROUNDS), M.GROUNDS.length).optional(),
  })
  .refine((d) => d.decision === 'APPROVE' || d.reason !== undefined, {
    message: 'a reason is required to reject or to ask for clarification',
    path: ['reason'],
  })
  .openapi('DecisionRequest');

export const WithdrawalRequest = z.strictObject({ reason: text(10_000) }).openapi('WithdrawalRequest');
export const CancellationRequest = z
  .strictObject({ reason: text(10_000), grounds: uniqueList(z.enum(M.GROUNDS), M.GROUNDS.length).optional() })
  .openapi('CancellationRequest');

export const LocatedAsset = z
  .strictObject({
    category: z.enum(M.ASSET_CATEGORIES),
    description: text(2_000),
    identifiers: Identifiers.optional(),
    location: z.strictObject({ country: AnyCountryCode, address: text(500).optional() }),
    estimatedValue: Money.optional(),
    holder: text(300).optional(),
    measures: z.enum(M.MEASURES).optional(),
    source: z
      .strictObject({
        register: text(300),
        reliability: z.enum(M.RELIABILITY),
        accuracy: z.number().int().min(1).max(4),
      })
      .optional(),
  })
  .openapi('LocatedAsset');

export const ResponseRequest = z
  .strictObject({
    outcome: z.enum(M.OUTCOMES),
    final: z.boolean().default(true),
    reason: text(10_000).optional(),
    handlingCode: z.enum(M.HANDLING_CODES).default('H0'),
    assets: z.array(LocatedAsset).max(500, 'must have at most 500 entries').optional(),
  })
  .superRefine((r, ctx) => {
    const n = r.assets?.length ?? 0;
    if (r.outcome === 'ASSETS_LOCATED' && n === 0) {
      ctx.addIssue({ code: 'custom', path: ['assets'], message: 'ASSETS_LOCATED needs at least one asset' });
    }
    if (r.outcome !== 'ASSETS_LOCATED' && n > 0) {
      ctx.addIssue({ code: 'custom', path: ['assets'], message: `must be empty when the outcome is ${r.outcome}` });
    }
    if (r.outcome === 'UNABLE_TO_ASSIST' && r.reason === undefined) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'UNABLE_TO_ASSIST needs a reason' });
    }
  })
  .openapi('ResponseRequest');

// --- administration

export const ApiKeyRequest = z
  .strictObject({
    role: z.enum(M.ROLES),
    country: CountryCode.optional(),
    label: text(200).optional(),
  })
  .superRefine((k, ctx) => {
    if (k.role === 'NCB' && k.country === undefined)
      ctx.addIssue({ code: 'custom', path: ['country'], message: 'an NCB key needs its country' });
    if (k.role !== 'NCB' && k.country !== undefined)
      ctx.addIssue({ code: 'custom', path: ['country'], message: `a ${k.role} key has no country` });
  })
  .openapi('ApiKeyRequest');

export const ApiKey = z
  .object({
    id: z.uuid(),
    role: z.enum(M.ROLES),
    country: z.string().nullable(),
    label: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('ApiKey');
export const CreatedApiKey = ApiKey.extend({ key: z.string().openapi({ description: 'The secret; shown only once' }) }).openapi(
  'CreatedApiKey',
);

export const PilotRequest = z
  .strictObject({
    participants: uniqueList(CountryCode, 196).min(1, 'must name at least one participant'),
    quotaTotal: z.number().int().min(0).max(1_000_000),
    recipientsLimitedToParticipants: z.boolean(),
  })
  .openapi('PilotRequest');
export const Pilot = z
  .object({
    participants: z.array(z.string()),
    quotaTotal: z.number().int(),
    quotaPerParticipant: z.number().int(),
    recipientsLimitedToParticipants: z.boolean(),
    usage: z.record(z.string(), z.number().int()),
  })
  .openapi('Pilot');

export const Countries = z
  .object({ items: z.array(z.object({ code: z.string(), name: z.string(), participant: z.boolean() })) })
  .openapi('Countries');

// --- reading

const Recipient = z.object({
  country: z.string(),
  status: z.enum(M.RECIPIENT_STATUSES),
  dueAt: z.string(),
  respondedAt: z.string().nullable(),
});
const DecisionView = z.object({
  decision: z.enum(M.DECISIONS),
  reason: z.string().nullable(),
  grounds: z.array(z.enum(M.GROUNDS)),
  at: z.string(),
});
export const NoticeView = z
  .object({
    id: z.uuid(),
    reference: z.string().nullable(),
    kind: z.enum(M.KINDS),
    status: z.enum(M.STATUSES),
    requestingCountry: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    publishedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    purposes: z.array(z.enum(M.PURPOSES)),
    subject: Subject,
    offence: Offence,
    assetsSought: z.array(AssetSought),
    handlingCode: z.enum(M.HANDLING_CODES),
    urgency: z.enum(M.URGENCIES),
    language: z.enum(M.LANGUAGES),
    responseDays: z.number().int(),
    recipients: z.array(Recipient),
    review: z.object({ flags: z.array(z.string()), decisions: z.array(DecisionView) }).optional(),
    findings: z
      .object({
        assetsLocated: z.number().int(),
        byCategory: z.record(z.string(), z.number().int()),
        estimatedValue: z.record(z.string(), z.number()),
      })
      .optional(),
  })
  .openapi('NoticeView', { description: 'A recipient NCB gets this without review and findings, and with its own recipient entry only.' });

export const NoticeList = z.object({ items: z.array(NoticeView), nextCursor: z.string().nullable() }).openapi('NoticeList');
export const NoticeListQuery = z.strictObject({
  status: z.enum(M.STATUSES).optional(),
  kind: z.enum(M.KINDS).optional(),
  as: z.enum(['REQUESTER', 'RECIPIENT']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const ResponseView = z
  .object({
    id: z.uuid(),
    country: z.string(),
    outcome: z.enum(M.OUTCOMES),
    final: z.boolean(),
    reason: z.string().nullable(),
    assets: z.array(LocatedAsset),
    handlingCode: z.enum(M.HANDLING_CODES),
    createdAt: z.string(),
    late: z.boolean(),
  })
  .openapi('ResponseView');
export const ResponseList = z.object({ items: z.array(ResponseView) }).openapi('ResponseList');

export const EventList = z
  .object({
    items: z.array(
      z.object({
        at: z.string(),
        type: z.string(),
        actor: z.object({ role: z.string(), country: z.string().optional(), keyId: z.string().optional() }),
        data: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .openapi('EventList');

export const NotificationsQuery = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,18}$/, 'must be a notification id')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const NotificationList = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        type: z.enum(M.NOTIFICATION_TYPES),
        noticeId: z.uuid(),
        reference: z.string().nullable(),
        at: z.string(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .openapi('NotificationList');

export const PilotReport = z
  .object({
    generatedAt: z.string(),
    requests: z.object({
      total: z.number().int(),
      byStatus: z.record(z.string(), z.number().int()),
      byKind: z.record(z.string(), z.number().int()),
      byRequestingCountry: z.record(z.string(), z.number().int()),
    }),
    quota: z.object({
      quotaTotal: z.number().int(),
      quotaPerParticipant: z.number().int(),
      used: z.number().int(),
      usage: z.record(z.string(), z.number().int()),
    }),
    review: z.object({ decided: z.number().int(), medianReviewSeconds: z.number().nullable() }),
    responses: z.object({
      recipients: z.number().int(),
      answered: z.number().int(),
      responseRate: z.number().nullable(),
      overdue: z.number().int(),
      lateAnswers: z.number().int(),
    }),
    assets: z.object({
      located: z.number().int(),
      byCategory: z.record(z.string(), z.number().int()),
      estimatedValue: z.record(z.string(), z.number()),
    }),
  })
  .openapi('PilotReport');

export const IdParam = z.strictObject({ id: z.uuid({ message: 'must be a request id (UUID)' }) });
export const KeyIdParam = z.strictObject({ id: z.uuid({ message: 'must be a key id (UUID)' }) });
