/**
 * Passkeys, the console's second factor: what a session opened with an API key still needs before
 * it may act, and when a passkey may be removed. Bundle-safe, no I/O.
 */

/** What a key-opened session waits for (null: nothing). */
export type SignInStep = 'PASSKEY' | 'PASSKEY_REGISTRATION';

/**
 * A passkey ceremony's challenge lasts as long as the browser's own timeout for it, and a little
 * more for the answer to arrive; it is taken once.
 */
export const PASSKEY_TIMEOUT_MS = 120_000;
export const CHALLENGE_LIFETIME_MS = PASSKEY_TIMEOUT_MS + 30_000;

/**
 * A user holding a passkey proves it at every sign-in; while the administrator requires passkeys,
 * a user without one registers one before anything else.
 */
export function stepAfterKey(o: { passkeys: number; required: boolean }): SignInStep | null {
  if (o.passkeys > 0) return 'PASSKEY';
  return o.required ? 'PASSKEY_REGISTRATION' : null;
}

/** While passkeys are required, a user keeps at least one (an administrator can still reset them). */
export const mayRemovePasskey = (o: { passkeys: number; required: boolean }): boolean => !o.required || o.passkeys > 1;

/** A passkey's name as its owner gave it, or one made from when it was added. */
export function passkeyName(given: string, now: Date): string {
  const name = given.trim().replace(/\s+/g, ' ').slice(0, 100);
  return name || `Passkey ${now.toISOString().slice(0, 10)}`;
}
