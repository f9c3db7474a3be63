/**
 * Automated screening: pure checks on a request's content. The duplicate check needs the case
 * database and lives in the screening activity. Screening only raises flags; people decide.
 */
import type { Flag } from './model';

/**
 * Words that suggest a political, military, religious or racial character (INTERPOL Constitution,
 * Article 3), in the four notice languages. A hit is a prompt for the reviewer, not a verdict.
 */
const ARTICLE_3_PATTERNS: RegExp[] = [
  /\bpoliti(c|cal|cs|que|quement|co|ca|cos|cas)\b/i,
  /\b(opposition|dissident|activist|protest|election|electoral|party leader|coup|insurgen\w*|separatis\w*|regime)\b/i,
  /\b(military|militaire|militar|army|armed forces|soldier|desert(ion|er))\b/i,
  /\b(religio\w*|blasphem\w*|apostas\w*|heres\w*|church|mosque|synagogue|temple)\b/i,
  /\b(racial|race|ethnic\w*|étnic\w*|ethni\w*|tribe|tribal)\b/i,
  /(سياسي|عسكري|ديني|عرقي)/,
];

export interface ScreenableRequest {
  subject: { familyName?: string; givenNames?: string; dateOfBirth?: string; identityDocuments?: { number: string }[] };
  offence: { description?: string; assetLink?: string; legalBasis?: { date?: string } };
}

export function article3Indicators(text: string): boolean {
  return ARTICLE_3_PATTERNS.some((p) => p.test(text));
}

export function contentFlags(req: ScreenableRequest, today: string): Flag[] {
  const flags: Flag[] = [];
  const text = [req.offence.description, req.offence.assetLink].filter(Boolean).join('\n');
  if (article3Indicators(text)) flags.push('ARTICLE_3_RISK');

  const dob = req.subject.dateOfBirth;
  const basisDate = req.offence.legalBasis?.date;
  if (dob && (dob > today || (basisDate !== undefined && basisDate < dob))) flags.push('INCONSISTENT_DATES');
  if (basisDate && basisDate > today) flags.push('LEGAL_BASIS_IN_FUTURE');
  if (dob && basisDate && yearsBetween(dob, basisDate) < 18 && basisDate >= dob) flags.push('SUBJECT_IS_MINOR');
  if (!req.subject.givenNames || !dob) flags.push('INCOMPLETE_IDENTITY');
  return flags;
}

function yearsBetween(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number);
  const [ty, tm, td] = to.split('-').map(Number);
  return ty - fy - (tm < fm || (tm === fm && td < fd) ? 1 : 0);
}

/** The person a request is about, normalised so spelling variants of one record compare equal. */
export function subjectKey(subject: ScreenableRequest['subject']): string {
  const name = (subject.familyName ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
  const anchor = subject.dateOfBirth ?? `DOC:${(subject.identityDocuments?.[0]?.number ?? '').toUpperCase().replace(/\s/g, '')}`;
  return `${name}|${anchor}`;
}
