/** The threads of a request: what a message takes, and how it is shown. */
import { z } from 'zod';
import * as M from '../../domain/model';
import { MESSAGE_MAX } from '../../domain/messages';
import { CountryCode, text } from './common';

export const MessageRequest = z
  .strictObject({
    body: text(MESSAGE_MAX),
    handlingCode: z.enum(M.HANDLING_CODES).default('H0'),
    country: CountryCode.optional().openapi({
      description:
        "The requester's: the recipient whose thread it writes to (without it, the GS thread). A recipient may name only its own.",
    }),
  })
  .openapi('MessageRequest');

export const ThreadQuery = z.strictObject({
  thread: z
    .string()
    .regex(/^(GS|[A-Z]{2})$/, 'must be GS or a country code')
    .optional()
    .openapi({ description: 'Only this thread: `GS` or a recipient country' }),
});

const ChangedField = z.object({ path: z.string(), before: z.unknown(), after: z.unknown() });

export const MessageView = z
  .object({
    id: z.uuid(),
    at: z.string(),
    thread: z.string().openapi({ description: '`GS` (the requester and the reviewers) or the recipient country' }),
    kind: z.enum(['MESSAGE', 'QUESTION', 'ANSWER']).openapi({
      description: 'QUESTION: a reviewer asked for clarification (its reason); ANSWER: the requester answered it',
    }),
    author: z.object({ role: z.enum(M.ROLES), country: z.string().optional(), name: z.string() }),
    body: z.string(),
    handlingCode: z.enum(M.HANDLING_CODES),
    changes: z.array(z.string()).optional().openapi({ description: "An answer's changed fields" }),
    changed: z.array(ChangedField).optional().openapi({ description: 'Reviewers only: each changed field before and after the answer' }),
  })
  .openapi('Message');

export const MessageList = z
  .object({
    threads: z.array(z.string()).openapi({ description: 'The threads the caller may read: `GS` and/or recipient countries' }),
    items: z.array(MessageView),
  })
  .openapi('MessageList');
