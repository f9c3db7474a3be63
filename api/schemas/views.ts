/** What the API answers about requests: views, lists, answers, the audit trail, notifications, the report. */
import { z } from 'zod';
import * as M from '../../domain/model';
import { pageQuery } from './common';
import { AssetSought, LocatedAsset, Offence, Subject } from './requests';

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
    requestedRecipients: z.array(z.string()).optional(),
    closure: z
      .object({ at: z.string(), reason: z.string().nullable(), grounds: z.array(z.string()) })
      .nullable()
      .optional()
      .openapi({ description: 'How the request ended (requester and reviewers): when, why, on what grounds' }),
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
  ...pageQuery,
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
