/** Administration: pilot settings, member countries. */
import { z } from 'zod';
import { CountryCode, uniqueList } from './common';

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
