/**
 * `npm run bench:api`: submission and decision through the real API, next to a baseline on the same
 * Express app, worker and Temporal server that only validates the body and starts an empty workflow
 * (submission) or runs the bare baseline decide update (decision).
 *
 * BENCH_REQUESTS (default 200) requests per measured phase, BENCH_CONCURRENCY (default 8) in flight.
 */
import crypto from 'node:crypto';
import { DecisionRequest, NoticeRequest } from '../api/schemas/requests';
import { baselineDecideUpdate, baselineLifecycleWorkflow, emptyNoticeWorkflow } from './workflows';
import { expectStatus, percentile, printJson, printTable, ratio, round, run, runPool, uniqueRequest, waitFor } from './support';
import { benchDatabases, startBenchSystem, type BenchDatabase, type BenchSystem } from './system';

const N = Number(process.env.BENCH_REQUESTS ?? 200);
const C = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WARMUP = 10;
/** Requesting countries, in turn; none of them is a recipient of the sample DIFFUSION (FR, ES). */
const REQUESTERS = ['IT', 'DE', 'NL', 'BE', 'PT', 'AT', 'GR', 'PL'];

interface Phase {
  throughput: number;
  p50: number;
  p99: number;
}

function phase(r: { latencies: number[]; elapsedMs: number }): Phase {
  return {
    throughput: round((r.latencies.length / r.elapsedMs) * 1000),
    p50: round(percentile(r.latencies, 50)),
    p99: round(percentile(r.latencies, 99)),
  };
}

async function main() {
  for (const database of benchDatabases()) await benchOn(database);
}

async function benchOn(database: BenchDatabase) {
  const sys = await startBenchSystem({
    database,
    baselineRoutes: (router, { client, taskQueue }) => {
      // The baseline submission: the same body validation, then an empty workflow.
      router.post('/notices', async (req, res) => {
        const parsed = NoticeRequest.safeParse(req.body);
        if (!parsed.success) {
          res.status(400).json({ errors: parsed.error.issues });
          return;
        }
        const id = crypto.randomUUID();
        await client.workflow.start(emptyNoticeWorkflow, { workflowId: id, taskQueue, args: [] });
        res.status(201).json({ id, status: 'SUBMITTED' });
      });
      // The baseline decision: the same body validation, then the bare workflow's decide update.
      router.post('/notices/:id/decisions', async (req, res) => {
        const parsed = DecisionRequest.safeParse(req.body);
        if (!parsed.success) {
          res.status(400).json({ errors: parsed.error.issues });
          return;
        }
        const status = await client.workflow.getHandle(String(req.params.id)).executeUpdate(baselineDecideUpdate);
        res.status(200).json({ id: req.params.id, status });
      });
    },
  });
  try {
    await bench(sys, database);
  } finally {
    await sys.stop();
  }
}

async function bench(sys: BenchSystem, database: BenchDatabase) {
  const { call, env, taskQueue, db } = sys;
  const reviewer = await sys.key('REVIEWER');
  const ncb = await Promise.all(REQUESTERS.map((c) => sys.ncbKey(c)));

  const submitReal = async (i: number, tag: string) => {
    const a = expectStatus(await call('POST', '/v1/notices', ncb[i % ncb.length], uniqueRequest(tag)), 201, 'POST /v1/notices');
    return a.body.id as string;
  };
  const submitBaseline = async (_i: number, tag: string) => {
    const a = expectStatus(await call('POST', '/bench/baseline/notices', undefined, uniqueRequest(tag)), 201, 'baseline submission');
    return a.body.id as string;
  };
  const decideReal = async (id: string) => {
    const a = expectStatus(await call('POST', `/v1/notices/${id}/decisions`, reviewer, { decision: 'APPROVE' }), 200, 'decision');
    if (a.body.status !== 'PUBLISHED') throw new Error(`decision: expected PUBLISHED, got ${a.body.status}`);
  };
  const decideBaseline = async (id: string) => {
    const a = expectStatus(
      await call('POST', `/bench/baseline/notices/${id}/decisions`, undefined, { decision: 'APPROVE' }),
      200,
      'baseline decision',
    );
    if (a.body.status !== 'PUBLISHED') throw new Error(`baseline decision: expected PUBLISHED, got ${a.body.status}`);
  };
  /** Every real request screened (UNDER_REVIEW), so the next phase does not share the machine with screening. */
  const screened = (ids: string[]) =>
    waitFor('screening', async () => (await db.prisma.notice.count({ where: { id: { in: ids }, status: 'SUBMITTED' } })) === 0);
  /** Bare lifecycle workflows started and past their screening no-op, ready for a decision. */
  const baselineUnderReview = async (count: number) => {
    const ids = Array.from({ length: count }, () => crypto.randomUUID());
    await runPool(count, C, (i) => env.client.workflow.start(baselineLifecycleWorkflow, { workflowId: ids[i], taskQueue, args: [1] }));
    // Started, first task done, screening activity done, second task done: at least 10 events.
    await runPool(count, C, (i) =>
      waitFor('baseline screening', async () => (await env.client.workflow.getHandle(ids[i]).describe()).historyLength >= 10),
    );
    return ids;
  };

  // Warm-up: every path once or more before measuring.
  const warmReal = (await runPool(WARMUP, C, (i) => submitReal(i, 'W'))).results;
  const warmBase = (await runPool(WARMUP, C, (i) => submitBaseline(i, 'W'))).results;
  await screened(warmReal);
  await runPool(WARMUP, C, (i) => decideReal(warmReal[i]));
  const warmBaseLife = await baselineUnderReview(WARMUP);
  await runPool(WARMUP, C, (i) => decideBaseline(warmBaseLife[i]));
  await Promise.all(warmBase.map((id) => env.client.workflow.getHandle(id).result()));

  // Submission.
  const baseSubmit = await runPool(N, C, (i) => submitBaseline(i, 'B'));
  await Promise.all(baseSubmit.results.map((id) => env.client.workflow.getHandle(id).result()));
  const realSubmit = await runPool(N, C, (i) => submitReal(i, 'R'));
  await screened(realSubmit.results);

  // Decision (APPROVE, which publishes).
  const baseIds = await baselineUnderReview(N);
  const baseDecide = await runPool(N, C, (i) => decideBaseline(baseIds[i]));
  const realDecide = await runPool(N, C, (i) => decideReal(realSubmit.results[i]));

  const s = { baseline: phase(baseSubmit), real: phase(realSubmit) };
  const d = { baseline: phase(baseDecide), real: phase(realDecide) };
  const row = (measure: string, base: number, real: number) => ({ measure, baseline: base, real, 'real/baseline': ratio(real, base) });
  printTable(
    `API on ${database}: ${N} requests per phase, ${C} in flight (baseline: zod validation + empty workflow / bare decide update)`,
    [
      row('POST /v1/notices throughput (req/s)', s.baseline.throughput, s.real.throughput),
      row('POST /v1/notices p50 (ms)', s.baseline.p50, s.real.p50),
      row('POST /v1/notices p99 (ms)', s.baseline.p99, s.real.p99),
      row('POST .../decisions APPROVE throughput (req/s)', d.baseline.throughput, d.real.throughput),
      row('POST .../decisions APPROVE p50 (ms)', d.baseline.p50, d.real.p50),
      row('POST .../decisions APPROVE p99 (ms)', d.baseline.p99, d.real.p99),
    ],
  );
  printJson('api', {
    requests: N,
    concurrency: C,
    database,
    storage: process.env.BENCH_STORAGE === 'memory' ? 'memory' : 'disk',
    submit: {
      ...s,
      ratio: {
        throughput: ratio(s.real.throughput, s.baseline.throughput),
        p50: ratio(s.real.p50, s.baseline.p50),
        p99: ratio(s.real.p99, s.baseline.p99),
      },
    },
    decision: {
      ...d,
      ratio: {
        throughput: ratio(d.real.throughput, d.baseline.throughput),
        p50: ratio(d.real.p50, d.baseline.p50),
        p99: ratio(d.real.p99, d.baseline.p99),
      },
    },
  });
}

run(main);
