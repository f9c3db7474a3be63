/**
 * `npm run bench:load`: the system under many open requests, run as an operator runs it: a
 * Temporal server of its own, and the system's processes (one process on the embedded database;
 * separate API and worker processes on PostgreSQL with BENCH_DATABASE_URL).
 *
 * With 10 open requests, then with BENCH_LOAD_OPEN (10,000) published requests whose recipients
 * have not answered (every deadline timer armed): p50 and p99 of a submission, a decision that
 * publishes, an interim answer, a recipient's inbox and the reviewer's list (BENCH_LOAD_SAMPLES,
 * 100, of each); resident memory of each process; then the whole system stopped and started again
 * with them in place, timed to ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { NATIVE_HEAP_ENV } from '../system/cluster';
import { newPayloadKey } from '../temporal/codec';
import { TEMPORAL_CLI } from '../temporal/toolchain';
import {
  client,
  expectStatus,
  freePorts,
  percentile,
  printJson,
  printTable,
  ratio,
  ROOT,
  round,
  run,
  runPool,
  sleep,
  tempDir,
  treeRss,
  uniqueRequest,
  waitFor,
} from './support';
import { benchDatabases, type BenchDatabase } from './system';

const OPEN = Number(process.env.BENCH_LOAD_OPEN ?? 10_000);
const SAMPLES = Number(process.env.BENCH_LOAD_SAMPLES ?? 100);
const C = Number(process.env.BENCH_CONCURRENCY ?? 8);
const REQUESTERS = ['IT', 'DE', 'NL', 'BE', 'PT', 'AT', 'GR', 'PL'];
const RECIPIENTS = ['FR', 'ES'];

interface Running {
  name: string;
  child: ChildProcess;
}

function spawnLogged(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, dir: string): Running {
  const out = fs.openSync(path.join(dir, `${name}.log`), 'a');
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...NATIVE_HEAP_ENV, ...process.env, ...env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  return { name, child };
}

async function stop(r: Running): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  const exited = new Promise((resolve) => r.child.once('exit', resolve));
  process.kill(-r.child.pid!, 'SIGTERM');
  await Promise.race([exited, sleep(30_000)]);
}

/** Waits for the start-up banner; on failure the process's log says why. */
async function running(p: Running, dir: string): Promise<void> {
  const log = () => fs.readFileSync(path.join(dir, `${p.name}.log`), 'utf8');
  try {
    await waitFor(
      `${p.name} to be running`,
      async () => {
        if (p.child.exitCode !== null) throw new Error(`${p.name} exited with ${p.child.exitCode}`);
        return log().includes('is running');
      },
      180_000,
      200,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; its log ends:\n${log().slice(-3000)}`, { cause: err });
  }
}

/** The system's processes, up and ready: one on the embedded database, worker then API on PostgreSQL. */
async function startSystem(database: BenchDatabase, env: NodeJS.ProcessEnv, dir: string, baseUrl: string): Promise<Running[]> {
  const main = ['--enable-source-maps', 'dist/main.js'];
  const started: Running[] = [];
  for (const mode of database === 'pglite' ? ['all'] : ['worker', 'api']) {
    const p = spawnLogged(mode, process.execPath, [...main, mode], env, dir);
    started.push(p);
    await running(p, dir);
  }
  await waitFor('the API to be ready', async () => (await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.status === 200, 180_000, 200);
  return started;
}

/** A database of its own on BENCH_DATABASE_URL's server; its URL, and how to drop it. */
async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = process.env.BENCH_DATABASE_URL!;
  const name = `silver_load_${crypto.randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new PgClient({ connectionString: server });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

const rssOf = (processes: Running[]) => Object.fromEntries(processes.map((p) => [p.name, treeRss(p.child.pid!).totalMb]));

async function benchOn(database: BenchDatabase) {
  const dir = tempDir(`load-${database}`);
  const [port, temporalPort, uiPort] = await freePorts(3);
  const adminKey = `snk_${crypto.randomBytes(24).toString('base64url')}`;
  const pg = database === 'postgres' ? await freshPostgres() : undefined;
  const temporal = spawnLogged(
    'temporal',
    TEMPORAL_CLI,
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(temporalPort),
      '--ui-port',
      String(uiPort),
      '--db-filename',
      path.join(dir, 'temporal.sqlite'),
      '--log-level',
      'error',
    ],
    {},
    dir,
  );
  const env: NodeJS.ProcessEnv = {
    PORT: String(port),
    SILVER_DATA_DIR: path.join(dir, 'data'),
    SILVER_ADMIN_KEY: adminKey,
    SILVER_RATE_LIMIT_PER_MINUTE: '1000000',
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_TASK_QUEUE: 'load',
    // Separate processes must share the key their payloads are encrypted with.
    SILVER_PAYLOAD_KEY: newPayloadKey(),
    DATABASE_URL: pg?.url ?? '',
    LOG_LEVEL: 'warn',
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const call = client(baseUrl);
  let processes: Running[] = [];
  try {
    await waitFor('the Temporal server', async () => fs.existsSync(path.join(dir, 'temporal.sqlite')), 60_000, 200);
    await sleep(2000);
    processes = await startSystem(database, env, dir, baseUrl);

    // Keys and the pilot, as an administrator sets them up.
    const pilot = { participants: [...REQUESTERS, ...RECIPIENTS], quotaTotal: 1_000_000, recipientsLimitedToParticipants: false };
    expectStatus(await call('PUT', '/v1/pilot', adminKey, pilot), 200, 'pilot');
    const keyFor = async (body: object) => expectStatus(await call('POST', '/v1/api-keys', adminKey, body), 201, 'key').body.key as string;
    const requesters = await Promise.all(REQUESTERS.map((country) => keyFor({ role: 'NCB', country })));
    const [france, reviewer] = [await keyFor({ role: 'NCB', country: 'FR' }), await keyFor({ role: 'REVIEWER' })];

    const submit = async (i: number) =>
      expectStatus(
        await call('POST', '/v1/notices', requesters[i % requesters.length], uniqueRequest('L', { recipients: RECIPIENTS })),
        201,
        'submit',
      ).body.id as string;
    const approve = async (id: string) =>
      expectStatus(await call('POST', `/v1/notices/${id}/decisions`, reviewer, { decision: 'APPROVE' }), 200, 'approve');
    const published: string[] = [];
    const populate = async (count: number) => {
      const made = await runPool(count, C, async (i) => {
        const id = await submit(i);
        await approve(id);
        return id;
      });
      published.push(...made.results);
    };

    /** p50 and p99 of each call the people of the system make most. */
    const measure = async () => {
      const time = async (f: (i: number) => Promise<unknown>) => {
        const r = await runPool(SAMPLES, Math.min(C, 4), f);
        return { p50: round(percentile(r.latencies, 50)), p99: round(percentile(r.latencies, 99)) };
      };
      const submitted: string[] = [];
      const figures = {
        submission: await time(async (i) => submitted.push(await submit(i))),
        decision: await time(async (i) => approve(submitted[i])),
        answer: await time(async (i) =>
          expectStatus(
            await call('POST', `/v1/notices/${published[(i * 7919) % published.length]}/responses`, france, {
              outcome: 'NO_ASSETS_FOUND',
              final: false,
            }),
            201,
            'answer',
          ),
        ),
        inbox: await time(async () => expectStatus(await call('GET', '/v1/notices?as=RECIPIENT&limit=20', france), 200, 'inbox')),
        reviewerList: await time(async () => expectStatus(await call('GET', '/v1/notices?limit=20', reviewer), 200, 'reviewer list')),
      };
      published.push(...submitted);
      return figures;
    };

    await populate(10);
    const few = await measure();
    const t0 = performance.now();
    await populate(OPEN - published.length);
    const populateSeconds = round((performance.now() - t0) / 1000);
    await sleep(5000);
    const many = await measure();
    const rssLoaded = rssOf(processes);

    // Stop everything but the Temporal server and the database, then start again with all in place.
    for (const p of processes) await stop(p);
    const t1 = performance.now();
    processes = await startSystem(database, env, dir, baseUrl);
    const startSeconds = round((performance.now() - t1) / 1000);
    await sleep(5000);
    const rssRestarted = rssOf(processes);

    const rows = (Object.keys(few) as (keyof typeof few)[]).flatMap((k) => [
      {
        measure: `${k} p50 (ms)`,
        [`10 open`]: few[k].p50,
        [`${published.length} open`]: many[k].p50,
        ratio: ratio(many[k].p50, few[k].p50),
      },
      {
        measure: `${k} p99 (ms)`,
        [`10 open`]: few[k].p99,
        [`${published.length} open`]: many[k].p99,
        ratio: ratio(many[k].p99, few[k].p99),
      },
    ]);
    printTable(`Load on ${database}: ${SAMPLES} calls of each kind with 10 and with ${published.length} open requests`, rows);
    printTable(`Memory and start-up on ${database} (MiB; the Temporal server apart: ${treeRss(temporal.child.pid!).totalMb} MiB)`, [
      ...Object.entries(rssLoaded).map(([name, mb]) => ({ measure: `${name} resident, loaded`, value: mb })),
      ...Object.entries(rssRestarted).map(([name, mb]) => ({ measure: `${name} resident, after a restart`, value: mb })),
      { measure: `start-up to ready with ${published.length} open (s)`, value: startSeconds },
      { measure: `populating (s)`, value: populateSeconds },
    ]);
    printJson('load', {
      database,
      open: published.length,
      samples: SAMPLES,
      few,
      many,
      rssLoaded,
      rssRestarted,
      startSeconds,
      populateSeconds,
    });
  } finally {
    for (const p of processes) await stop(p);
    await stop(temporal);
    await pg?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

run(async () => {
  for (const database of benchDatabases()) await benchOn(database);
});
