/** Reference data every installation needs: the member countries and default pilot settings. */
import { MEMBER_COUNTRIES } from '../domain/countries';
import type { PrismaClient } from './database';

export const DEFAULT_PILOT = { participants: [] as string[], quotaTotal: 500, recipientsLimitedToParticipants: false };

export async function seed(prisma: PrismaClient): Promise<void> {
  await prisma.country.createMany({ data: MEMBER_COUNTRIES.map((c) => ({ code: c.code, name: c.name })), skipDuplicates: true });
  await prisma.pilotSettings.createMany({ data: [{ id: 1, ...DEFAULT_PILOT }], skipDuplicates: true });
}
