/**
 * Prometheus metrics (prom-client): HTTP answers by route template and status (counted, and a
 * histogram of their durations), the process's own
 * figures, requests by status and kind, recipients overdue, webhook deliveries and attempts by
 * outcome, then the Temporal worker's metrics. Labels are codes and route templates only: no id,
 * no country of a request, nothing personal. The database figures are read at most every few
 * seconds, however often /metrics is called (it needs no key).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { KINDS, STATUSES } from '../domain/model';
import { operationalFigures, type OperationalFigures } from '../records/metrics';
import { workerMetricsText } from '../temporal/telemetry';
import type { ServiceDeps } from './context';

const FIGURES_TTL_MS = 5000;
const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED', 'CANCELLED'];
const ATTEMPT_OUTCOMES = ['DELIVERED', 'REJECTED', 'TIMEOUT', 'UNREACHABLE', 'ADDRESS_REFUSED'];

export function metricsService(deps: ServiceDeps) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // A database that does not answer leaves these figures as they were: the rest is still served.
  let cached: { at: number; figures: Promise<OperationalFigures | undefined> } | undefined;
  const figures = () => {
    if (!cached || Date.now() - cached.at > FIGURES_TTL_MS) {
      cached = {
        at: Date.now(),
        figures: operationalFigures(deps.prisma).catch((err) => {
          deps.log.warn({ err }, 'metrics: the database figures could not be read');
          cached = undefined;
          return undefined;
        }),
      };
    }
    return cached.figures;
  };

  const answers = new Counter({
    name: 'silver_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const http = new Histogram({
    name: 'silver_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status code',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  new Gauge({
    name: 'silver_requests',
    help: 'Requests (notices and diffusions) by status and kind',
    labelNames: ['status', 'kind'],
    registers: [registry],
    async collect() {
      const f = await figures();
      if (!f) return;
      for (const status of STATUSES) for (const kind of KINDS) this.set({ status, kind }, 0);
      for (const r of f.requests) this.set({ status: r.status, kind: r.kind }, r.count);
    },
  });
  new Gauge({
    name: 'silver_recipients_overdue',
    help: 'Recipients of published requests whose answer is overdue',
    registers: [registry],
    async collect() {
      const f = await figures();
      if (f) this.set(f.recipientsOverdue);
    },
  });
  new Gauge({
    name: 'silver_webhook_deliveries',
    help: 'Webhook deliveries by status (PENDING while being tried)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const f = await figures();
      if (!f) return;
      for (const status of DELIVERY_STATUSES) this.set({ status }, f.deliveries.find((d) => d.status === status)?.count ?? 0);
    },
  });
  new Counter({
    name: 'silver_webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      // Counted in the database (every process sees every attempt): set to the count, not added to.
      const f = await figures();
      if (!f) return;
      this.reset();
      for (const outcome of ATTEMPT_OUTCOMES) this.inc({ outcome }, f.attempts.find((a) => a.outcome === outcome)?.count ?? 0);
    },
  });

  return {
    contentType: registry.contentType,

    /** One HTTP answer: `route` is the route's template (never the path as called, which carries ids). */
    observeHttp(method: string, route: string, status: number, seconds: number): void {
      const labels = { method, route, status: String(status) };
      answers.inc(labels);
      http.observe(labels, seconds);
    },

    /** The exposition: this process's metrics, then the Temporal worker's. */
    async text(): Promise<string> {
      const [own, worker] = await Promise.all([registry.metrics(), workerMetricsText()]);
      return worker ? `${own}\n${worker}` : own;
    },
  };
}
export type MetricsService = ReturnType<typeof metricsService>;
