/** Finding asset identifiers in free text. */
import { z } from 'zod';
import { CHECKED_IDENTIFIERS } from '../../domain/identifiers';
import { NO_NUL_PATTERN, STORABLE, storable } from './common';

/** The length of a request's longest free text (the facts), with room to paste a document's page or two. */
export const EXTRACT_TEXT_MAX = 100_000;

export const ExtractRequest = z
  .strictObject({
    text: z
      .string()
      .max(EXTRACT_TEXT_MAX, `must be at most ${EXTRACT_TEXT_MAX} characters`)
      .refine(storable, STORABLE)
      .openapi({ pattern: NO_NUL_PATTERN, example: 'Transfers to DE89 3704 0044 0532 0130 00; the vessel IMO 9074729.' }),
  })
  .openapi('ExtractRequest');

export const ExtractedIdentifiers = z
  .object({
    items: z.array(
      z.object({
        type: z.enum(CHECKED_IDENTIFIERS),
        value: z.string().openapi({ description: 'As the text writes it' }),
        normalised: z.string().openapi({ description: 'The checked form, the one links compare' }),
      }),
    ),
  })
  .openapi('ExtractedIdentifiers', {
    description:
      'The valid identifiers in the text, each once, in the order they appear: IBANs (with or without spaces), IMO numbers ' +
      'after their label, LEIs, BICs after a BIC or SWIFT label, wallet addresses, VINs. One that fails its check is left out.',
  });
