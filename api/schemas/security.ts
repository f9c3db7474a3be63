/** The perimeter's records: refused calls, and the check of the audit trail. */
import { z } from 'zod';
import { SECURITY_EVENT_KINDS } from '../../services/perimeter';
import { pageQuery } from './common';

export const SecurityEventQuery = z.strictObject({ kind: z.enum(SECURITY_EVENT_KINDS).optional(), ...pageQuery });

export const SecurityEventList = z
  .object({
    items: z.array(
      z.object({
        at: z.string(),
        kind: z.enum(SECURITY_EVENT_KINDS),
        keyId: z.string().optional(),
        userId: z.string().optional(),
        method: z.string(),
        path: z.string(),
        ip: z.string(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .openapi('SecurityEventList', { description: 'Refused calls, newest first' });

export const AuditVerification = z
  .object({
    ok: z.boolean(),
    events: z.number().int().openapi({ description: 'Events checked' }),
    firstBrokenEventId: z.string().optional().openapi({ description: 'The first event whose hash does not follow from the one before' }),
  })
  .openapi('AuditVerification', { description: 'ok false without an event id: the newest events are missing' });
