/** After a published request: a recipient's deletion confirmation, and the outcomes its requester reports in a recipient country. */
import { z } from 'zod';
import { OUTCOME_MEASURES } from '../../domain/model';
import { CountryCode, isoDate, Money, text } from './common';

/** The latest date it is anywhere on Earth now (UTC+14): a measure taken today in any country is not in the future. */
const latestDateNow = () => new Date(Date.now() + 14 * 3_600_000).toISOString().slice(0, 10);

/** A deletion confirmation says nothing beside itself. */
export const DeletionConfirmationRequest = z.strictObject({}).optional().openapi('DeletionConfirmationRequest');

export const OutcomeRequest = z
  .strictObject({
    measure: z.enum(OUTCOME_MEASURES),
    country: CountryCode.openapi({ description: "One of the request's recipients" }),
    value: Money.optional(),
    date: isoDate.refine((d) => d <= latestDateNow(), { message: 'must not be later than today', params: { code: 'IN_FUTURE' } }),
    note: text(2000).optional().openapi({ description: 'Free text; erased by retention' }),
  })
  .openapi('OutcomeRequest');

export const OutcomeView = z
  .object({
    id: z.uuid(),
    measure: z.enum(OUTCOME_MEASURES),
    country: z.string(),
    value: z.object({ amount: z.number(), currency: z.string() }).nullable(),
    date: z.string(),
    note: z.string().nullable(),
    at: z.string(),
  })
  .openapi('Outcome');

export const OutcomeList = z.object({ items: z.array(OutcomeView) }).openapi('OutcomeList');
