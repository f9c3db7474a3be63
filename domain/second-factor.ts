/**
 * Whether an OpenID provider's sign-in showed a second factor. The provider says how the person
 * authenticated in the ID token's `amr` (methods, RFC 8176) and `acr` (a level it defines itself).
 */

/**
 * `amr` values that are a factor beyond a password: `mfa` and `mca` say several were used; the
 * others are something held (a one-time code, a hardware or software key, a smart card, a code by
 * SMS or telephone) or something one is (fingerprint, face, iris, retina, voice). `pwd`, `pin`,
 * `kba`, `user`, `pop`, `geo`, `rba`, `wia` alone are not.
 */
export const SECOND_FACTOR_AMR: readonly string[] = [
  'mfa',
  'mca',
  'otp',
  'hwk',
  'swk',
  'sc',
  'sms',
  'tel',
  'fpt',
  'face',
  'iris',
  'retina',
  'vbm',
];

/** A second factor shown by `amr`, or an `acr` the operator names as one (each provider names its levels). */
export function showsSecondFactor(claims: { amr?: unknown; acr?: unknown }, secondFactorAcr: readonly string[]): boolean {
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string') : [];
  if (amr.some((m) => SECOND_FACTOR_AMR.includes(m))) return true;
  return typeof claims.acr === 'string' && secondFactorAcr.includes(claims.acr);
}
