import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type NativeConnection } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../activities';
import type { PrismaClient } from '../records/db';
import { PROJECT_ROOT } from '../system/paths';
import { deliveryTaskQueue } from '../workflows/webhook-delivery';

export const WORKFLOWS_PATH = path.join(PROJECT_ROOT, 'workflows', 'index.ts');
/** Everything the bundle is built from: workflow and domain code, and the SDK's version. */
const BUNDLE_SOURCES = ['workflows', 'domain'];

const CACHE_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'silver-notice');

let bundlePromise: Promise<{ code: string }> | undefined;
/**
 * The workflow bundle, built once per process. Webpack takes seconds and about 100 MB, so the
 * result is kept on disk under a hash of its sources and reused while they are unchanged.
 */
export function workflowBundle(): Promise<{ code: string }> {
  bundlePromise ??= (async () => {
    const cached = path.join(CACHE_DIR, `workflow-bundle-${sourceHash()}.js`);
    if (fs.existsSync(cached)) return { code: fs.readFileSync(cached, 'utf8') };
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      for (const old of fs.readdirSync(CACHE_DIR).filter((f) => f.startsWith('workflow-bundle-'))) fs.rmSync(path.join(CACHE_DIR, old));
      fs.writeFileSync(`${cached}.tmp`, bundle.code);
      fs.renameSync(`${cached}.tmp`, cached);
    } catch {
      // A read-only install still runs; it just bundles at every start.
    }
    return bundle;
  })();
  return bundlePromise;
}

function sourceHash(): string {
  const hash = crypto.createHash('sha256');
  hash.update(JSON.parse(fs.readFileSync(require.resolve('@temporalio/workflow/package.json'), 'utf8')).version);
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        hash.update(path.relative(PROJECT_ROOT, full));
        hash.update(fs.readFileSync(full));
      }
    }
  };
  for (const dir of BUNDLE_SOURCES) walk(path.join(PROJECT_ROOT, dir));
  return hash.digest('hex').slice(0, 16);
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

export async function createWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  prisma: PrismaClient;
  log: Logger;
  retentionDays: number;
  daySeconds: number;
  /** Encrypts every payload (temporal/codec.ts). */
  dataConverter: DataConverter;
  allowPrivateWebhooks?: boolean;
  /** Workflows kept in memory between their tasks (SILVER_WORKFLOW_CACHE). */
  workflowCache: number;
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(opts),
    dataConverter: opts.dataConverter,
    // A request waits days between steps, so keeping thousands of them in memory between tasks (the
    // SDK's default is about 2,300 here, from the heap limit) buys little and costs memory that
    // grows with the requests open: with 10,000 open, a cache of 500 held the worker at 706 MB, and
    // an answer to a random request found its workflow evicted all the same. The cache serves the
    // requests busy right now (a publication's answers, a review); one evicted replays its history
    // when it next wakes.
    maxCachedWorkflows: opts.workflowCache,
    // Finish in-flight activities on shutdown rather than abandoning them to a retry.
    shutdownGraceTime: '10 seconds',
  });
}

/**
 * Webhook attempts run here, apart from the requests' activities (workflows/webhook-sender.ts):
 * an activity-only worker, so it needs no workflow bundle or thread. Each country's sender holds a
 * slot while it drains (and a while after, watching for more): a slot for every member country, so
 * that no country waits for another's; each calls one receiver at a time.
 */
export const WEBHOOK_ATTEMPTS_AT_ONCE = 200;

/** `taskQueue` is the requests' queue: the attempts' queue is derived from it. */
export async function createDeliveryWorker(
  opts: ActivityDeps & { connection: NativeConnection; namespace: string; taskQueue: string; dataConverter: DataConverter },
): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: deliveryTaskQueue(opts.taskQueue),
    activities: createActivities(opts),
    dataConverter: opts.dataConverter,
    maxConcurrentActivityTaskExecutions: WEBHOOK_ATTEMPTS_AT_ONCE,
    shutdownGraceTime: '10 seconds',
  });
}
