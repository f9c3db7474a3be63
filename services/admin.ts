/** Administration: the pilot's settings and the member countries. */
import { MEMBER_COUNTRIES } from '../domain/countries';
import { quotaPerParticipant, type PilotSettings } from '../domain/pilot';
import { recordAction } from '../records/audit';
import { memberCountries } from '../records/countries';
import { quotaUsage, readPilotSettings, savePilotSettings } from '../records/pilot';
import type { Principal, ServiceDeps } from './context';

export function adminService(deps: ServiceDeps) {
  const { prisma } = deps;

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
      await recordAction(prisma, principal, 'PILOT_UPDATED', { ...settings });
      return pilot();
    },

    async countries() {
      const [settings, rows] = await Promise.all([readPilotSettings(prisma), memberCountries(prisma)]);
      const list = rows.length ? rows : MEMBER_COUNTRIES;
      return { items: list.map((c) => ({ code: c.code, name: c.name, participant: settings.participants.includes(c.code) })) };
    },
  };
}
