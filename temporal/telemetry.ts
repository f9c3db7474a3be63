/**
 * The Temporal SDK's process-wide runtime: its logs go through pino, and its own metrics (the
 * worker's task slots, poll and schedule-to-start latencies, workflow and activity outcomes) are
 * served by the SDK core's Prometheus exporter on a local address, which GET /metrics reads and
 * appends to the system's figures. The core's exporter is used as it is, so its metric names are
 * those Temporal documents and its community dashboards expect.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

let metricsAddress: string | undefined;

/** Port range tried for the exporter when no address is configured (it cannot report a port 0 it bound). */
const LOW_PORT = 20_000;
const HIGH_PORT = 60_000;
const TRIES = 20;

export class TelemetryError extends Error {}

/**
 * What the SDK warns of that is this system's design, not a fault: passed on as information, so
 * that a warning in the log always asks for a look. The webhook attempts' worker runs activities
 * only (temporal/worker.ts, createDeliveryWorker).
 */
const EXPECTED_WARNINGS = new Set(['No workflows registered, not polling for workflow tasks']);

/** Passes one of the SDK's log entries on to pino, at the level it deserves here. */
export function forwardSdkLog(sdk: Logger, level: LogLevel, message: string, meta?: Record<string, unknown>): void {
  const as = level === 'WARN' && EXPECTED_WARNINGS.has(message) ? 'INFO' : level;
  const fn = as === 'ERROR' ? sdk.error : as === 'WARN' ? sdk.warn : sdk.info;
  fn.call(sdk, meta ?? {}, message);
}

/**
 * Installs the runtime once per process: `log` receives the SDK's warnings and errors (none when
 * absent), and its metrics are served at `bindAddress` (host:port), or on a free local port.
 */
export function installTemporalRuntime(opts: { log?: Logger; bindAddress?: string } = {}): void {
  if (metricsAddress !== undefined) return;
  const sdk = opts.log?.child({ component: 'temporal' });
  const level: LogLevel = sdk ? 'WARN' : 'ERROR';
  const logger = new DefaultLogger(level, ({ level: l, message, meta }) => sdk && forwardSdkLog(sdk, l, message, meta));
  const install = (bindAddress: string) =>
    Runtime.install({
      logger,
      telemetryOptions: {
        // The SDK core's own (Rust) logs go through the same logger instead of straight to stderr.
        logging: { filter: { core: level, other: 'ERROR' }, forward: {} },
        metrics: { prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } },
      },
    });
  if (opts.bindAddress) {
    try {
      install(opts.bindAddress);
    } catch (err) {
      throw new TelemetryError(
        `The worker's metrics cannot be served at ${opts.bindAddress} (SILVER_WORKER_METRICS_ADDRESS): ${(err as Error).message}`,
      );
    }
    metricsAddress = opts.bindAddress.replace(/^0\.0\.0\.0:/, '127.0.0.1:');
    return;
  }
  for (let i = 0; ; i++) {
    const candidate = `127.0.0.1:${LOW_PORT + Math.floor(Math.random() * (HIGH_PORT - LOW_PORT))}`;
    try {
      install(candidate);
      metricsAddress = candidate;
      return;
    } catch (err) {
      if (i === TRIES - 1 || !/in use/i.test((err as Error).message)) throw err;
    }
  }
}

/** The worker's metrics in Prometheus text, or nothing when the runtime does not serve them. */
export async function workerMetricsText(timeoutMs = 2000): Promise<string> {
  if (!metricsAddress) return '';
  try {
    const res = await fetch(`http://${metricsAddress}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}
