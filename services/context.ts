/** What every service needs: the case database, the Temporal client, and the process settings. */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Actor } from '../domain/model';
import type { Listen } from '../prisma/notifications';
import type { PrismaClient } from '../records/db';
import type { OidcConfig } from '../system/config';

export interface ServiceDeps {
  prisma: PrismaClient;
  temporal: Client;
  taskQueue: string;
  daySeconds: number;
  log: Logger;
  /** Webhook receivers on private addresses are allowed (SILVER_WEBHOOK_ALLOW_PRIVATE); refused when unset. */
  allowPrivateWebhooks?: boolean;
  /** The database's notifications (Database.listen): API keys are cached while listening; without, each call looks its key up. */
  listen?: Listen;
  /** Single sign-on through an OpenID provider (SILVER_OIDC_*): off when unset. */
  oidc?: OidcConfig;
}

/** Who is calling: the user holding an API key, and that key. */
export type Principal = Actor & { country: string | null; userId: string; name: string };
