/** Single sign-on's settings as the environment gives them, and what counts as a second factor. */
import { showsSecondFactor } from '../../domain/second-factor';
import { ConfigError, loadConfig } from '../../system/config';

const OIDC = {
  SILVER_OIDC_ISSUER: 'https://login.example.org/realms/police',
  SILVER_OIDC_CLIENT_ID: 'silver',
  SILVER_OIDC_CLIENT_SECRET: 'a-secret',
  SILVER_PUBLIC_URL: 'https://silver.example.org/',
};

describe('SILVER_OIDC_* and SILVER_PUBLIC_URL', () => {
  test('unset: single sign-on is off', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
    // The public address alone turns nothing on.
    expect(loadConfig({ SILVER_PUBLIC_URL: OIDC.SILVER_PUBLIC_URL }).oidc).toBeUndefined();
  });

  test('all four: on, named after the issuer, without a second factor required unless asked', () => {
    expect(loadConfig(OIDC).oidc).toEqual({
      issuer: OIDC.SILVER_OIDC_ISSUER,
      clientId: 'silver',
      clientSecret: 'a-secret',
      publicUrl: 'https://silver.example.org',
      name: 'login.example.org',
      requireMfa: false,
      mfaAcr: [],
    });
    const strict = loadConfig({
      ...OIDC,
      SILVER_REQUIRE_MFA: 'true',
      SILVER_OIDC_MFA_ACR: 'urn:a, urn:b',
      SILVER_OIDC_NAME: 'Police ID',
    }).oidc!;
    expect(strict).toEqual(expect.objectContaining({ requireMfa: true, mfaAcr: ['urn:a', 'urn:b'], name: 'Police ID' }));
  });

  test.each(Object.keys(OIDC).filter((v) => v !== 'SILVER_PUBLIC_URL'))(
    'a partial set (without %s) stops the start, naming what is missing',
    (left) => {
      const env: Record<string, string> = { ...OIDC };
      delete env[left];
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(new RegExp(`missing: ${left}`));
    },
  );

  test('the public address is required with the provider', () => {
    const { SILVER_PUBLIC_URL: _, ...rest } = OIDC;
    expect(() => loadConfig(rest)).toThrow(/missing: SILVER_PUBLIC_URL/);
  });

  test('plain HTTP only on this machine; SILVER_REQUIRE_MFA only with a provider', () => {
    expect(() => loadConfig({ ...OIDC, SILVER_OIDC_ISSUER: 'http://login.example.org' })).toThrow(
      /SILVER_OIDC_ISSUER must be an https:\/\/ URL/,
    );
    expect(() => loadConfig({ ...OIDC, SILVER_PUBLIC_URL: 'silver.example.org' })).toThrow(/SILVER_PUBLIC_URL must be an https:\/\/ URL/);
    expect(
      loadConfig({ ...OIDC, SILVER_OIDC_ISSUER: 'http://127.0.0.1:9000', SILVER_PUBLIC_URL: 'http://localhost:3000' }).oidc,
    ).toBeDefined();
    expect(() => loadConfig({ SILVER_REQUIRE_MFA: 'true' })).toThrow(/SILVER_REQUIRE_MFA applies to single sign-on/);
    expect(() => loadConfig({ ...OIDC, SILVER_REQUIRE_MFA: 'yes' })).toThrow(/SILVER_REQUIRE_MFA must be true or false/);
  });
});

describe('a second factor in the ID token', () => {
  test('amr with a factor beyond the password, or saying several were used', () => {
    for (const amr of [['pwd', 'otp'], ['mfa'], ['hwk'], ['swk', 'pin'], ['pwd', 'sms'], ['face'], ['fpt'], ['mca']])
      expect(showsSecondFactor({ amr }, [])).toBe(true);
  });

  test('a password, a PIN or knowledge alone is one factor; so are amr values that are not strings', () => {
    for (const amr of [['pwd'], ['pin'], ['kba', 'pwd'], [], undefined, 'otp', [1, null]])
      expect(showsSecondFactor({ amr }, [])).toBe(false);
  });

  test('an acr counts only when the operator names it', () => {
    expect(showsSecondFactor({ amr: ['pwd'], acr: 'urn:loa:high' }, ['urn:loa:high'])).toBe(true);
    expect(showsSecondFactor({ amr: ['pwd'], acr: 'urn:loa:high' }, [])).toBe(false);
    expect(showsSecondFactor({ acr: 'urn:loa:low' }, ['urn:loa:high'])).toBe(false);
  });
});
