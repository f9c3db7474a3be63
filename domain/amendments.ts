/**
 * Amendments to a published request: what they may add, what the request becomes, and whom a
 * diffusion reaches besides. An amendment only adds (aliases, identity documents, assets, recipients)
 * or replaces the legal basis, so nothing a recipient has been told is taken back. Bundle-safe: the
 * workflow uses it.
 */
import type { Kind } from './model';
import type { PilotSettings } from './pilot';
import { recipientProblems } from './recipients';
import type { AssetSought, FieldProblem, Offence, RequestContent, Subject } from './request';

export interface AmendmentAdditions {
  aliases?: NonNullable<Subject['aliases']>;
  identityDocuments?: NonNullable<Subject['identityDocuments']>;
  assetsSought?: AssetSought[];
  /** Countries a DIFFUSION reaches besides those it names. */
  recipients?: string[];
}

export interface AmendmentChanges {
  add: AmendmentAdditions;
  legalBasis?: Offence['legalBasis'];
}

/** LAPSED: the request ended (completed, withdrawn, cancelled, expired) before the amendment was decided. */
export const AMENDMENT_STATUSES = ['UNDER_REVIEW', 'APPROVED', 'REJECTED', 'LAPSED'] as const;

/** The limits a submission keeps, which a request's additions may not pass either. */
const LIMITS = { aliases: 50, identityDocuments: 20, assetsSought: 100 } as const;

/** The request once the amendment is applied. */
export function applyAmendment(current: RequestContent, a: AmendmentChanges): RequestContent {
  const { add } = a;
  const subject: Subject = {
    ...current.subject,
    ...(add.aliases?.length ? { aliases: [...(current.subject.aliases ?? []), ...add.aliases] } : {}),
    ...(add.identityDocuments?.length
      ? { identityDocuments: [...(current.subject.identityDocuments ?? []), ...add.identityDocuments] }
      : {}),
  };
  return {
    ...current,
    subject,
    offence: a.legalBasis ? { ...current.offence, legalBasis: a.legalBasis } : current.offence,
    assetsSought: [...current.assetsSought, ...(add.assetsSought ?? [])],
    ...(current.recipients ? { recipients: [...current.recipients, ...newRecipients(current.recipients, add.recipients)] } : {}),
  };
}

/** The countries `additions` name that the request does not reach yet. */
export function newRecipients(current: readonly string[], additions: readonly string[] | undefined): string[] {
  return [...new Set(additions ?? [])].filter((c) => !current.includes(c)).sort();
}

/**
 * Why an amendment cannot be made to a request (field problems, paths as in the body): it must add
 * something; only a DIFFUSION names recipients, and those it adds must be valid recipients as a
 * submission's are; the request with the additions keeps a submission's limits.
 */
export function amendmentProblems(
  request: { kind: Kind; requestingCountry: string; content: RequestContent },
  a: AmendmentChanges,
  pilot: PilotSettings,
): FieldProblem[] {
  const { add } = a;
  const adds = Object.values(add).some((v) => Array.isArray(v) && v.length > 0);
  if (!adds && !a.legalBasis) return [{ path: 'add', code: 'REQUIRED', message: 'must add something, or give a new legalBasis' }];
  const problems: FieldProblem[] = [];
  if (add.recipients?.length && request.kind !== 'DIFFUSION') {
    problems.push({ path: 'add.recipients', code: 'KIND_RECIPIENTS', message: 'only a DIFFUSION names its recipients' });
  } else {
    const named = recipientProblems(request.requestingCountry, add.recipients, pilot);
    problems.push(...named.map((p) => ({ ...p, path: `add.${p.path}` })));
  }
  const merged = applyAmendment(request.content, a);
  const sizes = {
    aliases: merged.subject.aliases?.length ?? 0,
    identityDocuments: merged.subject.identityDocuments?.length ?? 0,
    assetsSought: merged.assetsSought.length,
  };
  for (const [field, limit] of Object.entries(LIMITS) as [keyof typeof LIMITS, number][]) {
    if (sizes[field] > limit)
      problems.push({ path: `add.${field}`, code: 'TOO_LONG', limit, message: `the request would hold more than ${limit}` });
  }
  return problems;
}
