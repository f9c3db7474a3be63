/** Reference data every installation needs: the member countries and the pilot's first settings. */
import { MEMBER_COUNTRIES } from '../domain/countries';
import { DEFAULT_PILOT } from '../records/pilot';
import type { PrismaClient } from './database';

export async function seed(prisma: PrismaClient): Promise<void> {
  await prisma.country.createMany({ data: MEMBER_COUNTRIES.map((c) => ({ code: c.code, name: c.name })), skipDuplicates: true });
  await prisma.pilotSettings.createMany({
    data: [{ id: 1, ...DEFAULT_PILOT, participants: [...DEFAULT_PILOT.participants] }],
    skipDuplicates: true,
  });
}
