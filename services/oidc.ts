/**
 * Single sign-on with an OpenID provider: the authorization code flow with PKCE, state and nonce
 * (`openid-client`), the identity found among those an ADMIN linked to users, and a console
 * session opened for that user exactly as after a key's sign-in. Signing out ends the session here
 * and asks the provider to end its own (RP-initiated logout).
 */
import { showsSecondFactor } from '../domain/second-factor';
import { recordAction } from '../records/audit';
import { findIdentityLink, findLinkFor, linkIdentity, unlinkIdentity, type IdentityLinkRow } from '../records/identities';
import { findUser } from '../records/keys';
import { closeSession, sessionIdToken } from '../records/sessions';
import type { Keyring } from './auth';
import type { Principal, ServiceDeps } from './context';
import { signInStepFor } from './passkeys';
import { conflict, notFound } from './refusals';
import type { OpenSession, Preferences, SessionService } from './sessions';

type Client = typeof import('openid-client', { with: { 'resolution-mode': 'import' } });
type Configuration = InstanceType<Client['Configuration']>;

/** What the browser keeps between leaving for the provider and coming back (a short-lived cookie). */
export interface SignInTransaction {
  state: string;
  nonce: string;
  verifier: string;
}

/** Why a sign-in at the provider does not open a session here. */
export type SsoRefusal =
  /** The provider's answer did not hold (state, code, ID token), or it refused the person. */
  | 'FAILED'
  /** No user is linked to this identity. */
  | 'UNLINKED'
  /** A second factor is required and the provider's `amr`/`acr` show none. */
  | 'NO_SECOND_FACTOR'
  /** The linked user is disabled, or its sign-on key was revoked. */
  | 'NOT_USABLE'
  /** The provider does not answer. */
  | 'UNAVAILABLE';

export type SsoOutcome =
  ({ ok: true; token: string } & OpenSession) | { ok: false; refusal: SsoRefusal; userId?: string; keyId?: string; detail?: string };

/** The e-mail address of these claims, in lower case, only when the provider says it verified it. */
const verifiedEmail = (c: Readonly<Record<string, unknown>>) =>
  c.email_verified === true && typeof c.email === 'string' ? c.email.toLowerCase() : undefined;

export const CALLBACK_PATH = '/sign-in/oidc/callback';
const SIGNED_OUT_PATH = '/sign-in';

const linkView = (l: IdentityLinkRow) => ({
  userId: l.userId,
  issuer: l.issuer,
  subject: l.subject,
  email: l.email,
  keyId: l.keyId,
  createdAt: l.createdAt.toISOString(),
});

export function oidcService(deps: ServiceDeps, keys: Keyring, sessions: SessionService) {
  const { prisma, oidc: settings } = deps;
  let configuration: Promise<{ client: Client; config: Configuration }> | undefined;

  /** The provider's metadata and keys, found once (again after a failure: the provider may have been down). */
  function provider() {
    if (!settings) throw new Error('single sign-on is not configured');
    configuration ??= (async () => {
      const client = await import('openid-client');
      const insecure = new URL(settings.issuer).protocol === 'http:';
      const config = await client.discovery(
        new URL(settings.issuer),
        settings.clientId,
        settings.clientSecret,
        undefined,
        // Plain HTTP only to a provider on this machine (the configuration refuses any other).
        insecure ? { execute: [client.allowInsecureRequests] } : undefined,
      );
      return { client, config };
    })();
    configuration.catch(() => (configuration = undefined));
    return configuration;
  }

  const issuer = () => {
    if (!settings) throw conflict('Single sign-on is not configured: set SILVER_OIDC_ISSUER and the variables with it', 'SSO_OFF');
    return settings.issuer;
  };

  return {
    /** The provider's name for the sign-in page; undefined when single sign-on is off. */
    name: settings?.name,

    /** Where to send the browser to sign in at the provider, and what to keep until it comes back. */
    async begin(): Promise<{ url: string; transaction: SignInTransaction } | { unavailable: true }> {
      let p;
      try {
        p = await provider();
      } catch (err) {
        deps.log.warn({ err }, 'the OpenID provider does not answer');
        return { unavailable: true };
      }
      const { client, config } = p;
      const transaction = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings!.publicUrl + CALLBACK_PATH,
        scope: 'openid email',
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
        code_challenge_method: 'S256',
        state: transaction.state,
        nonce: transaction.nonce,
      });
      return { url: url.href, transaction };
    },

    /** The provider's answer at the callback (its query, `?code=...&state=...`): a session for the linked user, or why not. */
    async complete(query: string, transaction: SignInTransaction | undefined, prefs: Preferences): Promise<SsoOutcome> {
      if (!transaction) return { ok: false, refusal: 'FAILED', detail: 'no sign-in was started in this browser' };
      let p;
      try {
        p = await provider();
      } catch {
        return { ok: false, refusal: 'UNAVAILABLE' };
      }
      const { client, config } = p;
      let idToken: string | undefined;
      let claims;
      let tokens;
      try {
        tokens = await client.authorizationCodeGrant(config, new URL(settings!.publicUrl + CALLBACK_PATH + query), {
          pkceCodeVerifier: transaction.verifier,
          expectedState: transaction.state,
          expectedNonce: transaction.nonce,
          idTokenExpected: true,
        });
        idToken = tokens.id_token;
        claims = tokens.claims();
      } catch (err) {
        return { ok: false, refusal: 'FAILED', detail: (err as Error).message };
      }
      if (!claims || !idToken) return { ok: false, refusal: 'FAILED', detail: 'no ID token' };
      // The ID token's `iss` was checked against the provider found at this issuer: links are kept under its configured name.
      let link = await findLinkFor(prisma, settings!.issuer, claims.sub, verifiedEmail(claims));
      if (!link && claims.email === undefined && config.serverMetadata().userinfo_endpoint) {
        // Many providers give the e-mail claims at the userinfo endpoint only, not in the ID token.
        try {
          const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
          link = await findLinkFor(prisma, settings!.issuer, claims.sub, verifiedEmail(info));
        } catch (err) {
          return { ok: false, refusal: 'FAILED', detail: (err as Error).message };
        }
      }
      if (!link) return { ok: false, refusal: 'UNLINKED' };
      const refusal = { userId: link.userId, keyId: link.keyId };
      const secondFactor = showsSecondFactor({ amr: claims.amr, acr: claims.acr }, settings!.mfaAcr);
      if (settings!.requireMfa && !secondFactor) return { ok: false, refusal: 'NO_SECOND_FACTOR', ...refusal };
      const principal = await keys.principalOfKey(link.keyId, new Date());
      if (!principal) return { ok: false, refusal: 'NOT_USABLE', ...refusal };
      // The provider's second factor stands for the passkey; without one, the passkey rules of a key's sign-in apply.
      const pendingStep = secondFactor ? null : await signInStepFor(prisma, principal.userId);
      const session = await sessions.openAs(principal, prefs, { idToken, pendingStep });
      // Disabled or revoked between the look at the key and the session's write.
      if (!session) return { ok: false, refusal: 'NOT_USABLE', ...refusal };
      return { ok: true, ...session };
    },

    /**
     * Ends a single sign-on session here; where to send the browser so that the provider ends its
     * own. Undefined for a session opened with a key (nothing to end elsewhere).
     */
    async signOut(token: string): Promise<string | undefined> {
      if (!settings) return undefined;
      const idToken = await sessionIdToken(prisma, token);
      if (!idToken) return undefined;
      await closeSession(prisma, token);
      try {
        const { client, config } = await provider();
        if (!config.serverMetadata().end_session_endpoint) return SIGNED_OUT_PATH;
        return client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: settings.publicUrl + SIGNED_OUT_PATH })
          .href;
      } catch (err) {
        deps.log.warn({ err }, 'the OpenID provider does not answer: signed out here only');
        return SIGNED_OUT_PATH;
      }
    },

    /** The user's linked identity, if any (ADMIN). */
    async linked(userId: string) {
      const link = await findIdentityLink(prisma, userId);
      return link ? linkView(link) : undefined;
    },

    /** The user's linked identity (ADMIN); a refusal when it has none. */
    async identity(userId: string) {
      const link = await findIdentityLink(prisma, userId);
      if (!link) throw notFound('This user has no linked identity');
      return linkView(link);
    },

    /** Links an identity at the provider to a user, by its subject or by a verified e-mail address (ADMIN). */
    async link(principal: Principal, userId: string, by: { subject?: string; email?: string }) {
      const iss = issuer();
      const user = await findUser(prisma, userId);
      if (!user) throw notFound('No user has this id');
      if (user.disabledAt) throw conflict('This user is disabled: it can hold no identity', 'USER_DISABLED');
      const identity = by.subject !== undefined ? { issuer: iss, subject: by.subject } : { issuer: iss, email: by.email?.toLowerCase() };
      const done = await linkIdentity(prisma, userId, identity, new Date());
      if (done.outcome === 'TAKEN') throw conflict('This identity is linked to another user already', 'IDENTITY_TAKEN');
      await recordAction(prisma, principal, 'IDENTITY_LINKED', {
        userId,
        by: by.subject !== undefined ? 'SUBJECT' : 'EMAIL',
        keyId: done.link.keyId,
      });
      return linkView(done.link);
    },

    /** Unlinks the user's identity: its sessions end at once (ADMIN). */
    async unlink(principal: Principal, userId: string) {
      const outcome = await unlinkIdentity(prisma, userId);
      if (outcome === 'NOT_FOUND') throw notFound('This user has no linked identity');
      if (outcome === 'LAST_ADMIN')
        throw conflict("This identity's sessions are the last active ADMIN's; create another ADMIN key before unlinking it", 'LAST_ADMIN');
      await recordAction(prisma, principal, 'IDENTITY_UNLINKED', { userId });
    },
  };
}
