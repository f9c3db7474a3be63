/**
 * Who a request goes to. A NOTICE goes to every member country but the requester (only the pilot's
 * participants when the pilot says so); a DIFFUSION to the member countries it names, never the
 * requester. The same rules judge a submission and a clarification that changes the recipients.
 */
import { MEMBER_COUNTRIES } from './countries';
import type { Kind } from './model';
import type { PilotSettings } from './pilot';
import type { FieldProblem } from './request';

export function recipientsOf(
  request: { kind: Kind; requestingCountry: string; requestedRecipients: readonly string[] },
  pilot: PilotSettings,
): string[] {
  let countries =
    request.kind === 'DIFFUSION'
      ? [...request.requestedRecipients]
      : MEMBER_COUNTRIES.map((c) => c.code).filter((c) => c !== request.requestingCountry);
  if (request.kind === 'NOTICE' && pilot.recipientsLimitedToParticipants) {
    countries = countries.filter((c) => pilot.participants.includes(c));
  }
  return countries.sort();
}

/** Field problems with the countries a request names (`recipients`), given who asks and the pilot. */
export function recipientProblems(
  requestingCountry: string,
  recipients: readonly string[] | undefined,
  pilot: PilotSettings,
): FieldProblem[] {
  if (!recipients) return [];
  const problems: FieldProblem[] = [];
  if (recipients.includes(requestingCountry))
    problems.push({ path: 'recipients', code: 'OWN_COUNTRY', message: 'must not include the requesting country' });
  if (pilot.recipientsLimitedToParticipants) {
    const outside = recipients.filter((c) => !pilot.participants.includes(c));
    if (outside.length) {
      problems.push({
        path: 'recipients',
        code: 'NOT_PARTICIPANT',
        message: `only pilot participants may receive requests; not participating: ${outside.join(', ')}`,
      });
    }
  }
  return problems;
}

/** Why a request of this kind would reach nobody (undefined: it reaches someone). */
export function nobodyToReach(kind: Kind, requestingCountry: string, pilot: PilotSettings): string | undefined {
  if (kind === 'NOTICE' && pilot.recipientsLimitedToParticipants && pilot.participants.every((c) => c === requestingCountry)) {
    return 'A notice goes to the other pilot participants, and there are none yet';
  }
  return undefined;
}
