/**
 * The disturbances of a fault run, while its lifecycles go on: a random API or worker process
 * SIGKILLed every few seconds (its supervisor starts it again); PostgreSQL stopped for a while once
 * a quarter of the lifecycles are done, with the API probed meanwhile (it must answer 503 with
 * Retry-After, never another 5xx); the Temporal server restarted once 60 % are done.
 */
import type { Cluster } from '../../system/cluster';
import type { PgServer } from '../support/pg-server';
import type { ClusterClient } from './client';

export interface Disturbances {
  kills: { api: number; worker: number };
  outageSeconds: number;
  /** What the API answered while PostgreSQL was down: 503 + Retry-After, no connection (a process restarting), anything else. */
  outageProbes: { unavailable: number; refused: number; other: number };
  temporalRestarts: number;
  failures: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function disturb(opts: {
  cluster: Cluster;
  pg: PgServer;
  client: ClusterClient;
  rng: () => number;
  say: (line: string) => void;
  killEveryMs: readonly [number, number];
  outageSeconds: number;
  temporalRestart: boolean;
  /** The share of lifecycles ended, 0 to 1. */
  progress: () => number;
  work: Promise<void>;
}): Promise<Disturbances> {
  const d: Disturbances = {
    kills: { api: 0, worker: 0 },
    outageSeconds: 0,
    outageProbes: { unavailable: 0, refused: 0, other: 0 },
    temporalRestarts: 0,
    failures: [],
  };
  let done = false;
  void opts.work.finally(() => (done = true));
  const until = async (reached: () => boolean) => {
    while (!done && !reached()) await sleep(250);
  };

  const killing = (async () => {
    const processes = [...opts.cluster.apis.map((p) => ['api', p] as const), ...opts.cluster.workers.map((p) => ['worker', p] as const)];
    for (;;) {
      const [min, max] = opts.killEveryMs;
      const wake = Date.now() + min + opts.rng() * (max - min);
      await until(() => Date.now() >= wake);
      if (done) return;
      const [kind, victim] = processes[Math.floor(opts.rng() * processes.length)];
      if (victim.kill('SIGKILL')) d.kills[kind]++;
    }
  })();

  const scenario = (async () => {
    if (opts.outageSeconds > 0) {
      await until(() => opts.progress() >= 0.25);
      if (done) d.failures.push('the lifecycles ended before the PostgreSQL outage could start');
      else await outage(opts, d);
    }
    if (opts.temporalRestart) {
      await until(() => opts.progress() >= 0.6);
      if (done) d.failures.push('the lifecycles ended before the Temporal server could be restarted');
      else {
        opts.say('restarting the Temporal server');
        await opts.cluster.restartTemporal();
        d.temporalRestarts++;
        opts.say('the Temporal server is back');
      }
    }
  })();

  await opts.work;
  await Promise.all([killing, scenario]);
  return d;
}

async function outage(opts: Parameters<typeof disturb>[0], d: Disturbances): Promise<void> {
  opts.say(`stopping PostgreSQL for ${opts.outageSeconds} s`);
  const stoppedAt = Date.now();
  await opts.pg.stop();
  const end = stoppedAt + opts.outageSeconds * 1000;
  while (Date.now() < end) {
    for (const url of opts.client.apiUrls()) {
      try {
        const reply = await opts.client.once(url, 'GET', '/v1/pilot', { key: opts.cluster.adminKey });
        const told =
          reply.headers.get('content-type')?.startsWith('application/problem+json') && Number(reply.headers.get('retry-after')) > 0;
        if (reply.status === 503 && told) d.outageProbes.unavailable++;
        else {
          d.outageProbes.other++;
          if (reply.status >= 500)
            d.failures.push(`during the outage ${url} answered ${reply.status} ${JSON.stringify(reply.body)?.slice(0, 200)}`);
        }
      } catch {
        d.outageProbes.refused++;
      }
    }
    await sleep(2000);
  }
  await opts.pg.start();
  d.outageSeconds = Math.round((Date.now() - stoppedAt) / 1000);
  opts.say(`PostgreSQL is back after ${d.outageSeconds} s`);
}
