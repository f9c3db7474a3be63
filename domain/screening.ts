/**
 * Automated screening: checks on a request's content. Screening only raises flags; people decide.
 * The duplicate check compares `subjectKey`s of open requests, which the case record answers.
 */
import type { Flag } from './model';
import type { Offence, Subject } from './request';

/**
 * Text folded for matching: compatibility-decomposed, marks removed (accents, Arabic short vowels
 * and hamza), Arabic tatweel removed, lower case. "Político", "POLITICO" and "politico" fold alike.
 */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/\u0640/g, '')
    .toLowerCase();
}

/**
 * Words that suggest a political, military, religious or racial character (INTERPOL Constitution,
 * Article 3), folded, in the four notice languages. Latin-script entries match at the start of a
 * word (a stem: "politi" finds political, politically, politique, político); those marked `=` only
 * as whole words. Arabic entries match anywhere, because Arabic writes articles and prepositions
 * onto the word. A hit is a prompt for the reviewer, not a verdict.
 */
const ARTICLE_3_TERMS = {
  political: [
    'politi',
    'opposition',
    'oposicion',
    'opositor',
    'dissiden',
    'disiden',
    'activis',
    'militant',
    'protest',
    'election',
    'electora',
    'eleccion',
    'party leader',
    '=coup',
    "coup d'etat",
    'golpe de estado',
    'insurg',
    'separatis',
    '=regime',
    '=regimen',
  ],
  military: [
    'milita',
    '=army',
    'armee',
    'ejercito',
    'armed forces',
    'forces armees',
    'fuerzas armadas',
    'soldier',
    'soldat',
    'soldado',
    'desertion',
    'deserter',
    'deserteur',
    'desercion',
    'desertor',
  ],
  religious: [
    'religi',
    'blasphem',
    'blasfem',
    'apostas',
    'apostat',
    'heresy',
    'heresie',
    'herej',
    'church',
    'eglise',
    'iglesia',
    'mosque',
    'mezquita',
    'synagogue',
    'sinagoga',
    '=temple',
    'templo',
  ],
  racial: ['racial', 'racis', '=race', '=raza', 'ethni', 'etni', 'tribe', 'tribal', '=tribu'],
  arabic: ['سياسي', 'سياسة', 'انتخاب', 'معارض', 'عسكري', 'جيش', 'ديني', 'طائفي', 'مسجد', 'كنيس', 'عرقي'],
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ARTICLE_3_PATTERN = new RegExp(
  Object.entries(ARTICLE_3_TERMS)
    .flatMap(([group, terms]) =>
      terms.map((term) => {
        if (group === 'arabic') return escape(term);
        const whole = term.startsWith('=');
        return `(?<![\\p{L}\\p{N}])${escape(whole ? term.slice(1) : term)}${whole ? '(?![\\p{L}\\p{N}])' : ''}`;
      }),
    )
    .join('|'),
  'u',
);

export function article3Indicators(text: string): boolean {
  return ARTICLE_3_PATTERN.test(fold(text));
}

export interface ScreenableRequest {
  subject: Subject;
  offence: Offence;
}

/** Flags that the content alone raises; `today` is YYYY-MM-DD. */
export function contentFlags(req: ScreenableRequest, today: string): Flag[] {
  const flags: Flag[] = [];
  if (article3Indicators([req.offence.description, req.offence.assetLink].join('\n'))) flags.push('ARTICLE_3_RISK');

  const dob = req.subject.dateOfBirth;
  const basisDate = req.offence.legalBasis.date;
  if (dob && (dob > today || basisDate < dob)) flags.push('INCONSISTENT_DATES');
  if (basisDate > today) flags.push('LEGAL_BASIS_IN_FUTURE');
  if (dob && basisDate >= dob && yearsBetween(dob, basisDate) < 18) flags.push('SUBJECT_IS_MINOR');
  if (!req.subject.givenNames || !dob) flags.push('INCOMPLETE_IDENTITY');
  return flags;
}

function yearsBetween(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number);
  const [ty, tm, td] = to.split('-').map(Number);
  return ty - fy - (tm < fm || (tm === fm && td < fd) ? 1 : 0);
}

/**
 * The person a request is about, so spelling variants of one record compare equal: the family name
 * folded, in any script, with only its letters and digits, and the date of birth (or the first
 * identity document). Null when the name has no letter at all: such a request matches nobody.
 */
export function subjectKey(subject: Pick<Subject, 'familyName' | 'dateOfBirth' | 'identityDocuments'>): string | null {
  const name = fold(subject.familyName)
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
  if (!name) return null;
  const anchor = subject.dateOfBirth ?? `DOC:${(subject.identityDocuments?.[0]?.number ?? '').toUpperCase().replace(/\s/g, '')}`;
  return `${name}|${anchor}`;
}
