/**
 * The workflows' side effects. Each activity is a records/ call (with the domain rule it needs) and
 * its log line. Ids come from the workflow (deterministic across replays) and every write is
 * guarded by the state it expects, so a retried activity or a replayed workflow writes nothing twice
 * and never moves a request backwards.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import type { Actor } from '../domain/model';
import type { PrismaClient } from '../records/db';
import { unknownUsers } from '../records/keys';
import { FAILURE_UNKNOWN_ACTOR } from '../workflows/messages';
import { claimActivities } from './claims';
import { amendmentActivities } from './amendments';
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
  const all = {
    ...reviewActivities(deps),
    ...claimActivities(deps),
    ...publishedActivities(deps),
    ...retentionActivities(deps),
    ...webhookActivities(deps),
    ...amendmentActivities(deps),
  };
  return withKnownActors(deps, all);
}

/** The actors an activity's input names: its own, a decision's, or each of a batch's. */
function actorsIn(input: unknown): Actor[] {
  if (Array.isArray(input)) return input.flatMap(actorsIn);
  if (!input || typeof input !== 'object') return [];
  const i = input as { actor?: Actor; decision?: { actor?: Actor } };
  return [i.actor, i.decision?.actor].filter((a): a is Actor => !!a && typeof a === 'object');
}

/** Users known to exist that one worker keeps; past this many, it starts again from none. */
const KNOWN_USERS_KEPT = 10_000;

/**
 * An action whose actor is no user of the system is refused before it is written, and not retried:
 * the workflow's update fails cleanly instead of retrying the write for ever. (The validators
 * already refuse actors that cannot be; this catches a well-formed id that names nobody.)
 * Users are disabled, never deleted: one found once is known for good, and its later steps write
 * without looking it up again.
 */
function withKnownActors<T extends Record<string, (...args: any[]) => Promise<unknown>>>({ prisma }: ActivityDeps, activities: T): T {
  const known = new Set<string>();
  const guarded = Object.entries(activities).map(([name, run]) => [
    name,
    async (...args: unknown[]) => {
      const ids = [...new Set(actorsIn(args[0]).flatMap((a) => (a.userId ? [a.userId.toLowerCase()] : [])))].filter((id) => !known.has(id));
      if (ids.length) {
        if ((await unknownUsers(prisma, ids)).length) {
          throw ApplicationFailure.create({
            message: 'The action names a user the system does not know',
            type: FAILURE_UNKNOWN_ACTOR,
            nonRetryable: true,
          });
        }
        if (known.size + ids.length > KNOWN_USERS_KEPT) known.clear();
        for (const id of ids) known.add(id);
      }
      return run(...args);
    },
  ]);
  return Object.fromEntries(guarded) as T;
}
