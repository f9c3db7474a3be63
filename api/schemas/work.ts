/** GET /v1/work: what waits for the caller. */
import { z } from 'zod';
import { ROLES } from '../../domain/model';
import { workKinds } from '../../services/work';

const KINDS = [...new Set(ROLES.flatMap((r) => workKinds(r)))] as [string, ...string[]];

export const WorkList = z
  .object({
    counts: z.record(z.enum(KINDS), z.number().int()).openapi({ description: "Every kind of the caller's role, 0 included" }),
    items: z.array(
      z.object({
        kind: z.enum(KINDS),
        noticeId: z.uuid().optional(),
        caseNumber: z.string().optional(),
        reference: z.string().nullable().optional(),
        dueAt: z.string().optional().openapi({ description: 'When it is due, for the kinds that have a date' }),
        keyId: z.uuid().optional().openapi({ description: 'KEYS_EXPIRING: the key' }),
        label: z.string().nullable().optional(),
        country: z.string().optional().openapi({ description: 'DELIVERIES_FAILING: the country whose webhook deliveries failed' }),
        failed: z.number().int().optional(),
      }),
    ),
  })
  .openapi('WorkList', {
    description: [
      'NCB: CLARIFICATION_ASKED, REASSESSMENT_DUE, NEW_ANSWERS (unread RESPONSE_RECEIVED notifications), TO_ACKNOWLEDGE,',
      'DUE_SOON (a deadline within 72 scaled hours), OVERDUE, UNREAD_MESSAGES. REVIEWER: TO_DECIDE (not approved by the',
      'caller, not claimed by another), AWAITING_SECOND_REVIEWER (approved by the caller), CLAIMED_BY_ME, RENEWALS_TO_DECIDE,',
      'AMENDMENTS_TO_DECIDE, UNREAD_MESSAGES. CCF: BLOCKINGS_TO_DECIDE. ADMIN: KEYS_EXPIRING (within 14 scaled days),',
      'DELIVERIES_FAILING.',
    ].join(' '),
  });
