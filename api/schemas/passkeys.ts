/** Passkeys, the console's second factor, and the sign-in policy that may require them. */
import { z } from 'zod';

export const SignInPolicyRequest = z
  .strictObject({
    passkeysRequired: z.boolean().openapi({ description: 'Every user signing in at the console with a key must also use a passkey' }),
  })
  .openapi('SignInPolicyRequest');

export const SignInPolicy = z
  .object({ passkeysRequired: z.boolean(), updatedAt: z.string().nullable() })
  .openapi('SignInPolicy', { description: 'How people sign in at the console' });

export const PasskeyList = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        transports: z.array(z.string()),
        createdAt: z.string(),
        lastUsedAt: z.string().nullable(),
      }),
    ),
  })
  .openapi('PasskeyList', { description: "A user's passkeys (without their public keys)" });
