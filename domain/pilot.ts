/**
 * The Silver pilot's rules: who may submit, how much quota each participant has, and which
 * requests use it. A request uses quota from submission on and gives it back if it ends (rejected,
 * lapsed, withdrawn) before publication; a published request keeps it.
 */
import type { Status } from './model';

export interface PilotSettings {
  participants: readonly string[];
  quotaTotal: number;
  recipientsLimitedToParticipants: boolean;
}

export function quotaPerParticipant(quotaTotal: number, participantCount: number): number {
  return participantCount === 0 ? 0 : Math.floor(quotaTotal / participantCount);
}

/** The states before publication: a request in one of them holds quota (as does any published one). */
export const BEFORE_PUBLICATION: readonly Status[] = ['SUBMITTED', 'UNDER_REVIEW', 'CLARIFICATION_REQUESTED'];

export function holdsQuota(request: { status: Status; publishedAt: unknown }): boolean {
  return BEFORE_PUBLICATION.includes(request.status) || (request.publishedAt !== null && request.publishedAt !== undefined);
}

/** Why `country` may not submit at all (undefined: it may). */
export function participationRefusal(country: string, pilot: PilotSettings): string | undefined {
  return pilot.participants.includes(country)
    ? undefined
    : `${country} does not take part in the Silver pilot; ask the pilot administrator`;
}

/** Why one more request from a country that holds `used` quota is refused (undefined: it fits). */
export function quotaRefusal(country: string, used: number, pilot: PilotSettings): string | undefined {
  const allowed = quotaPerParticipant(pilot.quotaTotal, pilot.participants.length);
  return used >= allowed ? `${country} has used its pilot quota (${used} of ${allowed})` : undefined;
}
