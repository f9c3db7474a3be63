/**
 * Console sessions: an API key exchanged for a session whose token lives in an httpOnly cookie.
 * A session acts with its key, so it stops at once when the key is revoked, expires or its user is
 * disabled; it also ends after a while without use, and after a working day in any case.
 */
import crypto from 'node:crypto';
import { sessionEnd } from '../domain/time';
import { touchKey, LAST_USED_RESOLUTION_MS } from '../records/keys';
import { closeExpiredSessions, closeSession, extendSession, findSession, openSession, setSessionPreferences } from '../records/sessions';
import type { SignInStep } from '../domain/passkeys';
import type { Principal, ServiceDeps } from './context';
import { signInStepFor } from './passkeys';
import { KEY_DOES_NOT_WORK, type Keyring } from './auth';
import { unauthenticated } from './refusals';

export interface Preferences {
  language: string;
  timeZone: string;
}

export interface OpenSession extends Preferences {
  principal: Principal;
  csrfToken: string;
  /** What the session waits for before it may act (its second factor), if anything. */
  pendingStep: SignInStep | null;
}

const newToken = () => crypto.randomBytes(32).toString('base64url');

export function sessionService(deps: ServiceDeps, keys: Keyring) {
  const { prisma } = deps;

  async function openAs(
    principal: Principal,
    prefs: Preferences,
    o: { idToken?: string; pendingStep?: SignInStep | null } = {},
  ): Promise<({ token: string } & OpenSession) | null> {
    const now = new Date();
    // Signing in uses the key; the console's later calls note their use with their rate count.
    await touchKey(prisma, principal.keyId, now);
    await closeExpiredSessions(prisma, now);
    const token = newToken();
    const csrfToken = newToken();
    const expiresAt = new Date(sessionEnd(now.getTime(), now.getTime()));
    const opened = await openSession(prisma, {
      token,
      keyId: principal.keyId,
      csrfToken,
      ...prefs,
      createdAt: now,
      expiresAt,
      idToken: o.idToken,
      pendingStep: o.pendingStep ?? null,
    });
    // Null: the key was revoked or its user disabled since it was authenticated a moment ago.
    if (!opened) return null;
    return { token, principal, csrfToken, ...prefs, pendingStep: o.pendingStep ?? null };
  }

  return {
    /** Signs in with an API key (a refusal when it does not work); the new session's token. */
    async open(apiKey: string, prefs: Preferences): Promise<{ token: string } & OpenSession> {
      const principal = await keys.authenticate(`Bearer ${apiKey.trim()}`);
      const session = await openAs(principal, prefs, { pendingStep: await signInStepFor(prisma, principal.userId) });
      if (!session) throw unauthenticated(KEY_DOES_NOT_WORK);
      return session;
    },

    /**
     * Signs in as a caller found otherwise (single sign-on: its link's key, with the provider's ID
     * token); null if its key stopped working meanwhile.
     */
    openAs,

    /** The session this token opened, if it and its key still work; its use moves its end on. */
    async resume(token: string): Promise<OpenSession | undefined> {
      const now = new Date();
      const session = await findSession(prisma, token, now);
      if (!session) return undefined;
      const principal = await keys.principalOfKey(session.keyId, now);
      if (!principal) return undefined;
      const end = sessionEnd(session.createdAt.getTime(), now.getTime());
      // Written at most once a minute, like a key's lastUsedAt.
      if (end - session.expiresAt.getTime() >= LAST_USED_RESOLUTION_MS) await extendSession(prisma, token, new Date(end));
      return {
        principal,
        csrfToken: session.csrfToken,
        language: session.language,
        timeZone: session.timeZone,
        pendingStep: session.pendingStep,
      };
    },

    setPreferences: (token: string, prefs: Preferences) => setSessionPreferences(prisma, token, prefs),

    close: (token: string) => closeSession(prisma, token),
  };
}
export type SessionService = ReturnType<typeof sessionService>;
