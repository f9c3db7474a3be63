/**
 * The whole system for API tests: a migrated test database, a real Temporal server (the
 * time-skipping test server by default, or the dev server), a worker, and the Express app
 * listening on a free port. Everything is real; nothing is mocked.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { createActivities } from '../../activities';
import type { Database } from '../../prisma/database';
import { createApiKey, createUserWithKey, findActiveKey } from '../../records/keys';
import { savePilotSettings } from '../../records/pilot';
import { createServices, type Principal, type Services } from '../../services';
import { generateKey } from '../../services/auth';
import type { OidcConfig } from '../../system/config';
import { encryptedDataConverter, parsePayloadKeys } from '../../temporal/codec';
import { registerSearchAttributes } from '../../temporal/search-attributes';
import { installTemporalRuntime } from '../../temporal/telemetry';
import { TEMPORAL_CLI, TEMPORAL_TEST_SERVER, ensureTemporalBinaries } from '../../temporal/toolchain';
import { createDeliveryWorker } from '../../temporal/worker';
import { PROJECT_ROOT } from '../../system/paths';
import { TEST_BUNDLE_PATH } from './global-setup';
import { createTestDatabase } from './database';

/** The SDK's runtime for tests: errors only, and the worker's metrics served as by the system. */
export function quietTemporalRuntime(): void {
  installTemporalRuntime();
}

/** The tests' payload key (fixed, so a test can decrypt what it finds in a history). */
export const TEST_PAYLOAD_KEYS = parsePayloadKeys(`test-1:${Buffer.alloc(32, 7).toString('base64')}`);
/** Encrypts every payload, as the system's clients and workers do. */
export const TEST_DATA_CONVERTER = encryptedDataConverter(TEST_PAYLOAD_KEYS);

export async function createTemporalEnv(kind: 'time-skipping' | 'dev' = 'time-skipping'): Promise<TestWorkflowEnvironment> {
  ensureTemporalBinaries();
  quietTemporalRuntime();
  const client = { dataConverter: TEST_DATA_CONVERTER };
  const env = await (kind === 'time-skipping'
    ? TestWorkflowEnvironment.createTimeSkipping({ client, server: { executable: { type: 'existing-path', path: TEMPORAL_TEST_SERVER } } })
    : TestWorkflowEnvironment.createLocal({
        client,
        server: { executable: { type: 'existing-path', path: TEMPORAL_CLI }, ip: '127.0.0.1' },
      }));
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

export interface TestSystem {
  baseUrl: string;
  db: Database;
  env: TestWorkflowEnvironment;
  worker: Worker;
  taskQueue: string;
  daySeconds: number;
  /** The use cases the API calls, for tests that need no HTTP. */
  services: Services;
  adminKey: string;
  /** Creates a user holding one key directly in the database (fast path for tests that are not about key admin). */
  key(role: 'ADMIN' | 'REVIEWER' | 'NCB' | 'CCF', country?: string): Promise<string>;
  /**
   * A key for each of `people`, in order: a country code is that country's NCB, a role its own
   * user (`sys.keys('IT', 'FR', 'REVIEWER')`).
   */
  keys(...people: Array<string>): Promise<string[]>;
  /** Another key of the user holding `key`. */
  userKey(key: string, opts?: { expiresAt?: Date }): Promise<string>;
  /** Who holds a key, as the services see the caller. */
  principal(key: string): Promise<Principal>;
  /** Sets the pilot participants (and quota) directly. */
  pilot(participants: string[], quotaTotal?: number, limited?: boolean): Promise<void>;
  /** fetch against the API with a key; JSON in and out. */
  call(
    method: string,
    path: string,
    opts?: { key?: string; body?: unknown; headers?: Record<string, string>; raw?: string | Uint8Array },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startTestSystem(
  opts: {
    temporal?: 'time-skipping' | 'dev';
    /** A Temporal server the test runs itself (to stop and start it), instead of one of the harness's. */
    temporalAddress?: string;
    daySeconds?: number;
    rateLimitPerMinute?: number;
    db?: Database;
    /** Webhook receivers on private addresses (the tests' receivers listen on 127.0.0.1): allowed unless false. */
    allowPrivateWebhooks?: boolean;
    /** The worker reads Temporal payloads in clear (SILVER_PLAINTEXT_PAYLOADS=accept). */
    acceptPlaintextPayloads?: boolean;
    /** Single sign-on through this OpenID provider. */
    oidc?: OidcConfig;
    /** The API's port (a test that must name its address before it starts, e.g. to an OpenID provider); any free one by default. */
    port?: number;
  } = {},
): Promise<TestSystem> {
  const db = opts.db ?? (await createTestDatabase());
  if (opts.temporalAddress) quietTemporalRuntime();
  const env = opts.temporalAddress
    ? await TestWorkflowEnvironment.createFromExistingServer({
        address: opts.temporalAddress,
        client: { dataConverter: TEST_DATA_CONVERTER },
      })
    : await createTemporalEnv(opts.temporal ?? 'time-skipping');
  // A server the test started itself has not met the system yet: as at npm start, it learns the search attributes.
  if (opts.temporalAddress) await registerSearchAttributes(env.connection, 'default');
  const taskQueue = `test-${crypto.randomUUID()}`;
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const allowPrivateWebhooks = opts.allowPrivateWebhooks ?? true;
  const activities = createActivities({ prisma: db.prisma, log, allowPrivateWebhooks, daySeconds: opts.daySeconds ?? 86400 });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: TEST_BUNDLE_PATH },
    activities,
    dataConverter: opts.acceptPlaintextPayloads
      ? encryptedDataConverter(TEST_PAYLOAD_KEYS, { acceptPlaintext: true })
      : TEST_DATA_CONVERTER,
  });
  // Webhook attempts, as in production: an activity-only worker on a queue of their own.
  const deliveryWorker = await createDeliveryWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    dataConverter: TEST_DATA_CONVERTER,
    prisma: db.prisma,
    log,
    allowPrivateWebhooks,
  });
  const running = Promise.all([worker.run(), deliveryWorker.run()]);
  const daySeconds = opts.daySeconds ?? 86400;
  const services = createServices({
    prisma: db.prisma,
    temporal: env.client,
    taskQueue,
    daySeconds,
    log,
    allowPrivateWebhooks,
    listen: db.listen,
    oidc: opts.oidc,
  });
  await services.keys.start();
  const dispatcher = services.deliveryDispatcher({ idleMs: 100 });
  dispatcher.start();
  const app = buildApp({ services, log, rateLimitPerMinute: opts.rateLimitPerMinute ?? 1_000_000 });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(opts.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const key = async (role: 'ADMIN' | 'REVIEWER' | 'NCB' | 'CCF', country?: string) => {
    const secret = generateKey();
    await createUserWithKey(db.prisma, { name: `Test ${role}${country ? ` ${country}` : ''}`, role, country, key: secret, label: 'test' });
    return secret;
  };
  const userKey = async (of: string, o: { expiresAt?: Date } = {}) => {
    const holder = await findActiveKey(db.prisma, of, new Date());
    if (!holder) throw new Error('userKey: that key does not work');
    const secret = generateKey();
    await createApiKey(db.prisma, { key: secret, userId: holder.userId, label: 'test (second key)', expiresAt: o.expiresAt });
    return secret;
  };
  const adminKey = await key('ADMIN');

  return {
    baseUrl,
    db,
    env,
    worker,
    taskQueue,
    daySeconds,
    services,
    adminKey,
    key,
    keys: (...people) =>
      Promise.all(
        people.map((p) =>
          p === 'ADMIN' || p === 'REVIEWER' || p === 'CCF'
            ? key(p)
            : /^[A-Z]{2}$/.test(p)
              ? key('NCB', p)
              : Promise.reject(new Error(`keys: ${p}?`)),
        ),
      ),
    userKey,
    principal: (k) => services.authenticate(`Bearer ${k}`),
    async pilot(participants, quotaTotal = 1000, limited = false) {
      await savePilotSettings(db.prisma, { participants, quotaTotal, recipientsLimitedToParticipants: limited });
    },
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.key) headers.authorization = `Bearer ${o.key}`;
      let payload: string | Uint8Array | undefined = o.raw;
      if (o.body !== undefined) {
        payload = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      return readReply(await fetch(`${baseUrl}${path}`, { method, headers, body: payload }));
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await dispatcher.stop();
      worker.shutdown();
      deliveryWorker.shutdown();
      await running;
      await services.perimeter.security.stop();
      await env.teardown();
      await db.close();
    },
  };
}

/** An HTTP answer with its body parsed as JSON (kept as text when it is not JSON). */
export async function readReply(res: Response): Promise<{ status: number; body: any; headers: Headers }> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body, headers: res.headers };
}

/** A valid request body; override fields per test. */
export function sampleRequest(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    kind: 'DIFFUSION',
    recipients: ['FR', 'ES'],
    purposes: ['LOCATE', 'IDENTIFY'],
    subject: {
      familyName: 'ROSSI',
      givenNames: 'MARIO',
      dateOfBirth: '1961-04-02',
      placeOfBirth: 'Palermo',
      sex: 'M',
      nationalities: ['IT'],
      aliases: [{ familyName: 'RUSSO', givenNames: 'M.' }],
      identityDocuments: [{ type: 'PASSPORT', number: 'YA1234567', issuingCountry: 'IT' }],
    },
    offence: {
      category: 'ORGANIZED_CRIME',
      description: 'Laundering of proceeds of extortion through front companies',
      maxPenaltyYears: 12,
      legalBasis: { type: 'INVESTIGATION', reference: 'RGNR 1234/2024', authority: 'Procura di Palermo', date: '2024-11-05' },
      assetLink: 'Companies and accounts held through relatives received the proceeds',
    },
    assetsSought: [
      {
        category: 'BANK_ACCOUNT',
        description: 'Accounts held abroad',
        identifiers: { iban: 'IT60X0542811101000000123456' },
        estimatedValue: { amount: 2500000, currency: 'EUR' },
      },
    ],
    handlingCode: 'H1',
    ...overrides,
  };
}

/**
 * A valid request about a person and an account no other request uses, so screening flags no
 * duplicate and no other request is linked to it.
 */
export function freshRequest(overrides: Record<string, unknown> = {}): Record<string, any> {
  const base = sampleRequest();
  const tag = crypto
    .randomBytes(6)
    .toString('hex')
    .replace(/[0-9]/g, (d) => 'GHIJKLMNOP'[Number(d)])
    .toUpperCase();
  const account = {
    ...base.assetsSought[0],
    identifiers: { iban: freshIban() },
  };
  return { ...base, subject: { ...base.subject, familyName: `ROSSI${tag}` }, assetsSought: [account], ...overrides };
}

/** An IBAN that passes its check: the country, the check digits its account gives (ISO 13616, mod 97), the account. */
export function ibanFor(country: string, account: string): string {
  let rest = 0;
  for (const c of `${account}${country}00`) {
    const n = parseInt(c, 36);
    rest = ((n > 9 ? rest * 100 : rest * 10) + n) % 97;
  }
  return `${country}${String(98 - rest).padStart(2, '0')}${account}`;
}

/** An Italian IBAN no other request uses (one in 10^11), so nothing links to it. */
export const freshIban = () => ibanFor('IT', `X0542811101${crypto.randomInt(1e11).toString().padStart(12, '0')}`);

/** Bounded polling, for effects that land after the call causing them returned (screening, timers). */
export async function waitFor<T>(probe: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > end) {
      throw new Error(
        `timed out waiting for ${what}; last: ${JSON.stringify(last, (_k, v) => (typeof v === 'bigint' ? String(v) : v))?.slice(0, 500)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}

/** A TCP port free on 127.0.0.1 at the time of asking. */
/**
 * A port free now, below the kernel's ephemeral range (32768 and up): a test that stops a server
 * and starts it again on the same port (a restart) would otherwise find it taken meanwhile by any
 * process that asked the kernel for a port, e.g. a Temporal test server of another test file, and
 * talk HTTP to its gRPC.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await listensOn(port)) return port;
  }
  return listensOn(0) as Promise<number>;
}

/** The port a listener got on 127.0.0.1 (0: any), released at once; 0 when it was taken. */
function listensOn(port: number): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(0));
    server.listen(port, '127.0.0.1', () => {
      const { port: got } = server.address() as AddressInfo;
      server.close(() => resolve(got));
    });
  });
}

/**
 * The settings of an `npm start` for an end-to-end test: a new data dir, free ports, its own task
 * queue. The Temporal runtime is installed quiet first.
 */
export async function npmStartEnv(tag: string, daySeconds: number): Promise<{ dataDir: string; env: Record<string, string> }> {
  quietTemporalRuntime();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `silver-${tag}-`));
  const env = {
    PORT: String(await freePort()),
    SILVER_TEMPORAL_PORT: String(await freePort()),
    SILVER_TEMPORAL_UI_PORT: String(await freePort()),
    SILVER_DATA_DIR: dataDir,
    SILVER_DAY_SECONDS: String(daySeconds),
    TEMPORAL_TASK_QUEUE: `silver-${tag}`,
    // waitFor polls every 50 ms, 1,200 calls a minute from one key: past the default limit.
    SILVER_RATE_LIMIT_PER_MINUTE: '1000000',
  };
  return { dataDir, env };
}

/** A JSON call with a key to the API at `apiUrl`. */
export async function callApi(
  apiUrl: string | undefined,
  method: string,
  url: string,
  key: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${apiUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** `npm run backup|restore -- FILE` on the data dir given: its exit code and all it printed. */
export function npmRunBackup(script: 'backup' | 'restore', file: string, dataDir: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '-s', script, '--', file], { cwd: PROJECT_ROOT, env: { ...process.env, SILVER_DATA_DIR: dataDir } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => resolve({ code, out }));
  });
}
