/**
 * `npm run test:faults`: lifecycles driven through a cluster (system/cluster.ts: a Temporal server on
 * PostgreSQL, API and worker processes) while it is disturbed: a random API or worker process is
 * SIGKILLed every few seconds (its supervisor starts it again), PostgreSQL is stopped for a while,
 * and the Temporal server is restarted. Then verify.ts checks that nothing was lost or doubled.
 * Prints its figures; exits 1 if any check fails.
 *
 *   npm run test:faults -- [--lifecycles 100] [--recipients 5] [--concurrency 8] [--outage-seconds 60]
 *                          [--kill-every 4-8] [--no-temporal-restart] [--seed N]
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster, type Cluster } from '../../system/cluster';
import { MAX_FRONTEND_PORT } from '../../temporal/cluster-server';
import { createPgServer, type PgServer } from '../support/pg-server';
import { freePort } from '../support/system';
import { ClusterClient } from './client';
import { disturb, type Disturbances } from './disturb';
import { runLifecycle, type LifecycleResult, type People } from './lifecycle';
import { verify, type Verdict } from './verify';

const REQUESTERS = ['IT', 'FR', 'ES', 'DE'];
const RECIPIENTS = ['BE', 'NL', 'AT', 'PT', 'GR', 'IE', 'SE', 'PL'];

function options() {
  const { values } = parseArgs({
    options: {
      lifecycles: { type: 'string', default: '100' },
      recipients: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '8' },
      'outage-seconds': { type: 'string', default: '60' },
      'kill-every': { type: 'string', default: '4-8' },
      'no-temporal-restart': { type: 'boolean', default: false },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    },
  });
  const [killMin, killMax] = values['kill-every'].split('-').map(Number);
  const lifecycles = Number(values.lifecycles);
  const recipients = Number(values.recipients);
  if (!(lifecycles >= 1) || !(recipients >= 1 && recipients <= RECIPIENTS.length - 1) || !(killMin > 0 && killMax >= killMin)) {
    throw new Error('bad options: see the usage at the top of test/faults/run.ts');
  }
  return {
    lifecycles,
    recipients,
    concurrency: Number(values.concurrency),
    outageSeconds: Number(values['outage-seconds']),
    killEveryMs: [killMin * 1000, killMax * 1000] as const,
    temporalRestart: !values['no-temporal-restart'],
    seed: Number(values.seed),
  };
}

/** A small seeded generator, so a run's choices can be replayed with --seed. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0), s / 2 ** 32);
}

/** `length` free ports in a row, the first at most `maxFirst` (the Temporal server takes nine, the APIs one each). */
async function freePortRun(length: number, rng: () => number, maxFirst = 60_000): Promise<number> {
  for (;;) {
    const first = 20_000 + Math.floor(rng() * (maxFirst - 20_000));
    const free = await Promise.all(Array.from({ length }, (_, i) => portIsFree(first + i)));
    if (free.every(Boolean)) return first;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function people(client: ClusterClient, adminKey: string, o: ReturnType<typeof options>): Promise<People> {
  const participants = REQUESTERS;
  const pilot = { participants, quotaTotal: participants.length * o.lifecycles, recipientsLimitedToParticipants: false };
  await client.call('PUT', '/v1/pilot', { key: adminKey, body: pilot });
  const key = async (role: string, country?: string) => {
    const reply = await client.call('POST', '/v1/api-keys', {
      key: adminKey,
      body: { role, country, label: `${role} ${country ?? ''}`.trim() },
    });
    if (reply.status !== 201) throw new Error(`creating a key: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.key as string;
  };
  const byCountry = async (codes: string[]) => Object.fromEntries(await Promise.all(codes.map(async (c) => [c, await key('NCB', c)])));
  return { requesters: await byCountry(REQUESTERS), recipients: await byCountry(RECIPIENTS), reviewer: await key('REVIEWER') };
}

async function main(): Promise<void> {
  const o = options();
  const rng = random(o.seed);
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'silver-faults-'));
  const say = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  say(`seed ${o.seed}; a PostgreSQL server of this run's own, then the cluster (2 API and 2 worker processes) ...`);
  const pg: PgServer = await createPgServer(await freePort());
  let cluster: Cluster | undefined;
  let exitCode = 1;
  try {
    cluster = await startCluster({
      postgresUrl: pg.url,
      name: 'silver',
      apis: 2,
      workers: 2,
      apiPort: await freePortRun(2, rng),
      temporalPort: await freePortRun(9, rng, MAX_FRONTEND_PORT),
      dataDir,
      // Rate limits are not what this run is about; its few keys make many calls.
      env: { LOG_LEVEL: 'warn', SILVER_RATE_LIMIT_PER_MINUTE: '1000000' },
      say,
    });
    const client = new ClusterClient(cluster.apiUrls);
    const cast = await people(client, cluster.adminKey, o);
    say(`${o.lifecycles} lifecycles with ${o.recipients} recipients each, ${o.concurrency} at a time`);

    const results: LifecycleResult[] = [];
    const errors: string[] = [];
    let next = 0;
    const progress = () => results.length + errors.length;
    const lanes = Array.from({ length: o.concurrency }, async () => {
      while (next < o.lifecycles) {
        const i = next++;
        const requester = REQUESTERS[i % REQUESTERS.length];
        const pool = RECIPIENTS.filter((c) => c !== requester).sort(() => rng() - 0.5);
        try {
          results.push(await runLifecycle(client, cast, requester, pool.slice(0, o.recipients)));
        } catch (err) {
          errors.push((err as Error).message);
        }
        if (progress() % 10 === 0) say(`${progress()} of ${o.lifecycles} lifecycles done`);
      }
    });
    const disturbances: Disturbances = await disturb({
      cluster,
      pg,
      client,
      rng,
      say,
      killEveryMs: o.killEveryMs,
      outageSeconds: o.outageSeconds,
      temporalRestart: o.temporalRestart,
      progress: () => progress() / o.lifecycles,
      work: Promise.all(lanes).then(() => undefined),
    });
    say('every lifecycle has ended; checking the database ...');
    const verdict = await verify({
      databaseUrl: cluster.databaseUrl,
      client,
      adminKey: cluster.adminKey,
      results,
      expected: { lifecycles: o.lifecycles, recipients: o.recipients },
    });
    const failures = [...errors, ...verdict.failures, ...client.counters.defects, ...disturbances.failures];
    const refused = results.reduce((n, r) => n + r.refusedRepeats, 0);
    if (refused) failures.push(`${refused} repeated answers refused (409) although their first attempt was recorded`);
    report(o, verdict, disturbances, client, (Date.now() - started) / 1000);
    for (const f of failures.slice(0, 50)) console.log(`  FAILED: ${f}`);
    exitCode = failures.length ? 1 : 0;
  } finally {
    await cluster?.stop().catch((err) => say(`stopping the cluster: ${(err as Error).message}`));
    await pg.destroy().catch(() => undefined);
    if (exitCode === 0) fs.rmSync(dataDir, { recursive: true, force: true });
    else say(`logs of every process kept in ${dataDir}/logs`);
  }
  process.exit(exitCode);
}

function report(o: ReturnType<typeof options>, v: Verdict, d: Disturbances, client: ClusterClient, seconds: number): void {
  const c = client.counters;
  const lines = [
    '',
    `Fault run (seed ${o.seed}): ${o.lifecycles} lifecycles x ${o.recipients} recipients on 2 API and 2 worker processes, Temporal server on PostgreSQL`,
    `  lifecycles COMPLETED      ${v.completed} of ${o.lifecycles} (${v.requests} requests recorded)`,
    `  processes SIGKILLed       ${d.kills.api + d.kills.worker} (API ${d.kills.api}, worker ${d.kills.worker}), each started again by its supervisor`,
    `  PostgreSQL outage         ${d.outageSeconds} s: ${d.outageProbes.unavailable} probes answered 503 + Retry-After, ${d.outageProbes.refused} found the process restarting, ${d.outageProbes.other} answered otherwise`,
    `  Temporal server restarts  ${d.temporalRestarts}`,
    `  answers                   ${v.answersConfirmed} confirmed, ${v.answersRecorded} recorded: lost ${v.answersLost}, doubled ${v.answersDoubled}`,
    `  steps written twice       ${v.stepsDoubled} (approvals, screenings, publications, completions)`,
    `  references                ${v.references.first} .. ${v.references.last}: ${v.references.gaps} gaps, ${v.references.duplicates} duplicates`,
    `  quota usage               ${v.quota.equal ? 'equals' : 'DIFFERS FROM'} the requests holding it ${JSON.stringify(v.quota.holding)}`,
    `  audit chain               ${v.auditIntact ? 'intact' : 'BROKEN'} (${v.auditEvents} events)`,
    `  calls                     ${c.calls}: ${c.connectionErrors} broken connections, ${c.unavailable} answered 503 + Retry-After, ${c.rateLimited} 429`,
    `  5xx other than 503        ${c.defects.filter((x) => / 5\d\d /.test(x)).length}`,
    `  duration                  ${seconds.toFixed(0)} s`,
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
