/** Administration: API keys, pilot settings, member countries. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { MEMBER_COUNTRIES } from '../domain/countries';
import type { PrismaClient } from '../prisma/database';
import { DEFAULT_PILOT } from '../prisma/seed';
import { recordAudit } from '../activities/audit';
import { createApiKey } from './auth';
import { conflict, notFound } from './problem';
import { addRoute } from './route';
import { ApiKey, ApiKeyRequest, Countries, CreatedApiKey, KeyIdParam, Pilot, PilotRequest } from './schemas';

/** The pilot settings alone, without usage (which counts every request holding quota). */
export async function readPilotSettings(prisma: PrismaClient) {
  const row = (await prisma.pilotSettings.findUnique({ where: { id: 1 } })) ?? DEFAULT_PILOT;
  return { ...row, quotaPerParticipant: quotaPerParticipant(row.quotaTotal, row.participants.length) };
}

/** The settings with their usage: each participant's requests holding quota. */
export async function readPilot(prisma: PrismaClient) {
  const row = await readPilotSettings(prisma);
  const usageRows = await prisma.notice.groupBy({ by: ['requestingCountry'], where: { holdsQuota: true }, _count: { _all: true } });
  const usage: Record<string, number> = Object.fromEntries(row.participants.map((c) => [c, 0]));
  for (const u of usageRows) usage[u.requestingCountry] = u._count._all;
  return {
    participants: [...row.participants].sort(),
    quotaTotal: row.quotaTotal,
    quotaPerParticipant: row.quotaPerParticipant,
    recipientsLimitedToParticipants: row.recipientsLimitedToParticipants,
    usage,
  };
}

function quotaPerParticipant(total: number, participants: number): number {
  return participants === 0 ? 0 : Math.floor(total / participants);
}

function keyView(k: { id: string; role: string; country: string | null; label: string | null; createdAt: Date }) {
  return { id: k.id, role: k.role, country: k.country, label: k.label, createdAt: k.createdAt.toISOString() };
}

export function adminRoutes(prisma: PrismaClient, registry: OpenAPIRegistry): Router {
  const router = Router();
  const tag = 'Administration';

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'post',
      path: '/api-keys',
      summary: 'Create an API key (the secret is shown only in this answer)',
      tag,
      roles: ['ADMIN'],
      body: ApiKeyRequest,
      success: { status: 201, schema: CreatedApiKey, description: 'The new key' },
    },
    async ({ body, principal }) => {
      const { key, row } = await createApiKey(prisma, body);
      await recordAudit(prisma, {
        noticeId: null,
        at: new Date(),
        type: 'API_KEY_CREATED',
        actor: principal,
        data: { keyId: row.id, role: row.role, country: row.country },
      });
      return { body: { ...keyView(row), key } };
    },
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'get',
      path: '/api-keys',
      summary: 'List API keys (without secrets)',
      tag,
      roles: ['ADMIN'],
      success: { status: 200, schema: z.object({ items: z.array(ApiKey) }), description: 'Active keys' },
    },
    async () => {
      const rows = await prisma.apiKey.findMany({ where: { revokedAt: null }, orderBy: { createdAt: 'asc' } });
      return { body: { items: rows.map(keyView) } };
    },
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'delete',
      path: '/api-keys/:id',
      summary: 'Revoke an API key; it stops working at once',
      tag,
      roles: ['ADMIN'],
      params: KeyIdParam,
      success: { status: 204, description: 'Revoked' },
      errors: [404, 409],
    },
    async ({ params, principal }) => {
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.apiKey.updateMany({ where: { id: params.id, revokedAt: null }, data: { revokedAt: new Date() } });
        if (count === 0) throw notFound('No active API key has this id');
        // Revoking the last ADMIN key would lock every administrator out for good.
        if ((await tx.apiKey.count({ where: { role: 'ADMIN', revokedAt: null } })) === 0) {
          throw conflict('This is the last active ADMIN key; create another ADMIN key before revoking it');
        }
      });
      await recordAudit(prisma, { noticeId: null, at: new Date(), type: 'API_KEY_REVOKED', actor: principal, data: { keyId: params.id } });
    },
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'get',
      path: '/pilot',
      summary: 'Pilot settings and quota use',
      tag,
      roles: ['ADMIN', 'REVIEWER', 'NCB'],
      success: { status: 200, schema: Pilot, description: 'The pilot' },
    },
    async () => ({ body: await readPilot(prisma) }),
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'put',
      path: '/pilot',
      summary: 'Replace the pilot settings',
      tag,
      roles: ['ADMIN'],
      body: PilotRequest,
      success: { status: 200, schema: Pilot, description: 'The pilot' },
    },
    async ({ body, principal }) => {
      const data = {
        participants: body.participants,
        quotaTotal: body.quotaTotal,
        recipientsLimitedToParticipants: body.recipientsLimitedToParticipants,
      };
      await prisma.pilotSettings.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
      await recordAudit(prisma, { noticeId: null, at: new Date(), type: 'PILOT_UPDATED', actor: principal, data });
      return { body: await readPilot(prisma) };
    },
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'get',
      path: '/countries',
      summary: 'The 196 INTERPOL member countries',
      tag,
      roles: ['ADMIN', 'REVIEWER', 'NCB'],
      success: { status: 200, schema: Countries, description: 'Member countries' },
    },
    async () => {
      const pilot = await prisma.pilotSettings.findUnique({ where: { id: 1 } });
      const participants = new Set(pilot?.participants ?? []);
      const rows = await prisma.country.findMany({ orderBy: { code: 'asc' } });
      const list = rows.length ? rows : MEMBER_COUNTRIES;
      return { body: { items: list.map((c) => ({ code: c.code, name: c.name, participant: participants.has(c.code) })) } };
    },
  );

  return router;
}
