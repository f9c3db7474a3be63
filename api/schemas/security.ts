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
