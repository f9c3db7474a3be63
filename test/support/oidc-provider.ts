/**
 * A real OpenID Provider (`oidc-provider`) in the test's process: discovery, the authorization and
 * token endpoints, signed ID tokens and RP-initiated logout, as a provider serves them. Only its
 * sign-in page is the test's: whoever the test names next is signed in, with the `amr`/`acr` given,
 * and consents, without a form to fill.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
}

export interface NextSignIn {
  accountId: string;
  amr?: string[];
  acr?: string;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  /** Who signs in at the next sign-in prompt. */
  signInAs(next: NextSignIn): void;
  /** The prompts the provider asked for, in order (`login`, `consent`). */
  prompts: string[];
  stop(): Promise<void>;
}

/** `publicUrls`: the consoles (their SILVER_PUBLIC_URL) allowed to use the client; `acrValues`: the levels a sign-in may be given. */
export async function startTestProvider(
  port: number,
  publicUrls: string[],
  acrValues: string[] = [],
  /** `localhost`: another site than a console at 127.0.0.1, for a browser. */
  host: '127.0.0.1' | 'localhost' = '127.0.0.1',
): Promise<TestProvider> {
  const { default: Provider } = await import('oidc-provider');
  const issuer = `http://${host}:${port}`;
  const clientId = 'silver-console';
  const clientSecret = crypto.randomBytes(24).toString('base64url');
  const accounts = new Map<string, TestAccount>();
  const prompts: string[] = [];
  let next: NextSignIn | undefined;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: publicUrls.map((u) => `${u}/sign-in/oidc/callback`),
        post_logout_redirect_uris: publicUrls.map((u) => `${u}/sign-in`),
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // The console must send PKCE: a request without it is refused here.
    pkce: { required: () => true },
    // amr and acr in the ID token, as the sign-in gave them.
    claims: { openid: ['sub', 'amr', 'acr'], email: ['email', 'email_verified'] },
    acrValues,
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, ...accounts.get(sub) }) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
  });

  const callback = provider.callback();
  const server = http.createServer((req, res) => {
    if (!req.url?.startsWith('/interaction/')) return void callback(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      prompts.push(details.prompt.name);
      if (details.prompt.name === 'login') {
        if (!next) throw new Error('the test named nobody to sign in');
        const { accountId, amr, acr } = next;
        await provider.interactionFinished(req, res, { login: { accountId, amr, acr } }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    })().catch((err: Error) => {
      res.statusCode = 500;
      res.end(err.message);
    });
  });
  // localhost may be ::1 or 127.0.0.1 to whoever resolves it: both are listened on.
  await new Promise<void>((resolve) => (host === 'localhost' ? server.listen(port, resolve) : server.listen(port, host, resolve)));
  if ((server.address() as AddressInfo).port !== port) throw new Error('the provider did not get its port');

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    prompts,
    signInAs: (n) => void (next = n),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
