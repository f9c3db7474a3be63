/**
 * What callers send about a request: the submission, the review actions and the answers. The request
 * fields follow the one list in domain/request.ts; the clarification's changes are the same fields,
 * each optional.
 */
import { z } from 'zod';
import * as M from '../../domain/model';
import { kindProblems, windowProblems, type RequestContent, type RequestField } from '../../domain/request';
import { defaultResponseDays } from '../../domain/time';
import { AnyCountryCode, CountryCode, Identifiers, Money, isoDate, text, uniqueList } from './common';

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
    params: { code: 'DOB_OR_DOCUMENT' },
    path: ['dateOfBirth'],
  })
  .openapi('Subject', {
    description: 'A date of birth or at least one identity document is required.',
    anyOf: [{ required: ['dateOfBirth'] }, { required: ['identityDocuments'], properties: { identityDocuments: { minItems: 1 } } }],
  });

export const Offence = z
  .strictObject({
    category: z.enum(M.OFFENCE_CATEGORIES),
    description: text(10_000),
    maxPenaltyYears: z
      .number()
      .int('must be a whole number of years')
      .max(999)
      // A rule of the domain, not a bare minimum: said with its own code (zod's min carries none).
      .superRefine((years, ctx) => {
        if (years < 4)
          ctx.addIssue({ code: 'custom', message: 'must be at least 4 (serious offences only)', params: { code: 'NOT_SERIOUS' } });
      })
      .openapi({ minimum: 4 }),
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

/** Each request field with its rule (defaults applied at submission only). */
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
} satisfies Record<RequestField, z.ZodTypeAny>;

export const NoticeRequest = z
  .strictObject({ kind: z.enum(M.KINDS), ...requestFields })
  .superRefine((r, ctx) => {
    for (const p of [...kindProblems(r), ...windowProblems(r)])
      ctx.addIssue({ code: 'custom', path: [p.path], message: p.message, params: { code: p.code } });
  })
  .transform((r): RequestContent => ({ ...r, responseDays: r.responseDays ?? defaultResponseDays(r.urgency) }))
  .openapi('NoticeRequest', {
    description:
      'A NOTICE goes to every member country but the requester and omits `recipients`; a DIFFUSION names them (never the ' +
      'requester, and only pilot participants when the pilot limits recipients to them). Answer window: `responseDays` ' +
      '(default 30) for a NORMAL request; 3 days for URGENT and 8 hours for URGENT_DIRECT, which omit `responseDays`.',
    // The rules across fields (domain/request.ts kindProblems and windowProblems), for the document.
    allOf: [
      {
        oneOf: [
          { properties: { kind: { const: 'NOTICE' } }, not: { required: ['recipients'] } },
          { properties: { kind: { const: 'DIFFUSION' } }, required: ['recipients'] },
        ],
      },
      { anyOf: [{ not: { required: ['responseDays'] } }, { properties: { urgency: { const: 'NORMAL' } } }] },
    ],
  });
export type NoticeRequest = z.output<typeof NoticeRequest>;

export const ClarificationRequest = z
  .strictObject({
    message: text(10_000),
    changes: z
      // Without the submission defaults: a field left out of `changes` stays as it is.
      .strictObject(
        Object.fromEntries(
          Object.entries(requestFields).map(([k, v]) => [k, (v instanceof z.ZodDefault ? v.unwrap() : (v as z.ZodTypeAny)).optional()]),
        ) as { [K in RequestField]: z.ZodOptional<(typeof requestFields)[K]> },
      )
      .openapi({
        description: 'Fields to change, each as at submission; an urgent request keeps its fixed answer window (no `responseDays`).',
        anyOf: [
          { not: { required: ['responseDays'] } },
          { not: { required: ['urgency'] } },
          { properties: { urgency: { const: 'NORMAL' } } },
        ],
      })
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
    params: { code: 'REASON_NEEDED' },
    path: ['reason'],
  })
  .openapi('DecisionRequest', {
    description: '`reason` is required but for APPROVE.',
    anyOf: [{ properties: { decision: { const: 'APPROVE' } } }, { required: ['reason'] }],
  });

export const ClaimRequest = z
  .strictObject({
    takeOver: z.boolean().optional().openapi({ description: 'Take the claim from the reviewer who holds it (audited; they are told)' }),
    reason: text(2_000).optional().openapi({ description: 'Why the claim is taken over: required with `takeOver`' }),
  })
  .refine((c) => c.takeOver !== true || c.reason !== undefined, {
    message: 'a reason is required to take a claim over',
    params: { code: 'REASON_NEEDED' },
    path: ['reason'],
  })
  .optional()
  .openapi('ClaimRequest');
/** What an action without a body (a DELETE) parses: nothing. */
export const NoBody = z.undefined();

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
      ctx.addIssue({
        code: 'custom',
        path: ['assets'],
        message: 'ASSETS_LOCATED needs at least one asset',
        params: { code: 'ASSETS_NEEDED' },
      });
    }
    if (r.outcome !== 'ASSETS_LOCATED' && n > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['assets'],
        message: `must be empty when the outcome is ${r.outcome}`,
        params: { code: 'NO_ASSETS' },
      });
    }
    if (r.outcome === 'UNABLE_TO_ASSIST' && r.reason === undefined) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'UNABLE_TO_ASSIST needs a reason', params: { code: 'REASON_NEEDED' } });
    }
  })
  .openapi('ResponseRequest', {
    description: '`assets`: at least one exactly when ASSETS_LOCATED; `reason` required for UNABLE_TO_ASSIST.',
    oneOf: [
      { properties: { outcome: { const: 'ASSETS_LOCATED' }, assets: { minItems: 1 } }, required: ['assets'] },
      { properties: { outcome: { const: 'NO_ASSETS_FOUND' }, assets: { maxItems: 0 } } },
      { properties: { outcome: { const: 'UNABLE_TO_ASSIST' }, assets: { maxItems: 0 } }, required: ['reason'] },
    ],
  });

/** A moment: ISO 8601 with a time zone, answered in UTC. */
const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T09:00:00Z' })
  .transform((s) => new Date(s))
  .openapi({ type: 'string', format: 'date-time', example: '2026-12-01T09:00:00Z' });

export const AcknowledgementRequest = z
  .strictObject({ expectedBy: instant.optional().openapi({ description: 'When the recipient expects to answer' }) })
  .openapi('AcknowledgementRequest');

export const DelayRequest = z
  .strictObject({
    reason: text(10_000),
    expectedBy: instant.openapi({ description: 'The new deadline: later than the current one, at most 90 days from now' }),
  })
  .openapi('DelayRequest');

export const BlockingRequest = z.strictObject({ reason: text(10_000) }).openapi('BlockingRequest');
export const BlockingDecisionRequest = z
  .strictObject({ outcome: z.enum(M.BLOCKING_OUTCOMES), reason: text(10_000) })
  .openapi('BlockingDecisionRequest', { description: 'UPHELD cancels the request; DISMISSED lifts the blocking and moves deadlines on.' });

export const RenewalRequest = z.strictObject({ reason: text(10_000) }).openapi('RenewalRequest');
export const RenewalDecisionRequest = z
  .strictObject({ decision: z.enum(M.RENEWAL_DECISIONS), reason: text(10_000) })
  .openapi('RenewalDecisionRequest', { description: 'APPROVE moves the expiry five years on; REJECT leaves the request to expire.' });

/** What an amendment may add: each list appended to the request's; `recipients` extends a DIFFUSION. */
export const AmendmentAdditions = z
  .strictObject({
    aliases: Subject.shape.aliases,
    identityDocuments: Subject.shape.identityDocuments,
    assetsSought: z.array(AssetSought).max(100, 'must have at most 100 entries').optional(),
    recipients: uniqueList(CountryCode, 195).optional(),
  })
  .openapi('AmendmentAdditions');

export const AmendmentRequest = z
  .strictObject({ reason: text(10_000), add: AmendmentAdditions, legalBasis: Offence.shape.legalBasis.optional() })
  .openapi('AmendmentRequest', {
    description:
      'Adds to a published request, or replaces its legal basis. `add.recipients` only for a DIFFUSION: valid recipients as at submission; they get the request with their own deadline once approved.',
  });
export const AmendmentDecisionRequest = z
  .strictObject({ decision: z.enum(M.RENEWAL_DECISIONS), reason: text(10_000).optional() })
  .openapi('AmendmentDecisionRequest', {
    description: 'APPROVE applies the amendment (once enough reviewers approved); REJECT changes nothing.',
  });
