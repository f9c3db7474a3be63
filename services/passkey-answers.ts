/**
 * What a browser sends back in a passkey ceremony (WebAuthn's JSON form): checked for its shape and
 * for the challenge it answers before @simplewebauthn/server verifies the rest.
 */
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import type { Ceremony } from '../records/passkeys';
import { Refusal } from './refusals';

const b64url = z
  .string()
  .max(20_000)
  .regex(/^[A-Za-z0-9_-]*$/);

/** A credential as the browser sends it, around the ceremony's own `response`. */
const credential = <R extends z.ZodRawShape>(response: R) =>
  z.object({
    id: b64url,
    rawId: b64url,
    type: z.literal('public-key'),
    response: z.object({ clientDataJSON: b64url, ...response }),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  });
const Attestation = credential({
  attestationObject: b64url,
  transports: z.array(z.string().max(20)).max(10).optional(),
});
const Assertion = credential({ authenticatorData: b64url, signature: b64url, userHandle: b64url.optional() });

/** A sign-in's passkey that proved nothing (a registration's is INVALID instead: nothing was claimed yet). */
export const passkeyFailed = (why: string, kind: 'UNAUTHENTICATED' | 'INVALID' = 'UNAUTHENTICATED') =>
  new Refusal(kind, `The passkey was not accepted: ${why}`, 'PASSKEY_FAILED');

/** The browser's answer as JSON of the expected shape, and the challenge its client data carries. */
function parseCeremony<T extends typeof Attestation | typeof Assertion>(
  schema: T,
  text: string,
  ceremony: Ceremony,
): { response: z.infer<T>; challenge: string } {
  const failed = (why: string) => passkeyFailed(why, ceremony === 'SIGN_IN' ? 'UNAUTHENTICATED' : 'INVALID');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw failed('the browser sent no answer');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw failed('the browser’s answer is not a WebAuthn credential');
  const response = parsed.data as z.infer<T>;
  let challenge: unknown;
  try {
    challenge = (JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown })
      .challenge;
  } catch {
    challenge = undefined;
  }
  if (typeof challenge !== 'string' || !challenge) throw failed('the answer names no challenge');
  return { response, challenge };
}

/** A registration's answer: the new credential, and the challenge it answers. */
export const parseAttestation = (text: string) => {
  const { response, challenge } = parseCeremony(Attestation, text, 'REGISTRATION');
  return { response: response as RegistrationResponseJSON, challenge };
};

/** A sign-in's answer: the assertion, and the challenge it answers. */
export const parseAssertion = (text: string) => {
  const { response, challenge } = parseCeremony(Assertion, text, 'SIGN_IN');
  return { response: response as AuthenticationResponseJSON, challenge };
};

/** The user's id as the authenticator keeps it (16 bytes of the UUID). */
export const userHandle = (userId: string) => new Uint8Array(Buffer.from(userId.replace(/-/g, ''), 'hex'));
