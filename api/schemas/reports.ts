/** What the API answers about an NCB's notifications and the pilot's report. */
import { z } from 'zod';
import * as M from '../../domain/model';

export const NotificationsQuery = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,18}$/, 'must be a notification id')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  unread: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .openapi({ description: '`true`: only the notifications not yet marked read' }),
});
const NotificationId = z.string().regex(/^\d{1,18}$/, 'must be a notification id');
export const MarkReadRequest = z
  .strictObject({ ids: z.array(NotificationId).min(1, 'must list at least one id').max(500, 'must list at most 500 ids') })
  .openapi('MarkReadRequest');
export const MarkedRead = z
  .object({
    items: z.array(z.object({ id: z.string(), readAt: z.string() })).openapi({
      description: "The caller's own notifications among the ids, each with when it was first marked read; other ids are ignored",
    }),
  })
  .openapi('MarkedRead');
export const NotificationList = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        type: z.enum(M.NOTIFICATION_TYPES),
        noticeId: z.uuid(),
        caseNumber: z.string(),
        reference: z.string().nullable(),
        at: z.string(),
        detail: z.string().optional().openapi({ description: 'With a DELAY: the recipient and its reason' }),
        readAt: z.string().nullable().openapi({ description: 'When the country marked it read; null while unread' }),
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
      acknowledged: z.number().int(),
      delayed: z.number().int(),
      firstAnswerMedianSeconds: z
        .record(z.string(), z.number())
        .openapi({ description: "By urgency: from publication to a recipient's first answer" }),
    }),
    assets: z.object({
      located: z.number().int(),
      byCategory: z.record(z.string(), z.number().int()),
      estimatedValue: z.record(z.string(), z.number()),
    }),
    blocking: z.object({
      blockedNow: z.number().int(),
      everBlocked: z.number().int(),
      upheld: z.number().int(),
      dismissed: z.number().int(),
    }),
    renewals: z.object({ requested: z.number().int(), approved: z.number().int(), rejected: z.number().int() }),
    links: z.object({ pairs: z.number().int() }),
    deletion: z
      .object({ awaiting: z.number().int(), confirmed: z.number().int() })
      .openapi({ description: 'Recipients of requests ended WITHDRAWN, CANCELLED or EXPIRED, by whether they confirmed the deletion' }),
    outcomes: z.object({
      byMeasure: z
        .record(z.string(), z.object({ count: z.number().int(), value: z.record(z.string(), z.number()) }))
        .openapi({ description: 'By measure: how many, and the values summed by currency' }),
      requestsWithOutcome: z.number().int(),
      medianDaysToFirstMeasure: z
        .number()
        .nullable()
        .openapi({ description: "Calendar days from publication to the date of a request's first outcome" }),
    }),
  })
  .openapi('PilotReport');
