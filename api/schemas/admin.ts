/** Administration: API keys, pilot settings, member countries. */
import { z } from 'zod';
import * as M from '../../domain/model';
import { CountryCode, text, uniqueList } from './common';

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
export const ApiKeyList = z.object({ items: z.array(ApiKey) }).openapi('ApiKeyList');

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
