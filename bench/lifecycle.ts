/**
 * `npm run bench:lifecycle`: publication to 195 recipients and whole lifecycles (submit, approve,
 * every recipient answers finally, COMPLETED) through the real API, next to the same shape run as
 * the bare `baselineLifecycleWorkflow` (empty activities) on the same Temporal server and worker,
 * driven straight through the Temporal client.
 *
 * Counts: BENCH_PUBLISH_RUNS (5) publications to 195; BENCH_LIFECYCLES_2 (10) lifecycles with 2
 * recipients, 4 at a time; BENCH_LIFECYCLES_195 (3) lifecycles with 195 recipients, one at a time.
 * Answers go BENCH_CONCURRENCY (8) at a time in all. In a lifecycle the decision follows the
 * submission at once, before screening has run (the bare workflow's does too).
 */
import crypto from 'node:crypto';
import { MEMBER_COUNTRIES } from '../domain/countries';
import { baselineDecideUpdate, baselineLifecycleWorkflow, baselineRespondUpdate } from './workflows';
import { expectStatus, finalResponse, median, printJson, printTable, ratio, round, run, runPool, uniqueRequest, waitFor } from './support';
import { benchDatabases, startBenchSystem, type BenchDatabase, type BenchSystem } from './system';

const PUBLISH_RUNS = Number(process.env.BENCH_PUBLISH_RUNS ?? 5);
const LIFECYCLES_2 = Number(process.env.BENCH_LIFECYCLES_2 ?? 10);
const LIFECYCLES_195 = Number(process.env.BENCH_LIFECYCLES_195 ?? 3);
const C = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** Lifecycles with 2 recipients in flight: 2 answers each, C requests in all. */
const LANES_2 = Math.max(1, Math.floor(C / 2));
const REQUESTER = 'IT';
const ALL_BUT_REQUESTER = MEMBER_COUNTRIES.map((c) => c.code).filter((c) => c !== REQUESTER);
const TWO = ['FR', 'ES'];

async function main() {
  for (const database of benchDatabases()) {
    const sys = await startBenchSystem({ database });
    try {
      await bench(sys, database);
    } finally {
      await sys.stop();
    }
  }
}

async function bench(sys: BenchSystem, database: BenchDatabase) {
  const { call, env, taskQueue, db } = sys;
  const reviewer = await sys.key('REVIEWER');
  const requester = await sys.ncbKey(REQUESTER);
  await Promise.all(ALL_BUT_REQUESTER.map((c) => sys.ncbKey(c)));
  if (ALL_BUT_REQUESTER.length !== 195) throw new Error(`expected 195 recipients, have ${ALL_BUT_REQUESTER.length}`);

  const submit = async (recipients: string[]) => {
    const body =
      recipients.length === 195 ? uniqueRequest('L', { kind: 'NOTICE', recipients: undefined }) : uniqueRequest('L', { recipients });
    return expectStatus(await call('POST', '/v1/notices', requester, body), 201, 'POST /v1/notices').body.id as string;
  };
  const approve = async (id: string, recipients: number) => {
    const a = expectStatus(await call('POST', `/v1/notices/${id}/decisions`, reviewer, { decision: 'APPROVE' }), 200, 'decision');
    if (a.body.status !== 'PUBLISHED' || a.body.recipients.length !== recipients) {
      throw new Error(`decision: expected PUBLISHED to ${recipients}, got ${a.body.status} to ${a.body.recipients?.length}`);
    }
  };

  /** Real: submit, approve, every recipient answers finally (answerLanes at a time), COMPLETED. */
  const realLifecycle = async (recipients: string[], answerLanes: number) => {
    const id = await submit(recipients);
    await approve(id, recipients.length);
    await runPool(recipients.length, answerLanes, async (i) =>
      expectStatus(await call('POST', `/v1/notices/${id}/responses`, await sys.ncbKey(recipients[i]), finalResponse), 201, 'response'),
    );
    const status = await env.client.workflow.getHandle(id).result();
    if (status !== 'COMPLETED') throw new Error(`lifecycle ended ${status}`);
  };
  /** Baseline: the same steps on the bare workflow, through the Temporal client. */
  const baselineLifecycle = async (recipients: string[], answerLanes: number) => {
    const handle = await env.client.workflow.start(baselineLifecycleWorkflow, {
      workflowId: crypto.randomUUID(),
      taskQueue,
      args: [recipients.length],
    });
    const published = await handle.executeUpdate(baselineDecideUpdate);
    if (published !== 'PUBLISHED') throw new Error(`baseline decision answered ${published}`);
    await runPool(recipients.length, answerLanes, (i) => handle.executeUpdate(baselineRespondUpdate, { args: [recipients[i]] }));
    const status = await handle.result();
    if (status !== 'COMPLETED') throw new Error(`baseline lifecycle ended ${status}`);
  };
  const lifecycles = async (count: number, lanes: number, f: () => Promise<void>) => {
    const r = await runPool(count, lanes, () => f());
    return { perSecond: round((count / r.elapsedMs) * 1000, 2), p50Seconds: round(median(r.latencies) / 1000, 2) };
  };

  // Warm-up: one small lifecycle of each kind.
  await realLifecycle(TWO, 2);
  await baselineLifecycle(TWO, 2);

  // Publication to 195 recipients: the APPROVE that publishes, once screening is done.
  const realPublish: number[] = [];
  const basePublish: number[] = [];
  for (let i = 0; i < PUBLISH_RUNS; i++) {
    const id = await submit(ALL_BUT_REQUESTER);
    await waitFor('screening', async () => (await db.prisma.notice.findUniqueOrThrow({ where: { id } })).status === 'UNDER_REVIEW');
    const t0 = performance.now();
    await approve(id, 195);
    realPublish.push(performance.now() - t0);

    const handle = await env.client.workflow.start(baselineLifecycleWorkflow, { workflowId: crypto.randomUUID(), taskQueue, args: [195] });
    await waitFor('baseline screening', async () => (await handle.describe()).historyLength >= 10);
    const t1 = performance.now();
    await handle.executeUpdate(baselineDecideUpdate);
    basePublish.push(performance.now() - t1);
  }

  const two = {
    baseline: await lifecycles(LIFECYCLES_2, LANES_2, () => baselineLifecycle(TWO, 2)),
    real: await lifecycles(LIFECYCLES_2, LANES_2, () => realLifecycle(TWO, 2)),
  };
  const all = {
    baseline: await lifecycles(LIFECYCLES_195, 1, () => baselineLifecycle(ALL_BUT_REQUESTER, C)),
    real: await lifecycles(LIFECYCLES_195, 1, () => realLifecycle(ALL_BUT_REQUESTER, C)),
  };
  const publish = { baseline: round(median(basePublish)), real: round(median(realPublish)) };

  const row = (measure: string, base: number, real: number) => ({ measure, baseline: base, real, 'real/baseline': ratio(real, base) });
  printTable(
    `Lifecycle on ${database} (real: through the API; baseline: baselineLifecycleWorkflow with empty activities, through the Temporal client)`,
    [
      row(`publish to 195: APPROVE -> PUBLISHED, median of ${PUBLISH_RUNS} (ms)`, publish.baseline, publish.real),
      row(`2 recipients: lifecycles/s (${LIFECYCLES_2}, ${LANES_2} at a time)`, two.baseline.perSecond, two.real.perSecond),
      row('2 recipients: one lifecycle, median (s)', two.baseline.p50Seconds, two.real.p50Seconds),
      row(
        `195 recipients: lifecycles/s (${LIFECYCLES_195}, one at a time, ${C} answers in flight)`,
        all.baseline.perSecond,
        all.real.perSecond,
      ),
      row('195 recipients: one lifecycle, median (s)', all.baseline.p50Seconds, all.real.p50Seconds),
    ],
  );
  printJson('lifecycle', {
    concurrency: C,
    database,
    storage: process.env.BENCH_STORAGE === 'memory' ? 'memory' : 'disk',
    publish195Ms: { ...publish, runs: PUBLISH_RUNS, ratio: ratio(publish.real, publish.baseline) },
    lifecycles2: {
      ...two,
      count: LIFECYCLES_2,
      lanes: LANES_2,
      ratio: { perSecond: ratio(two.real.perSecond, two.baseline.perSecond), p50: ratio(two.real.p50Seconds, two.baseline.p50Seconds) },
    },
    lifecycles195: {
      ...all,
      count: LIFECYCLES_195,
      lanes: 1,
      ratio: { perSecond: ratio(all.real.perSecond, all.baseline.perSecond), p50: ratio(all.real.p50Seconds, all.baseline.p50Seconds) },
    },
  });
}

run(main);
