/** Administration: API keys, the pilot's settings and the member countries. */
import { MEMBER_COUNTRIES } from '../domain/countries';
import type { Role } from '../domain/model';
import { quotaPerParticipant, type PilotSettings } from '../domain/pilot';
import { recordAudit } from '../records/audit';
import { memberCountries } from '../records/countries';
import { createApiKey, listActiveKeys, revokeKey } from '../records/keys';
import { quotaUsage, readPilotSettings, savePilotSettings } from '../records/pilot';
import { generateKey } from './auth';
import type { Principal, ServiceDeps } from './context';
import { conflict, notFound } from './refusals';

function keyView(k: { id: string; role: string; country: string | null; label: string | null; createdAt: Date }) {
  return { id: k.id, role: k.role, country: k.country, label: k.label, createdAt: k.createdAt.toISOString() };
}

export function adminService(deps: ServiceDeps) {
  const { prisma } = deps;
  const audit = (principal: Principal, type: string, data: Record<string, unknown>) =>
    recordAudit(prisma, { noticeId: null, at: new Date(), type, actor: principal, data });

  async function pilot() {
    const settings = await readPilotSettings(prisma);
    const used = await quotaUsage(prisma);
    return {
      participants: [...settings.participants].sort(),
      quotaTotal: settings.quotaTotal,
      quotaPerParticipant: quotaPerParticipant(settings.quotaTotal, settings.participants.length),
      recipientsLimitedToParticipants: settings.recipientsLimitedToParticipants,
      usage: { ...Object.fromEntries(settings.participants.map((c) => [c, 0])), ...used },
    };
  }

  return {
    pilot,

    async setPilot(principal: Principal, settings: PilotSettings) {
      await savePilotSettings(prisma, settings);
      await audit(principal, 'PILOT_UPDATED', { ...settings });
      return pilot();
    },

    /** A new key; its secret is in this answer only. */
    async createKey(principal: Principal, k: { role: Role; country?: string; label?: string }) {
      const key = generateKey();
      const row = await createApiKey(prisma, { key, ...k });
      await audit(principal, 'API_KEY_CREATED', { keyId: row.id, role: row.role, country: row.country });
      return { ...keyView(row), key };
    },

    async keys() {
      return { items: (await listActiveKeys(prisma)).map(keyView) };
    },

    async revokeKey(principal: Principal, id: string) {
      const outcome = await revokeKey(prisma, id);
      if (outcome === 'NOT_FOUND') throw notFound('No active API key has this id');
      if (outcome === 'LAST_ADMIN') throw conflict('This is the last active ADMIN key; create another ADMIN key before revoking it');
      await audit(principal, 'API_KEY_REVOKED', { keyId: id });
    },

    async countries() {
      const [settings, rows] = await Promise.all([readPilotSettings(prisma), memberCountries(prisma)]);
      const list = rows.length ? rows : MEMBER_COUNTRIES;
      return { items: list.map((c) => ({ code: c.code, name: c.name, participant: settings.participants.includes(c.code) })) };
    },
  };
}
