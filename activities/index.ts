/**
 * The workflows' side effects. Each activity is a records/ call (with the domain rule it needs) and
 * its log line. Ids come from the workflow (deterministic across replays) and every write is
 * guarded by the state it expects, so a retried activity or a replayed workflow writes nothing twice
 * and never moves a request backwards.
 */
import type { Logger } from 'pino';
import type { PrismaClient } from '../records/db';
import { publishedActivities } from './published';
import { retentionActivities } from './retention';
import { reviewActivities } from './review';
import { webhookActivities } from './webhooks';

export interface ActivityDeps {
  prisma: PrismaClient;
  log: Logger;
  /** How long a request's personal data outlive its end (SILVER_RETENTION_DAYS), and the length of a day. */
  retentionDays?: number;
  daySeconds?: number;
  /** Webhook receivers on private addresses are allowed (SILVER_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivateWebhooks?: boolean;
}

export function createActivities(deps: ActivityDeps) {
  return { ...reviewActivities(deps), ...publishedActivities(deps), ...retentionActivities(deps), ...webhookActivities(deps) };
}
