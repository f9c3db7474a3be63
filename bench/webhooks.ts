/**
 * `npm run bench:webhooks`: notices published to every member country, each country with a
 * webhook on a local receiver (in a process of its own). Prints the approval's p50 with 195 webhooks over its p50 with none
 * (`approveRatio`, one run), the notifications delivered per second, and the API's latency with
 * no webhook and with 195 webhooks per publication on a receiver that answers at once and, with
 * BENCH_STALL=1, on one that never answers (each attempt held until its 10 s timeout).
 *
 * The API's latency is measured twice in each phase: the calls that publish (submission, and the
 * approval that publishes to 195 countries), one after the other; and a read (a reviewer's list of
 * requests) made again and again, one at a time, while the phase's work goes on (for the phase
 * whose receiver answers, until every notification reached it; 30 s after the publications in the
 * others), so its p50 and p99 rest on hundreds of calls.
 *
 * Deliveries per second: a backlog of 10 notifications to each of the 195 countries written at
 * once, over the time from its write to the last arrival. Beside it, the publications' notifications
 * the receiver got over the time from the first to the last (paced by the publications), and the
 * lag from the last approval's answer to the last notification's arrival.
 *
 * BENCH_PUBLICATIONS (default 9) publications per phase, each to 195 countries. On PGlite, and on
 * PostgreSQL too when BENCH_DATABASE_URL names a server (bench/system.ts, benchDatabases).
 */
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { MEMBER_COUNTRIES } from '../domain/countries';
import { notify } from '../records/notifications';
import { expectStatus, percentile, printJson, printTable, ratio, round, run, sleep, uniqueRequest, waitFor } from './support';
import { benchDatabases, startBenchSystem, type BenchDatabase, type BenchSystem } from './system';

const PUBLICATIONS = Number(process.env.BENCH_PUBLICATIONS ?? 9);
/** BENCH_STALL=1 adds the phase whose receiver never answers. */
const STALL = process.env.BENCH_STALL === '1';
/** How long reads go on after the stalling phase's publications, while its attempts are held. */
const STALL_WATCH_MS = 30_000;
/** How long reads go on after the phase without webhooks' publications, for as many reads as the others. */
const QUIET_WATCH_MS = 30_000;
/** Time given to the senders to start after their webhooks are set. */
const SENDERS_START_MS = 5_000;
/** Notifications per country in the backlog drained at once. */
const BACKLOG = 10;
const REQUESTER = 'IT';
const RECIPIENTS = MEMBER_COUNTRIES.map((c) => c.code).filter((c) => c !== REQUESTER);

/**
 * The receiver's program: answers 200 at once, or (`stall`) holds every request; tells its port,
 * then its count and the times of its first and last message (ms since the epoch) when asked.
 */
const RECEIVER = `
const http = require('node:http');
const stall = process.argv[1] === 'stall';
let received = 0, first = 0, last = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    last = Date.now();
    first ||= last;
    if (!stall) res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', () => process.send({ received, first, last }));
process.on('disconnect', () => process.exit(0));
`;

/**
 * A local receiver in a process of its own, as an NCB's system would be: its work is not the API's
 * event loop's. Answers 200 at once, or holds every request until it is closed.
 */
async function receiver(stall: boolean) {
  const child = spawn(process.execPath, ['-e', RECEIVER, stall ? 'stall' : 'answer'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const stats = () =>
    new Promise<{ received: number; first: number; last: number }>((resolve) => {
      child.once('message', resolve as (m: unknown) => void);
      child.send('stats');
    });
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received: async () => (await stats()).received,
    /** When the first and the last message came (ms since the epoch). */
    span: async () => stats(),
    close: async () => {
      child.kill();
    },
  };
}

async function hookEveryone(sys: BenchSystem, admin: string, url: string) {
  for (const country of RECIPIENTS) expectStatus(await sys.call('PUT', `/v1/webhooks/${country}`, admin, { url }), 200, 'set webhook');
}

/** A reviewer's list of requests, read one call after another (100 ms apart) until stopped; each call's time. */
function readAgainAndAgain(sys: BenchSystem, reviewer: string) {
  const times: number[] = [];
  let stopped = false;
  const reading = (async () => {
    while (!stopped) {
      const t = performance.now();
      expectStatus(await sys.call('GET', '/v1/notices?limit=20', reviewer), 200, 'list');
      times.push(performance.now() - t);
      await sleep(100);
    }
  })();
  return async () => {
    stopped = true;
    await reading;
    return times;
  };
}

/** Publishes notices one after the other; the latency of each submission and of each approval. */
async function publish(sys: BenchSystem, reviewer: string, tag: string) {
  const italy = await sys.ncbKey(REQUESTER);
  const submit: number[] = [];
  const approve: number[] = [];
  let approvedAt = 0;
  for (let i = 0; i < PUBLICATIONS; i++) {
    let t = performance.now();
    const created = expectStatus(
      await sys.call('POST', '/v1/notices', italy, uniqueRequest(`${tag}${i}`, { kind: 'NOTICE', recipients: undefined })),
      201,
      'submit',
    );
    submit.push(performance.now() - t);
    await waitFor('screening', async () => (await sys.call('GET', `/v1/notices/${created.body.id}`, italy)).body.status === 'UNDER_REVIEW');
    t = performance.now();
    const approved = expectStatus(
      await sys.call('POST', `/v1/notices/${created.body.id}/decisions`, reviewer, { decision: 'APPROVE' }),
      200,
      'approve',
    );
    approve.push(performance.now() - t);
    approvedAt = Date.now();
    if (approved.body.status !== 'PUBLISHED') throw new Error(`not published: ${approved.body.status}`);
  }
  return { submit, approve, approvedAt };
}

/** One phase: publications, then `meanwhile` (the reads go on through both). */
async function phase(sys: BenchSystem, reviewer: string, tag: string, meanwhile: () => Promise<unknown> = async () => undefined) {
  const stopReading = readAgainAndAgain(sys, reviewer);
  const published = await publish(sys, reviewer, tag);
  await meanwhile();
  return { ...published, read: await stopReading() };
}

const latencyRow = (name: string, r: { submit: number[]; approve: number[]; read: number[] }) => ({
  phase: name,
  'submit p50 ms': round(percentile(r.submit, 50)),
  'approve p50 ms': round(percentile(r.approve, 50)),
  'approve max ms': round(Math.max(...r.approve)),
  reads: r.read.length,
  'read p50 ms': round(percentile(r.read, 50)),
  'read p99 ms': round(percentile(r.read, 99)),
});

/**
 * Notifications to every country written at once, as a publication writes its own (the same
 * statement, records/notifications.ts), then drained by the senders: deliveries per second, from
 * the write to the last arrival.
 */
async function drainBacklog(sys: BenchSystem, r: Awaited<ReturnType<typeof receiver>>): Promise<number> {
  const notice = await sys.db.prisma.notice.findFirstOrThrow({ select: { id: true } });
  const before = await r.received();
  const at = new Date();
  const started = performance.now();
  await notify(
    sys.db.prisma,
    ...Array.from({ length: BACKLOG }, () => ({
      eventId: `bench-backlog-${crypto.randomUUID()}`,
      noticeId: notice.id,
      reference: null,
      type: 'REMINDER' as const,
      countries: RECIPIENTS,
      at,
    })),
  );
  const count = BACKLOG * RECIPIENTS.length;
  await waitFor('the backlog', async () => (await r.received()) >= before + count, 600_000, 20);
  return (count / (performance.now() - started)) * 1000;
}

async function main() {
  for (const database of benchDatabases()) await benchOn(database);
}

async function benchOn(database: BenchDatabase) {
  const sys = await startBenchSystem({ database });
  const fast = await receiver(false);
  const stalled = await receiver(true);
  try {
    const [admin, reviewer] = [await sys.key('ADMIN'), await sys.key('REVIEWER')];
    const none = await phase(sys, reviewer, 'none', () => sleep(QUIET_WATCH_MS));
    const rows = [latencyRow('no webhook', none)];

    await hookEveryone(sys, admin, fast.url);
    // Setting a webhook starts its sender: 195 of them, whose start is not the publications' to pay.
    await sleep(SENDERS_START_MS);
    const expected = PUBLICATIONS * RECIPIENTS.length;
    const answered = await phase(sys, reviewer, 'fast', () =>
      waitFor('every delivery', async () => (await fast.received()) >= expected, 600_000, 100),
    );
    rows.push(latencyRow(`${RECIPIENTS.length} webhooks, receiver answers`, answered));
    const { first, last } = await fast.span();
    const whilePublishing = ((expected - 1) / (last - first)) * 1000;
    const perSecond = await drainBacklog(sys, fast);
    const lagMs = last - answered.approvedAt;
    const approveRatio = ratio(percentile(answered.approve, 50), percentile(none.approve, 50));

    let heldAtEnd = 0;
    if (STALL) {
      await hookEveryone(sys, admin, stalled.url);
      const stalling = await phase(sys, reviewer, 'stall', () => sleep(STALL_WATCH_MS));
      rows.push(latencyRow(`${RECIPIENTS.length} webhooks, receiver stalls`, stalling));
      heldAtEnd = await stalled.received();
    }

    printTable(`Webhooks on ${database}: ${PUBLICATIONS} notices per phase, each to ${RECIPIENTS.length} countries`, rows);
    console.log(
      `\nApproval p50 with ${RECIPIENTS.length} webhooks / with none: ${approveRatio}` +
        `\nNotifications delivered to a local receiver while publishing: ${round(whilePublishing)} per second (${expected} in ${round((last - first) / 1000)} s from the first to the last), ` +
        `the last ${round(lagMs)} ms after the last approval` +
        `\nA backlog of ${BACKLOG * RECIPIENTS.length} notifications written at once, delivered: ${round(perSecond)} per second`,
    );
    if (STALL) console.log(`Attempts the stalling receiver had received when its phase ended: ${heldAtEnd}`);
    printJson('webhooks', {
      database,
      approveRatio,
      deliveriesPerSecond: round(perSecond),
      deliveredWhilePublishingPerSecond: round(whilePublishing),
      lastDeliveryAfterApprovalMs: round(lagMs),
      approvalsMs: { none: none.approve.map((t) => round(t)), webhooks: answered.approve.map((t) => round(t)) },
      latency: rows,
    });
  } finally {
    await fast.close();
    await stalled.close();
    await sys.stop();
  }
}

run(main);
