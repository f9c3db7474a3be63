/**
 * `npm run test:fuzz`: schemathesis (pinned in requirements.txt beside this file, installed into
 * .tools/schemathesis) against /openapi.json of a running system, once with each role's key: every
 * operation, every check (no 5xx, every answer as documented, valid input accepted and invalid
 * input refused, undeclared methods refused with 405), and the stateful phase that follows the
 * document's links (create -> read -> act). Prints the operations and cases; exits 1 on any failure.
 *
 *   npm run test:fuzz -- [--max-examples 25] [--seed N] [--roles ADMIN,REVIEWER,NCB,CCF]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, sampleRequest, freshRequest } from '../support/system';

const ROOT = path.resolve(__dirname, '../..');
const REQUIREMENTS = path.join(__dirname, 'requirements.txt');
const TOOL_DIR = path.join(ROOT, '.tools', 'schemathesis');
/** The ADMIN runs last: it may change the pilot under the others' feet. */
const ROLES = ['NCB', 'REVIEWER', 'CCF', 'ADMIN'] as const;
type Role = (typeof ROLES)[number];

function ensureSchemathesis(): void {
  const pins = crypto.createHash('sha256').update(fs.readFileSync(REQUIREMENTS)).digest('hex').slice(0, 16);
  const stamp = path.join(TOOL_DIR, `.installed-${pins}`);
  if (fs.existsSync(stamp)) return;
  console.log('Installing the pinned schemathesis (test/fuzz/requirements.txt) from PyPI into .tools/schemathesis ...');
  fs.rmSync(TOOL_DIR, { recursive: true, force: true });
  execFileSync(
    process.env.PYTHON ?? 'python3',
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', TOOL_DIR, '--requirement', REQUIREMENTS],
    { stdio: 'inherit', env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
  );
  fs.writeFileSync(stamp, new Date().toISOString());
}

/** `npm start`'s single process (embedded database and Temporal) on free ports, in a data dir of its own. */
async function startSystem(adminKey: string): Promise<{ url: string; stop(): Promise<void>; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'silver-fuzz-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      SILVER_DATA_DIR: dataDir,
      SILVER_ADMIN_KEY: adminKey,
      SILVER_TEMPORAL_PORT: String(await freePort()),
      SILVER_TEMPORAL_UI_PORT: String(await freePort()),
      // Thousands of calls a minute from one key: the limiter is not what is fuzzed here.
      SILVER_RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || i > 240) throw new Error('the system did not start');
    await new Promise((r) => setTimeout(r, 500));
  }
  const exited = new Promise((r) => child.once('exit', r));
  return {
    url,
    dataDir,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function call(url: string, key: string, method: string, p: string, body: unknown): Promise<any> {
  const res = await fetch(`${url}${p}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A key for each role; the NCB's country takes part in the pilot, with quota enough for every case. */
async function keys(url: string, adminKey: string): Promise<Record<Role, string>> {
  await call(url, adminKey, 'PUT', '/v1/pilot', {
    participants: ['IT', 'FR', 'ES', 'DE'],
    quotaTotal: 400_000,
    recipientsLimitedToParticipants: false,
  });
  const key = async (role: Role, country?: string) =>
    (await call(url, adminKey, 'POST', '/v1/api-keys', { role, country, label: `fuzz ${role}` })).key;
  return { ADMIN: adminKey, REVIEWER: await key('REVIEWER'), NCB: await key('NCB', 'IT'), CCF: await key('CCF') };
}

/**
 * Something for each role to act on, so that the stateful phase gets past creating a request: the
 * lists each role reads start with requests it may act on (the links lead from a list's first item
 * to every action, as the catalogue's registry declares them). The NCB's requests under review and
 * published; a diffusion from another country to the NCB's, published, so it acts as a recipient;
 * one published request the CCF has blocked; and a webhook for the NCB's country.
 */
async function seed(url: string, byRole: Record<Role, string>, adminKey: string): Promise<void> {
  const other = (await call(url, adminKey, 'POST', '/v1/api-keys', { role: 'NCB', country: 'FR', label: 'fuzz FR' })).key;
  const submitted = async (key: string, body: unknown) => (await call(url, key, 'POST', '/v1/notices', body)).id as string;
  const approve = (id: string) => call(url, byRole.REVIEWER, 'POST', `/v1/notices/${id}/decisions`, { decision: 'APPROVE' });
  const ids = {
    toBlock: await submitted(byRole.NCB, freshRequest({ kind: 'DIFFUSION', recipients: ['FR', 'ES'] })),
    published: await submitted(byRole.NCB, freshRequest({ kind: 'DIFFUSION', recipients: ['FR', 'ES'] })),
    toIt: await submitted(other, freshRequest({ kind: 'DIFFUSION', recipients: ['IT', 'ES'] })),
  };
  await new Promise((r) => setTimeout(r, 3000)); // screening runs in the workflow
  for (const id of Object.values(ids)) await approve(id);
  await call(url, byRole.CCF, 'POST', `/v1/notices/${ids.toBlock}/blocking`, { reason: 'A complaint is examined' });
  await call(url, adminKey, 'PUT', '/v1/webhooks/IT', { url: 'http://127.0.0.1:9/silver' });
  await submitted(byRole.NCB, freshRequest()); // the newest, under review: first in every list
}

/**
 * Requests (three sharing an account, so they are linked) and refused calls, so every list has a
 * second page; the cursor of each, which the fuzzer is given as the value of `cursor` (a cursor is
 * the server's to issue: any other is refused, as documented).
 */
async function cursors(url: string, byRole: Record<Role, string>): Promise<Record<string, string>> {
  for (let i = 0; i < 3; i++) await call(url, byRole.NCB, 'POST', '/v1/notices', sampleRequest());
  for (let i = 0; i < 2; i++) await fetch(`${url}/v1/notices`, { headers: { authorization: 'Bearer not-a-key' } });
  await new Promise((r) => setTimeout(r, 3000)); // screening and linking run in the workflow
  const next = async (key: string, list: string) => {
    const page = await call(url, key, 'GET', `/v1/${list}?limit=1`, undefined);
    if (!page.nextCursor) throw new Error(`/v1/${list} has no second page to fuzz`);
    return page.nextCursor as string;
  };
  return {
    'GET /v1/notices': await next(byRole.REVIEWER, 'notices'),
    'GET /v1/links': await next(byRole.REVIEWER, 'links'),
    'GET /v1/security-events': await next(byRole.ADMIN, 'security-events'),
  };
}

/** schemathesis.toml: the server-issued values of the cursor parameters. */
function writeConfig(dir: string, cursorOf: Record<string, string>): string {
  const file = path.join(dir, 'schemathesis.toml');
  const operations = Object.entries(cursorOf).map(
    ([operation, cursor]) => `[[operations]]\ninclude-name = "${operation}"\nparameters = { cursor = "${cursor}" }\n`,
  );
  fs.writeFileSync(file, operations.join('\n'));
  return file;
}

interface RunFigures {
  role: Role;
  operations: number;
  cases: number;
  failures: number;
  ok: boolean;
}

function fuzz(url: string, role: Role, key: string, maxExamples: number, seed: number, reportDir: string, config: string): RunFigures {
  const junit = path.join(reportDir, `${role}.xml`);
  const run = spawnSync(
    process.env.PYTHON ?? 'python3',
    [
      '-m',
      'schemathesis.cli',
      '--config-file',
      config,
      'run',
      `${url}/openapi.json`,
      '--header',
      `Authorization: Bearer ${key}`,
      '--checks',
      'all',
      '--max-examples',
      String(maxExamples),
      '--seed',
      String(seed),
      // One worker: with two, Hypothesis' shared caches raced ("AST constructor recursion depth mismatch").
      '--workers',
      '1',
      '--request-timeout',
      '60',
      '--report',
      'junit',
      '--report-junit-path',
      junit,
    ],
    {
      cwd: reportDir,
      env: { ...process.env, PYTHONPATH: TOOL_DIR, NO_COLOR: '1', COLUMNS: '160' },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const output = `${run.stdout}${run.stderr}`;
  fs.writeFileSync(path.join(reportDir, `${role}.txt`), output);
  const operations = Number(/Tested:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const cases = Number(/(\d+) generated/.exec(output)?.[1] ?? 0);
  const failures = Number(/(\d+) (?:unique )?failures?/i.exec(output)?.[1] ?? 0);
  if (run.status !== 0) console.log(output.split('\n').slice(-120).join('\n'));
  return { role, operations, cases, failures, ok: run.status === 0 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'max-examples': { type: 'string', default: '25' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      roles: { type: 'string', default: ROLES.join(',') },
    },
  });
  const roles = values.roles.split(',') as Role[];
  if (!roles.every((r) => ROLES.includes(r))) throw new Error(`--roles takes some of ${ROLES.join(',')}`);
  ensureSchemathesis();
  const adminKey = crypto.randomBytes(24).toString('base64url');
  const system = await startSystem(adminKey);
  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'silver-fuzz-report-'));
  const figures: RunFigures[] = [];
  try {
    const byRole = await keys(system.url, adminKey);
    await seed(system.url, byRole, adminKey);
    const config = writeConfig(reportDir, await cursors(system.url, byRole));
    for (const role of roles) {
      console.log(`schemathesis with the ${role} key (seed ${values.seed}) ...`);
      figures.push(fuzz(system.url, role, byRole[role], Number(values['max-examples']), Number(values.seed), reportDir, config));
    }
  } finally {
    await system.stop();
  }
  console.log(`\nFuzzing (schemathesis, seed ${values.seed}, reports in ${reportDir})`);
  for (const f of figures)
    console.log(`  ${f.role.padEnd(9)} ${f.operations} operations, ${f.cases} cases: ${f.ok ? 'no failure' : `${f.failures} FAILURES`}`);
  const total = figures.reduce((n, f) => n + f.cases, 0);
  console.log(`  in all    ${total} cases; ${figures.every((f) => f.ok) ? 'no 5xx, every answer as documented' : 'FAILED'}`);
  process.exit(figures.every((f) => f.ok) ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
