/** Users and their API keys. */
import { z } from 'zod';
import * as M from '../../domain/model';
import { CountryCode, text, uuid } from './common';

/** An NCB has its country; no other role has one. */
function roleCountryRule(k: { role?: M.Role; country?: string }, ctx: z.RefinementCtx) {
  if (k.role === 'NCB' && k.country === undefined)
    ctx.addIssue({ code: 'custom', path: ['country'], message: 'an NCB needs its country', params: { code: 'COUNTRY_RULE' } });
  if (k.role !== undefined && k.role !== 'NCB' && k.country !== undefined)
    ctx.addIssue({ code: 'custom', path: ['country'], message: `a ${k.role} has no country`, params: { code: 'COUNTRY_RULE' } });
}

/** roleCountryRule for the document. */
const ROLE_COUNTRY = {
  anyOf: [
    { properties: { role: { const: 'NCB' } }, required: ['role', 'country'] },
    { properties: { role: { not: { const: 'NCB' } } }, not: { required: ['country'] } },
  ],
};

export const UserRequest = z
  .strictObject({ name: text(200), role: z.enum(M.ROLES), country: CountryCode.optional() })
  .superRefine(roleCountryRule)
  .openapi('UserRequest', { description: 'An NCB has its country; no other role has one.', ...ROLE_COUNTRY });

export const User = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.enum(M.ROLES),
    country: z.string().nullable(),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .openapi('User');
export const UserList = z.object({ items: z.array(User) }).openapi('UserList');

export const ApiKeyRequest = z
  .strictObject({
    userId: uuid('a user id').optional().openapi({ description: 'The user who will hold the key' }),
    role: z.enum(M.ROLES).optional().openapi({ description: 'Without userId: a new user with this role holds the key' }),
    country: CountryCode.optional(),
    label: text(200).optional(),
    expiresInDays: z
      .number()
      .int('must be a whole number of days')
      .min(1, 'must be at least 1')
      .max(3650, 'must be at most 3650')
      .optional()
      .openapi({ description: 'The key stops working this many days after it is created (days scale with SILVER_DAY_SECONDS)' }),
  })
  .superRefine((k, ctx) => {
    if (k.userId !== undefined) {
      for (const f of ['role', 'country'] as const)
        if (k[f] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [f],
            message: 'is given by the user: omit it with userId',
            params: { code: 'UNKNOWN_FIELD' },
          });
      return;
    }
    if (k.role === undefined)
      ctx.addIssue({ code: 'custom', path: ['role'], message: 'is required without userId', params: { code: 'REQUIRED' } });
    roleCountryRule(k, ctx);
  })
  .openapi('ApiKeyRequest', {
    description:
      '`{ userId, label?, expiresInDays? }`, or the first form `{ role, country?, label? }`, which creates a user named after the label (or the role) holding the key',
    // The rules of the superRefine above, for the document.
    anyOf: [
      { required: ['userId'], allOf: [{ not: { required: ['role'] } }, { not: { required: ['country'] } }] },
      { not: { required: ['userId'] }, required: ['role'], ...ROLE_COUNTRY },
    ],
  });

export const ApiKey = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    role: z.enum(M.ROLES),
    country: z.string().nullable(),
    label: z.string().nullable(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().openapi({ description: 'To the minute' }),
  })
  .openapi('ApiKey');
export const CreatedApiKey = ApiKey.extend({ key: z.string().openapi({ description: 'The secret; shown only once' }) }).openapi(
  'CreatedApiKey',
);
export const ApiKeyList = z.object({ items: z.array(ApiKey) }).openapi('ApiKeyList');

/** An identity at the OpenID provider: by the subject it names the person by, or by an e-mail address it has verified. */
export const IdentityLinkRequest = z
  .strictObject({
    subject: text(255).optional().openapi({ description: 'The `sub` claim the provider gives this person' }),
    email: z
      .email({ error: 'must be an e-mail address' })
      .max(254, 'must be at most 254 characters')
      .optional()
      .openapi({ description: 'An address the provider must say it verified (`email_verified`) at each sign-in' }),
  })
  .superRefine((b, ctx) => {
    if ((b.subject === undefined) === (b.email === undefined))
      ctx.addIssue({
        code: 'custom',
        path: b.subject === undefined ? ['subject'] : ['email'],
        message: b.subject === undefined ? 'subject or email is required' : 'give subject or email, not both',
        params: { code: b.subject === undefined ? 'REQUIRED' : 'UNKNOWN_FIELD' },
      });
  })
  .openapi('IdentityLinkRequest', {
    description: 'Exactly one of `subject` and `email`',
    oneOf: [
      { required: ['subject'], not: { required: ['email'] } },
      { required: ['email'], not: { required: ['subject'] } },
    ],
  });

export const IdentityLink = z
  .object({
    userId: z.uuid(),
    issuer: z.string().openapi({ description: 'SILVER_OIDC_ISSUER when the link was made' }),
    subject: z.string().nullable(),
    email: z.string().nullable(),
    keyId: z
      .uuid()
      .openapi({ description: "The key the identity's console sessions act with (its secret is never shown); revoking it ends them" }),
    createdAt: z.string(),
  })
  .openapi('IdentityLink');
