/**
 * The use cases, composed once per process: the API and the console call these and nothing below.
 */
import { actionService } from './actions';
import { adminService } from './admin';
import { verifyAuditChain } from '../records/audit';
import { keyring } from './auth';
import { cursorCodec } from './cursors';
import { peopleService } from './people';
import { callCounter, securityEvents, type CallCounterOptions } from './perimeter';
import type { ServiceDeps } from './context';
import { extractService } from './extract';
import { identifierService } from './identifiers';
import { linkService } from './links';
import { messageService } from './messages';
import { outcomeService } from './follow-up';
import { readingService } from './reading';
import { reportService } from './reports';
import { requestWorkflows } from './requests';
import { reviewService } from './review';
import { searchService } from './search';
import { oidcService } from './oidc';
import { passkeyService } from './passkeys';
import { sessionService } from './sessions';
import { submissionService } from './submission';
import { deliveryDispatcher } from './deliveries';
import { metricsService } from './metrics';
import { attachmentService } from './attachments';
import { databaseOutageCheck } from './outages';
import { webhookService } from './webhooks';
import { workService } from './work';

export type { Principal, ServiceDeps } from './context';
export { Refusal } from './refusals';

export function createServices(deps: ServiceDeps) {
  const workflows = requestWorkflows(deps);
  const cursors = cursorCodec(deps.prisma);
  const reading = readingService(deps, cursors);
  const admin = adminService(deps);
  const keys = keyring(deps);
  const sessions = sessionService(deps, keys);
  const actions = actionService(deps, workflows, reading);
  return {
    authenticate: keys.authenticate,
    /** API keys as this process keeps them (start: listen for their changes before the first call). */
    keys: { start: keys.start, state: keys.state, holds: keys.holds },
    submission: submissionService(deps, workflows, reading),
    actions,
    /** Files attached to requests: uploads (the ATTACH action), lists and downloads under need to know. */
    attachments: attachmentService(deps, reading, actions),
    reading,
    /** A request's threads, as their readers see them (writing is an action). */
    messages: messageService(deps, reading),
    outcomes: outcomeService(deps, reading),
    review: reviewService(deps, workflows),
    sessions,
    /** Single sign-on through the OpenID provider, and the identities linked to users. */
    oidc: oidcService(deps, keys, sessions),
    /** Passkeys, the console's second factor after a key, and the sign-in policy that may require them. */
    passkeys: passkeyService(deps),
    links: linkService(deps, reading, cursorCodec(deps.prisma, 'links')),
    search: searchService(deps, reading),
    /** What waits for the caller (GET /v1/work, the console's start page). */
    work: workService(deps, reading),
    /** A request on paper: the PDF extract of what its reader may read. */
    extract: extractService(deps, reading),
    identifiers: identifierService(),
    admin,
    people: peopleService(deps, keys),
    /** Whether the audit trail's hash chain is intact. */
    verifyAudit: () => verifyAuditChain(deps.prisma),
    perimeter: {
      /** A rate limiter's store: calls per client in windows of `windowMs`, shared through the database. */
      callCounter: (windowMs: number, prefix: string, o?: CallCounterOptions) => callCounter(deps, windowMs, prefix, o),
      security: securityEvents(deps),
    },
    reports: reportService(deps, admin),
    workflows,
    metrics: metricsService(deps),
    webhooks: webhookService(deps, cursorCodec(deps.prisma, 'webhook-deliveries')),
    /** Starts a workflow for each queued webhook delivery (run beside a worker). */
    deliveryDispatcher: (opts?: { idleMs?: number }) => deliveryDispatcher(deps, opts),
    /** A failure nothing names, as the database's outage (`DatabaseNotAnswering`) when the database does not answer either. */
    recheckOutage: databaseOutageCheck(() => deps.prisma.$queryRawUnsafe('SELECT 1')),
    /** Whether the database and Temporal answer, each within `ms`. */
    async readiness(ms: number) {
      const check = (p: Promise<unknown>) =>
        withTimeout(p, ms).then(
          () => true,
          () => false,
        );
      const [database, temporal] = await Promise.all([
        check(deps.prisma.$queryRawUnsafe('SELECT 1')),
        // A deadline, not only a timeout: the client's retries of the call stop with it.
        check(deps.temporal.connection.withDeadline(Date.now() + ms, () => deps.temporal.connection.workflowService.getSystemInfo({}))),
      ]);
      return { database, temporal };
    },
  };
}
export type Services = ReturnType<typeof createServices>;
export type AdminService = ReturnType<typeof adminService>;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
