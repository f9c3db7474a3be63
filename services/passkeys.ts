/**
 * Passkeys as the console's second factor (WebAuthn, verified by @simplewebauthn/server): a user
 * registers them after signing in with a key, proves one at every later sign-in, and an ADMIN may
 * require them of everyone. Challenges are kept per session, taken once, and expire.
 */
import crypto from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import {
  CHALLENGE_LIFETIME_MS,
  mayRemovePasskey,
  passkeyName,
  PASSKEY_TIMEOUT_MS,
  stepAfterKey,
  type SignInStep,
} from '../domain/passkeys';
import { recordAction } from '../records/audit';
import { findUser } from '../records/keys';
import {
  addPasskey,
  countPasskeys,
  findUserPasskey,
  notePasskeyUse,
  passSignInStep,
  readSignInPolicy,
  removePasskey,
  removeUserPasskeys,
  saveChallenge,
  saveSignInPolicy,
  takeChallenge,
  userPasskeys,
  type Ceremony,
} from '../records/passkeys';
import { parseAssertion, parseAttestation, passkeyFailed, userHandle } from './passkey-answers';
import type { Db } from '../records/db';
import type { Principal, ServiceDeps } from './context';
import { conflict, notFound } from './refusals';

/** The site a ceremony runs on: the relying party's id (its host name) and the page's origin. */
export interface RelyingParty {
  id: string;
  origin: string;
}

/** A ceremony of one console session, for its user. */
export interface Ceremonial {
  sessionToken: string;
  principal: Principal;
  rp: RelyingParty;
}

const RP_NAME = 'Silver Notice';

/** What a session opened with this user's key still has to do (domain/passkeys.ts decides). */
export async function signInStepFor(db: Db, userId: string): Promise<SignInStep | null> {
  const [passkeys, policy] = await Promise.all([countPasskeys(db, userId), readSignInPolicy(db)]);
  return stepAfterKey({ passkeys, required: policy.passkeysRequired });
}

export function passkeyService(deps: ServiceDeps) {
  const { prisma } = deps;

  async function challengeFor(c: Ceremonial, ceremony: Ceremony, challenge: string): Promise<void> {
    await saveChallenge(prisma, {
      challenge,
      sessionToken: c.sessionToken,
      ceremony,
      expiresAt: new Date(Date.now() + CHALLENGE_LIFETIME_MS),
    });
  }

  async function take(c: Ceremonial, ceremony: Ceremony, challenge: string): Promise<void> {
    if (!(await takeChallenge(prisma, { challenge, sessionToken: c.sessionToken, ceremony, now: new Date() })))
      throw passkeyFailed(
        'its challenge was not given to this session, was used already or has expired',
        ceremony === 'SIGN_IN' ? 'UNAUTHENTICATED' : 'INVALID',
      );
  }

  async function list(userId: string) {
    const rows = await userPasskeys(prisma, userId);
    return {
      items: rows.map((p) => ({
        id: p.id,
        name: p.name,
        transports: p.transports,
        createdAt: p.createdAt.toISOString(),
        lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
      })),
    };
  }

  const policy = async () => {
    const p = await readSignInPolicy(prisma);
    return { passkeysRequired: p.passkeysRequired, updatedAt: p.updatedAt?.toISOString() ?? null };
  };

  return {
    policy,

    async setPolicy(principal: Principal, p: { passkeysRequired: boolean }) {
      await saveSignInPolicy(prisma, p, new Date());
      await recordAction(prisma, principal, 'SIGN_IN_POLICY_UPDATED', { ...p });
      return policy();
    },

    /** The user's passkeys, without their keys. */
    list,

    /** Options for the browser's `navigator.credentials.create`, with a new challenge for this session. */
    async registrationOptions(c: Ceremonial) {
      const existing = await userPasskeys(prisma, c.principal.userId);
      const options = await generateRegistrationOptions({
        rpName: RP_NAME,
        rpID: c.rp.id,
        userID: userHandle(c.principal.userId),
        userName: c.principal.name,
        userDisplayName: c.principal.name,
        timeout: PASSKEY_TIMEOUT_MS,
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
      await challengeFor(c, 'REGISTRATION', options.challenge);
      return options;
    },

    /**
     * Keeps the passkey the browser created, once its answer is verified against this session's
     * challenge. A session that had to register one first is then signed in: its new token.
     */
    async register(c: Ceremonial & { name: string; response: string; step: SignInStep | null }): Promise<{ token?: string }> {
      const { response, challenge } = parseAttestation(c.response);
      await take(c, 'REGISTRATION', challenge);
      const verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: c.rp.origin,
        expectedRPID: c.rp.id,
        requireUserVerification: false,
      }).catch((err: unknown) => {
        throw passkeyFailed(err instanceof Error ? err.message : 'it could not be verified', 'INVALID');
      });
      if (!verified.verified) throw passkeyFailed('it could not be verified', 'INVALID');
      const { credential } = verified.registrationInfo;
      const now = new Date();
      const id = crypto.randomUUID();
      await addPasskey(prisma, {
        id,
        userId: c.principal.userId,
        credentialId: credential.id,
        publicKey: new Uint8Array(credential.publicKey),
        counter: credential.counter,
        transports: response.response.transports ?? [],
        name: passkeyName(c.name, now),
        createdAt: now,
      }).catch((err: unknown) => {
        if ((err as { code?: string }).code === 'P2002') throw passkeyFailed('this passkey is registered already', 'INVALID');
        throw err;
      });
      await recordAction(prisma, c.principal, 'PASSKEY_ADDED', { passkeyId: id });
      if (c.step !== 'PASSKEY_REGISTRATION') return {};
      return { token: await pass(c.sessionToken, 'PASSKEY_REGISTRATION') };
    },

    /** Options for the browser's `navigator.credentials.get`: the user's passkeys and a new challenge for this session. */
    async signInOptions(c: Ceremonial) {
      const existing = await userPasskeys(prisma, c.principal.userId);
      const options = await generateAuthenticationOptions({
        rpID: c.rp.id,
        timeout: PASSKEY_TIMEOUT_MS,
        allowCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
        userVerification: 'preferred',
      });
      await challengeFor(c, 'SIGN_IN', options.challenge);
      return options;
    },

    /** The second factor of a sign-in: the assertion checked against one of this user's passkeys. The session's new token. */
    async signIn(c: Ceremonial & { response: string }): Promise<{ token: string }> {
      const { response, challenge } = parseAssertion(c.response);
      await take(c, 'SIGN_IN', challenge);
      const passkey = await findUserPasskey(prisma, c.principal.userId, response.id);
      if (!passkey) throw passkeyFailed('it is not one of this user’s passkeys');
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: c.rp.origin,
        expectedRPID: c.rp.id,
        credential: {
          id: passkey.credentialId,
          publicKey: new Uint8Array(passkey.publicKey),
          counter: Number(passkey.counter),
          transports: passkey.transports as never,
        },
        requireUserVerification: false,
      }).catch((err: unknown) => {
        throw passkeyFailed(err instanceof Error ? err.message : 'it could not be verified');
      });
      if (!verified.verified) throw passkeyFailed('its signature does not verify');
      if (!(await notePasskeyUse(prisma, passkey.id, passkey.counter, verified.authenticationInfo.newCounter, new Date())))
        throw passkeyFailed('it was used by another sign-in at the same time');
      return { token: await pass(c.sessionToken, 'PASSKEY') };
    },

    /** Removes one of the caller's own passkeys; while passkeys are required, not the last. */
    async remove(principal: Principal, id: string) {
      const [passkeys, p] = await Promise.all([countPasskeys(prisma, principal.userId), readSignInPolicy(prisma)]);
      if (!mayRemovePasskey({ passkeys, required: p.passkeysRequired }))
        throw conflict('Passkeys are required: the last one cannot be removed', 'LAST_PASSKEY');
      if (!(await removePasskey(prisma, principal.userId, id))) throw notFound('You have no passkey with this id');
      await recordAction(prisma, principal, 'PASSKEY_REMOVED', { passkeyId: id });
    },

    /** An ADMIN removes every passkey of a user (one lost): the user registers again at the next sign-in. */
    async reset(principal: Principal, userId: string) {
      if (!(await findUser(prisma, userId))) throw notFound('No user has this id');
      const removed = await removeUserPasskeys(prisma, userId);
      await recordAction(prisma, principal, 'PASSKEYS_RESET', { userId, removed });
    },

    /** The passkeys of a user, for an ADMIN. */
    async ofUser(userId: string) {
      if (!(await findUser(prisma, userId))) throw notFound('No user has this id');
      return list(userId);
    },
  };

  async function pass(token: string, step: SignInStep): Promise<string> {
    const newToken = crypto.randomBytes(32).toString('base64url');
    if (!(await passSignInStep(prisma, { token, step, newToken }))) throw passkeyFailed('the session no longer waits for it');
    return newToken;
  }
}
export type PasskeyService = ReturnType<typeof passkeyService>;
