/** What the API answers about requests: views, lists, answers, the audit trail, links. */
import { z } from 'zod';
import { ACTION_NAMES } from '../../domain/actions';
import { AMENDMENT_STATUSES } from '../../domain/amendments';
import * as M from '../../domain/model';
import { cursorParam, pageQuery } from './common';
import { AssetSought, LocatedAsset, Offence, Subject } from './requests';

const Recipient = z.object({
  country: z.string(),
  status: z.enum(M.RECIPIENT_STATUSES),
  final: z.boolean().openapi({ description: 'Its final answer has come' }),
  dueAt: z.string(),
  respondedAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  expectedBy: z.string().nullable(),
  delayReason: z.string().nullable(),
  deletionConfirmedAt: z
    .string()
    .nullable()
    .openapi({ description: 'When it confirmed deleting the request from its national records (after WITHDRAWN, CANCELLED or EXPIRED)' }),
});
const DecisionView = z.object({
  decision: z.enum(M.DECISIONS),
  reason: z.string().nullable(),
  grounds: z.array(z.enum(M.GROUNDS)),
  at: z.string(),
});

const AmendmentView = z
  .object({
    id: z.uuid(),
    status: z.enum(AMENDMENT_STATUSES).openapi({ description: 'LAPSED: the request ended before a decision' }),
    reason: z.string().nullable().openapi({ description: 'Not shown to recipients' }),
    submittedAt: z.string(),
    decidedAt: z.string().nullable(),
    changes: z.record(z.string(), z.unknown()).openapi({ description: '`{ add, legalBasis? }` as sent; empty once retention erased it' }),
    flags: z.array(z.string()).optional(),
    approvals: z.number().int().optional(),
    decisionReason: z.string().nullable().optional(),
  })
  .openapi('AmendmentView', { description: 'A recipient sees approved amendments only, without reasons or the countries they add' });

/** What retention leaves of a request's facts and assets: categories, seriousness, dates and values. */
const PurgedOffence = z
  .object({
    category: z.enum(M.OFFENCE_CATEGORIES),
    maxPenaltyYears: z.number().int(),
    legalBasis: z.object({ type: z.enum(M.LEGAL_BASIS_TYPES), date: z.string() }),
  })
  .openapi('PurgedOffence');
const PurgedAssetSought = z
  .object({ category: z.enum(M.ASSET_CATEGORIES), estimatedValue: z.object({ amount: z.number(), currency: z.string() }).optional() })
  .openapi('PurgedAssetSought');
export const PurgedLocatedAsset = z
  .object({
    category: z.enum(M.ASSET_CATEGORIES),
    location: z.object({ country: z.string() }),
    estimatedValue: z.object({ amount: z.number(), currency: z.string() }).optional(),
    measures: z.enum(M.MEASURES).optional(),
    source: z.object({ reliability: z.enum(M.RELIABILITY), accuracy: z.number().int() }).optional(),
  })
  .openapi('PurgedLocatedAsset');

/** What the reader may do to the request now: the catalogue's actions open to this caller in this state. */
export const ActionLinks = z
  .array(
    z.object({
      name: z.enum(ACTION_NAMES),
      method: z.enum(['POST', 'DELETE']),
      href: z.string().openapi({ description: 'Where to send it, with its body as the operation documents' }),
    }),
  )
  .openapi('ActionLinks', {
    description: 'Each listed action, sent with a valid body, succeeds; an unlisted one is refused (403, 404 or 409).',
  });

/** Given at submission, numbered per requesting country and year: how a request is named before it has a reference. */
const CaseNumber = z
  .string()
  .openapi({ description: 'Given at submission: `<requesting country>-<YYYY>-<NNNNN>`', example: 'IT-2026-00007' });

const FullNoticeView = z.object({
  actions: ActionLinks,
  id: z.uuid(),
  caseNumber: CaseNumber,
  reference: z.string().nullable(),
  kind: z.enum(M.KINDS),
  status: z.enum(M.STATUSES),
  requestingCountry: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  purgedAt: z.string().nullable().openapi({ description: "When retention erased the request's personal data" }),
  purposes: z.array(z.enum(M.PURPOSES)),
  // A union, not Subject.nullable(): that would document the request's own subject as nullable too.
  subject: z.union([Subject, z.null()]).openapi({ description: 'null once retention has erased it' }),
  offence: z.union([Offence, PurgedOffence]),
  assetsSought: z.array(z.union([AssetSought, PurgedAssetSought])),
  handlingCode: z.enum(M.HANDLING_CODES),
  urgency: z.enum(M.URGENCIES),
  language: z.enum(M.LANGUAGES),
  responseDays: z.number().int().nullable().openapi({ description: 'null when the urgency sets a window in hours' }),
  responseHours: z.number().int().openapi({ description: 'The answer window in hours' }),
  recipients: z.array(Recipient),
  blocking: z
    .object({ since: z.string(), reason: z.string().nullable().optional(), decisionDueAt: z.string().optional() })
    .nullable()
    .openapi({ description: 'Set while the CCF has the request blocked' }),
  renewal: z
    .object({
      status: z.enum(['REQUESTED', 'APPROVED', 'REJECTED']),
      reason: z.string().nullable().optional().openapi({ description: 'Not shown to recipients' }),
      requestedAt: z.string(),
      decidedAt: z.string().nullable(),
      decisionReason: z.string().nullable().optional().openapi({ description: 'Not shown to recipients' }),
    })
    .nullable(),
  amendments: z.array(AmendmentView),
  requestedRecipients: z.array(z.string()).optional(),
  closure: z
    .object({ at: z.string(), reason: z.string().nullable(), grounds: z.array(z.string()) })
    .nullable()
    .optional()
    .openapi({ description: 'How the request ended (requester, reviewers, CCF): when, why, on what grounds' }),
  review: z
    .object({
      flags: z.array(z.string()),
      decisions: z.array(DecisionView),
      claimedBy: z
        .object({ userId: z.uuid(), name: z.string().nullable(), at: z.string() })
        .nullable()
        .openapi({ description: 'The reviewer working on the review now (a claim): others may not claim or decide it meanwhile' }),
    })
    .optional(),
  findings: z
    .object({
      assetsLocated: z.number().int(),
      byCategory: z.record(z.string(), z.number().int()),
      estimatedValue: z.record(z.string(), z.number()),
    })
    .optional(),
});

/** What a recipient sees of a request whose content the CCF withholds from it. */
const Withheld = {
  actions: ActionLinks,
  id: z.uuid(),
  caseNumber: CaseNumber,
  reference: z.string().nullable(),
  status: z.enum(M.STATUSES),
};
/** A recipient's view while the CCF has the request blocked. */
const BlockedNoticeView = z.object({ ...Withheld, blocking: z.object({ since: z.string() }) });
/** A recipient's view of a request the CCF cancelled on a complaint it upheld. */
const ClosedNoticeView = z.object({ ...Withheld, closure: z.object({ at: z.string() }) });

export const NoticeView = z.union([FullNoticeView, BlockedNoticeView, ClosedNoticeView]).openapi('NoticeView', {
  description:
    'A recipient NCB gets this without review, findings or reasons, and with its own recipient entry only; while the CCF has the request blocked, only its id, case number, reference, status and the time of the blocking; once the CCF has upheld a complaint against it, only its id, case number, reference, status and the time of its closure.',
});

export const AmendmentCreated = AmendmentView.extend({ request: NoticeView }).openapi('AmendmentCreated');

export const NoticeList = z.object({ items: z.array(NoticeView), nextCursor: z.string().nullable() }).openapi('NoticeList');
export const NoticeListQuery = z.strictObject({
  status: z.enum(M.STATUSES).optional(),
  kind: z.enum(M.KINDS).optional(),
  as: z.enum(['REQUESTER', 'RECIPIENT']).optional(),
  amendmentPending: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .openapi({ description: '`true`: only requests with an amendment awaiting a decision' }),
  sort: z.enum(['urgency', 'submittedAt', 'dueAt']).optional().openapi({
    description:
      'The order: `urgency` URGENT_DIRECT, then URGENT, then NORMAL, each oldest first (a review queue); `submittedAt` oldest first; `dueAt` the soonest recipient deadline first, requests without one last. Unset: newest first',
  }),
  ...pageQuery,
});

export const ResponseView = z
  .object({
    id: z.uuid(),
    country: z.string(),
    outcome: z.enum(M.OUTCOMES),
    final: z.boolean(),
    reason: z.string().nullable(),
    assets: z.array(z.union([LocatedAsset, PurgedLocatedAsset])),
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
        actor: z.object({
          role: z.string(),
          country: z.string().optional(),
          userId: z.string().optional(),
          name: z.string().nullable().optional(),
          keyId: z.string().optional(),
        }),
        data: z.record(z.string(), z.unknown()),
        hash: z
          .string()
          .nullable()
          .openapi({ description: "SHA-256 over the previous event's hash and this event's content (GET /v1/audit/verify)" }),
      }),
    ),
  })
  .openapi('EventList');

export const NoticeLinks = z
  .object({
    items: z.array(
      z.object({
        identifierType: z.string(),
        detectedAt: z.string(),
        otherNoticeId: z.uuid().optional(),
        otherReference: z.string().nullable().optional(),
      }),
    ),
  })
  .openapi('NoticeLinks', { description: 'The other request is named to reviewers and the CCF, and to a requester that made both.' });

export const LinkList = z
  .object({
    items: z.array(
      z.object({
        noticeId: z.uuid(),
        reference: z.string().nullable(),
        otherNoticeId: z.uuid(),
        otherReference: z.string().nullable(),
        identifierType: z.string(),
        detectedAt: z.string(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .openapi('LinkList');

export const LinkListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursorParam(300),
});
