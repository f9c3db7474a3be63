/** Where a session opened with a key goes to give its second factor before anything else. */
import type { SignInStep } from '../domain/passkeys';
import type { Principal } from '../services';

/** A session that has not given its second factor yet: who it will be, and what it waits for. */
export interface PendingSignIn {
  step: SignInStep;
  principal: Principal;
}

const PATHS: Record<SignInStep, string> = { PASSKEY: '/sign-in/passkey', PASSKEY_REGISTRATION: '/passkeys' };

export function stepPath(step: SignInStep, next?: string): string {
  return next && next !== '/' ? `${PATHS[step]}?${new URLSearchParams({ next })}` : PATHS[step];
}
