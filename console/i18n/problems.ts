/**
 * What the API's field rules and refusals say, in the reader's language. The API words its messages
 * in English; each known one maps to a key here (unknown ones are shown as the API wrote them).
 */
import type { Ctx } from '../context';
import type { Key } from './index';

const KNOWN: [RegExp, Key][] = [
  [/^Invalid input: expected \w+, received undefined$/, 'problem.required'],
  [/^must not be empty$/, 'problem.required'],
  [/^Invalid input: expected number, received \w+$/, 'problem.number'],
  [/^Invalid option: expected one of/, 'problem.choose'],
  [/^must be at most (?<n>\d+) characters$/, 'problem.maxChars'],
  [/^must be a date as YYYY-MM-DD$/, 'problem.date'],
  [/^must be an ISO 8601 date-time/, 'problem.dateTime'],
  [/^a date of birth or an identity document is required$/, 'problem.dobOrDocument'],
  [/^must be at least 4 \(serious offences only\)$/, 'problem.penalty'],
  [/^must be a whole number/, 'problem.whole'],
  [/^Invalid input: expected int, received number$/, 'problem.whole'],
  [/^Too small: expected number to be >=?(?<n>[\d.]+)$/, 'problem.min'],
  [/^must be at least (?<n>\d+)$/, 'problem.min'],
  [/^Too big: expected number to be <=?(?<n>[\d.]+)$/, 'problem.max'],
  [/^must be at most (?<n>\d+)$/, 'problem.max'],
  [/^must not be negative$/, 'problem.negative'],
  [/^must not repeat an entry$/, 'problem.repeat'],
  [/^must name at least one purpose$/, 'problem.onePurpose'],
  [/^must list at least one asset$/, 'problem.oneAsset'],
  [/^(must name at least one country|a DIFFUSION must name at least one recipient country)$/, 'problem.oneRecipient'],
  [/^must be the upper-case ISO 3166-1 alpha-2 code of an INTERPOL member country$/, 'problem.memberCode'],
  [/^must be an upper-case ISO 3166-1 alpha-2 country code$/, 'problem.countryCode'],
  [/^must be an upper-case ISO 4217 currency code$/, 'problem.currency'],
  [/^must be omitted for an? \w+ request/, 'problem.noDays'],
  [/^must not include the requesting country$/, 'problem.notOwnCountry'],
  [/^ASSETS_LOCATED needs at least one asset$/, 'problem.assetsNeeded'],
  [/^must be empty when the outcome is/, 'problem.noAssets'],
  [/^(UNABLE_TO_ASSIST needs a reason|a reason is required to reject or to ask for clarification)$/, 'problem.reasonNeeded'],
  [/^must be in the future$/, 'problem.future'],
  [/^must be later than the current deadline/, 'problem.laterDeadline'],
  [/^must be at most (?<n>\d+) days from now$/, 'problem.delayMax'],
  [/^an NCB needs its country$/, 'problem.ncbCountry'],
  [/^an? \w+ has no country$/, 'problem.noCountry'],
  [/^must name at least one participant$/, 'problem.oneParticipant'],
  [/^This reviewer has already approved/, 'problem.secondApproval'],
  [/^The request is (?<status>[A-Z_]+), a final state/, 'problem.final'],
  [/^The request is blocked by the CCF/, 'problem.blocked'],
  [/does not take part in the Silver pilot/, 'problem.notParticipating'],
  [/has used its pilot quota/, 'problem.quota'],
  [/^A renewal can be requested only in the last six months/, 'problem.renewalWindow'],
  [/^This is the last active ADMIN/, 'problem.lastAdmin'],
];

export function problemText(ctx: Ctx, message: string): string {
  for (const [pattern, key] of KNOWN) {
    const m = pattern.exec(message);
    if (!m) continue;
    const params = { ...m.groups };
    if (params.status) params.status = ctx.label('status', params.status);
    return ctx.t(key, params);
  }
  return message;
}
