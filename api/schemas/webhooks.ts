/** Webhooks per country and their deliveries. */
import { z } from 'zod';
import { NOTIFICATION_TYPES } from '../../domain/model';
import { CountryCode, pageQuery, STORABLE, storable, uuid } from './common';

export const WebhookCountryParam = z.strictObject({ country: CountryCode });
export const DeliveryParam = z.strictObject({ country: CountryCode, id: uuid('a delivery id') });

export const WebhookRequest = z
  .strictObject({
    url: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(2048, 'must be at most 2048 characters')
      .refine(storable, STORABLE)
      .openapi({ example: 'https://ncb.example.org/silver-notice/webhook', description: 'An http or https URL that takes POSTs' }),
  })
  .openapi('WebhookRequest');

export const WebhookSecret = z
  .object({
    country: z.string(),
    url: z.string(),
    secret: z.string().openapi({ description: 'The signing secret (`whsec_` base64), shown only here: each PUT makes a new one' }),
  })
  .openapi('WebhookSecret');

export const Webhook = z
  .object({ country: z.string(), url: z.string(), createdAt: z.string(), updatedAt: z.string() })
  .openapi('Webhook', { description: 'A webhook without its secret' });

const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED', 'CANCELLED'] as const;
const ATTEMPT_OUTCOMES = ['DELIVERED', 'REJECTED', 'TIMEOUT', 'UNREACHABLE', 'ADDRESS_REFUSED'] as const;

export const DeliveryQuery = z.strictObject(pageQuery);

export const DeliveryList = z
  .object({
    items: z.array(
      z.object({
        id: z.string().openapi({ description: 'The `webhook-id` header of every attempt' }),
        notificationId: z.string().openapi({ description: 'The notification, as `id` in GET /v1/notifications' }),
        type: z.enum(NOTIFICATION_TYPES),
        status: z.enum(DELIVERY_STATUSES).openapi({ description: 'PENDING while being tried, FAILED once the 3-day window closed' }),
        createdAt: z.string(),
        deliveredAt: z.string().nullable(),
        attempts: z.array(
          z.object({
            at: z.string(),
            outcome: z.enum(ATTEMPT_OUTCOMES),
            statusCode: z.number().int().nullable().openapi({ description: "The receiver's answer, when it answered" }),
            durationMs: z.number().int(),
          }),
        ),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .openapi('WebhookDeliveryList', { description: 'Deliveries, newest first, each with its attempts' });

export const RetryAccepted = z
  .object({ id: z.string(), status: z.literal('PENDING') })
  .openapi('WebhookRetry', { description: 'The delivery is being sent again; its attempts show how it went' });
