import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { parsePayloadKeys, type PayloadKey } from '../temporal/codec';

const port = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a port number` })
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be between 1 and 65535`)
    .max(65535, `${name} must be between 1 and 65535`)
    .default(fallback);

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** A yes-or-no variable: true or 1, false or 0 (or empty: not set). */
const flag = (name: string) => z.enum(['true', 'false', '1', '0', ''], { error: `${name} must be true or false` }).optional();
const isSet = (v: string | undefined) => v === 'true' || v === '1';
/** A URL this system is reached at or trusts: https, or http on this machine only. */
const secureUrl = (name: string) =>
  optionalText.superRefine((v, ctx) => {
    if (v !== undefined && !secureOrLoopback(v))
      ctx.addIssue({ code: 'custom', message: `${name} must be an https:// URL (http:// only on localhost or 127.0.0.1)` });
  });
const ConfigSchema = z.object({
  PORT: port('PORT', 3000),
  SILVER_DATA_DIR: z.string().trim().min(1).default('./data'),
  SILVER_ADMIN_KEY: optionalText.refine((v) => v === undefined || v.length >= 16, {
    message: 'SILVER_ADMIN_KEY must be at least 16 characters',
  }),
  SILVER_DAY_SECONDS: z.coerce
    .number({ error: 'SILVER_DAY_SECONDS must be a number of seconds' })
    .positive('SILVER_DAY_SECONDS must be greater than 0')
    .max(86400 * 366, 'SILVER_DAY_SECONDS is implausibly large')
    .default(86400),
  SILVER_RETENTION_DAYS: z.coerce
    .number({ error: 'SILVER_RETENTION_DAYS must be a number of days' })
    .positive('SILVER_RETENTION_DAYS must be greater than 0')
    .max(36600, 'SILVER_RETENTION_DAYS is implausibly large')
    .default(180),
  DATABASE_URL: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'DATABASE_URL must be a postgresql:// connection string',
  }),
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('silver-notice'),
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_TLS: z
    .enum(['true', 'false', '1', '0', ''], { error: 'TEMPORAL_TLS must be true or false' })
    .optional()
    .transform((v) => v === 'true' || v === '1'),
  TEMPORAL_TLS_CERT: optionalText,
  TEMPORAL_TLS_KEY: optionalText,
  TEMPORAL_TLS_CA: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  SILVER_TEMPORAL_PORT: port('SILVER_TEMPORAL_PORT', 7233),
  SILVER_TEMPORAL_UI_PORT: port('SILVER_TEMPORAL_UI_PORT', 8233),
  SILVER_PAYLOAD_KEY: optionalText.superRefine((v, ctx) => {
    if (v === undefined) return;
    try {
      parsePayloadKeys(v);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `SILVER_PAYLOAD_KEY: ${(err as Error).message} (id:base64-key, newest first, comma-separated)`,
      });
    }
  }),
  SILVER_RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ error: 'SILVER_RATE_LIMIT_PER_MINUTE must be a number of calls' })
    .int('SILVER_RATE_LIMIT_PER_MINUTE must be a whole number')
    .min(1, 'SILVER_RATE_LIMIT_PER_MINUTE must be at least 1')
    .max(1_000_000, 'SILVER_RATE_LIMIT_PER_MINUTE must be at most 1000000')
    .default(600),
  SILVER_WORKFLOW_CACHE: z.coerce
    .number({ error: 'SILVER_WORKFLOW_CACHE must be a number of workflows' })
    .int('SILVER_WORKFLOW_CACHE must be a whole number')
    .min(10, 'SILVER_WORKFLOW_CACHE must be at least 10')
    .max(100_000, 'SILVER_WORKFLOW_CACHE must be at most 100000')
    .default(200),
  SILVER_WORKER_METRICS_ADDRESS: optionalText.refine((v) => v === undefined || /^[\w.-]+:\d{1,5}$|^\[[\da-fA-F:]+\]:\d{1,5}$/.test(v), {
    message: 'SILVER_WORKER_METRICS_ADDRESS must be host:port, e.g. 0.0.0.0:9464',
  }),
  SILVER_WEBHOOK_ALLOW_PRIVATE: flag('SILVER_WEBHOOK_ALLOW_PRIVATE'),
  SILVER_OIDC_ISSUER: secureUrl('SILVER_OIDC_ISSUER'),
  SILVER_OIDC_CLIENT_ID: optionalText,
  SILVER_OIDC_CLIENT_SECRET: optionalText,
  SILVER_OIDC_NAME: optionalText,
  SILVER_OIDC_MFA_ACR: optionalText,
  SILVER_PUBLIC_URL: secureUrl('SILVER_PUBLIC_URL'),
  SILVER_REQUIRE_MFA: flag('SILVER_REQUIRE_MFA'),
  SILVER_PLAINTEXT_PAYLOADS: z.enum(['accept', 'refuse', ''], { error: 'SILVER_PLAINTEXT_PAYLOADS must be accept or refuse' }).optional(),
  SILVER_TRUST_PROXY: optionalText.transform((v, ctx) => {
    const parsed = parseTrustProxy(v);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** An https URL, or http on this machine's loopback (a provider or console run for a test or a demo). */
function secureOrLoopback(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname));
  } catch {
    return false;
  }
}

const OIDC_VARIABLES = ['SILVER_OIDC_ISSUER', 'SILVER_OIDC_CLIENT_ID', 'SILVER_OIDC_CLIENT_SECRET', 'SILVER_PUBLIC_URL'] as const;

export type RawConfig = z.infer<typeof ConfigSchema>;

export interface Config {
  port: number;
  dataDir: string;
  adminKey?: string;
  daySeconds: number;
  /** Days a request's personal data outlive its end. */
  retentionDays: number;
  databaseUrl?: string;
  /** Calls a minute per key, and per client address for calls without a valid key. */
  rateLimitPerMinute: number;
  /** Workflows a worker keeps in memory between their tasks. */
  workflowCache: number;
  /** Keys that encrypt Temporal payloads, newest first (unset: the key file in the data dir). */
  payloadKeys?: PayloadKey[];
  /**
   * Temporal payloads in clear are read as they are (SILVER_PLAINTEXT_PAYLOADS=accept): only while
   * requests started before payloads were encrypted still run. Refused otherwise.
   */
  acceptPlaintextPayloads: boolean;
  logLevel: RawConfig['LOG_LEVEL'];
  /**
   * Express's `trust proxy`: which peers' X-Forwarded-For names the client (rate limits, security
   * events, logs). false: none, the TCP peer is the client.
   */
  trustProxy: TrustProxy;
  /** Where the worker's own (Temporal SDK) metrics are served; unset: a free local port, read by GET /metrics. */
  workerMetricsAddress?: string;
  /** Webhook receivers on private addresses allowed: by default only when everything runs embedded on one machine. */
  webhookAllowPrivate: boolean;
  /** Single sign-on through an OpenID provider: set when its four variables are. */
  oidc?: OidcConfig;
  temporal: {
    /** Unset: the embedded dev server is started. */
    address?: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tls: boolean;
    tlsCert?: string;
    tlsKey?: string;
    tlsCa?: string;
    tlsServerName?: string;
    embeddedPort: number;
    embeddedUiPort: number;
  };
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The console's address as browsers reach it: the callback and the return after signing out are under it. */
  publicUrl: string;
  /** The provider's name on the sign-in button. */
  name: string;
  /** A sign-in must show a second factor (SILVER_REQUIRE_MFA). */
  requireMfa: boolean;
  /** `acr` values that count as a second factor, beside the `amr` methods (SILVER_OIDC_MFA_ACR). */
  mfaAcr: string[];
}

export class ConfigError extends Error {}

/** Parses and validates the environment once; a bad value names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if ((c.TEMPORAL_TLS_CERT === undefined) !== (c.TEMPORAL_TLS_KEY === undefined)) {
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together');
  }
  const oidcSet = OIDC_VARIABLES.filter((v) => c[v] !== undefined);
  const oidcGiven = oidcSet.some((v) => v !== 'SILVER_PUBLIC_URL');
  if (oidcGiven && oidcSet.length < OIDC_VARIABLES.length) {
    const missing = OIDC_VARIABLES.filter((v) => c[v] === undefined);
    throw new ConfigError(
      `Invalid configuration:\n  single sign-on needs ${OIDC_VARIABLES.join(', ')} together; missing: ${missing.join(', ')}`,
    );
  }
  const requireMfa = isSet(c.SILVER_REQUIRE_MFA);
  if (requireMfa && !oidcGiven) {
    throw new ConfigError(`Invalid configuration:\n  SILVER_REQUIRE_MFA applies to single sign-on: set ${OIDC_VARIABLES.join(', ')} too`);
  }
  return {
    port: c.PORT,
    dataDir: path.resolve(c.SILVER_DATA_DIR),
    adminKey: c.SILVER_ADMIN_KEY,
    daySeconds: c.SILVER_DAY_SECONDS,
    retentionDays: c.SILVER_RETENTION_DAYS,
    databaseUrl: c.DATABASE_URL,
    rateLimitPerMinute: c.SILVER_RATE_LIMIT_PER_MINUTE,
    workflowCache: c.SILVER_WORKFLOW_CACHE,
    payloadKeys: c.SILVER_PAYLOAD_KEY === undefined ? undefined : parsePayloadKeys(c.SILVER_PAYLOAD_KEY),
    acceptPlaintextPayloads: c.SILVER_PLAINTEXT_PAYLOADS === 'accept',
    logLevel: c.LOG_LEVEL,
    trustProxy: c.SILVER_TRUST_PROXY,
    workerMetricsAddress: c.SILVER_WORKER_METRICS_ADDRESS,
    webhookAllowPrivate: c.SILVER_WEBHOOK_ALLOW_PRIVATE ? isSet(c.SILVER_WEBHOOK_ALLOW_PRIVATE) : !c.DATABASE_URL && !c.TEMPORAL_ADDRESS,
    oidc: oidcGiven
      ? {
          issuer: c.SILVER_OIDC_ISSUER!,
          clientId: c.SILVER_OIDC_CLIENT_ID!,
          clientSecret: c.SILVER_OIDC_CLIENT_SECRET!,
          publicUrl: c.SILVER_PUBLIC_URL!.replace(/\/+$/, ''),
          name: c.SILVER_OIDC_NAME ?? new URL(c.SILVER_OIDC_ISSUER!).host,
          requireMfa,
          mfaAcr: (c.SILVER_OIDC_MFA_ACR ?? '')
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean),
        }
      : undefined,
    temporal: {
      address: c.TEMPORAL_ADDRESS,
      namespace: c.TEMPORAL_NAMESPACE,
      taskQueue: c.TEMPORAL_TASK_QUEUE,
      apiKey: c.TEMPORAL_API_KEY,
      tls: c.TEMPORAL_TLS || Boolean(c.TEMPORAL_TLS_CERT || c.TEMPORAL_API_KEY || c.TEMPORAL_TLS_CA),
      tlsCert: c.TEMPORAL_TLS_CERT,
      tlsKey: c.TEMPORAL_TLS_KEY,
      tlsCa: c.TEMPORAL_TLS_CA,
      tlsServerName: c.TEMPORAL_TLS_SERVER_NAME,
      embeddedPort: c.SILVER_TEMPORAL_PORT,
      embeddedUiPort: c.SILVER_TEMPORAL_UI_PORT,
    },
  };
}

/** What Express's `trust proxy` takes: all or none, a number of hops, or the proxies' addresses and subnets. */
export type TrustProxy = boolean | number | string[];

/** proxy-addr's names for address ranges, which Express accepts beside addresses and subnets. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

const isProxyAddress = (entry: string): boolean => {
  if (PROXY_RANGE_NAMES.includes(entry) || ipaddr.isValid(entry) || ipaddr.isValidCIDR(entry)) return true;
  // A subnet may also be written with its mask: 10.0.0.0/255.0.0.0.
  const [address, mask, ...rest] = entry.split('/');
  return (
    !rest.length &&
    ipaddr.IPv4.isValid(address) &&
    ipaddr.IPv4.isValid(mask ?? '') &&
    ipaddr.IPv4.parse(mask).prefixLengthFromSubnetMask() !== null
  );
};

/**
 * SILVER_TRUST_PROXY as Express takes it, or the sentence saying what is wrong. Checked here
 * because Express would only find a bad address at the first call, as a 500.
 */
function parseTrustProxy(value: string | undefined): TrustProxy | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !isProxyAddress(e));
  if (bad.length)
    return `${bad.map((b) => `"${b}"`).join(', ')} is not an address, a subnet (10.0.0.0/8) or loopback, linklocal, uniquelocal; or use true, false or a number of hops`;
  return entries;
}

/** Where the case database is: the PostgreSQL server of DATABASE_URL, else PGlite in the data dir. */
export function databaseTarget(config: Config): { url: string } | { pgliteDir: string } {
  return config.databaseUrl ? { url: config.databaseUrl } : { pgliteDir: path.join(config.dataDir, 'pglite') };
}
