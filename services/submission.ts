/**
 * Submitting a request: the pilot's rules (participation, recipients, quota), the Idempotency-Key,
 * the case record, then the request's workflow.
 */
import crypto from 'node:crypto';
import { participationRefusal, quotaRefusal } from '../domain/pilot';
import { nobodyToReach, recipientProblems } from '../domain/recipients';
import type { RequestContent } from '../domain/request';
import { subjectKey } from '../domain/screening';
import { claimIdempotencyKey } from '../records/idempotency';
import { identifierDigests } from '../records/links';
import { findNotice, recordSubmission } from '../records/notices';
import { lockQuota, readPilotSettings } from '../records/pilot';
import type { Principal, ServiceDeps } from './context';
import type { ReadingService } from './reading';
import { conflict, forbidden, invalid } from './refusals';
import type { RequestWorkflows } from './requests';

/** A hash of a parsed body with keys sorted, so key order and whitespace do not matter. */
export function bodyHash(body: unknown): string {
  const canonical = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
    // A parsed date is an object without own keys: it would hash as `{}`, whatever its day.
    if (v instanceof Date) return JSON.stringify(v.toISOString());
    // A file is known by its digest: hashing it byte by byte as a list would be slow and huge.
    if (v instanceof Uint8Array) return JSON.stringify(crypto.createHash('sha256').update(v).digest('hex'));
    if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      return `{${entries
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
        .join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return crypto.createHash('sha256').update(canonical(body)).digest('hex');
}

/** The refusal of an Idempotency-Key sent again with another body. */
export const idempotencyMismatch = () => conflict('This Idempotency-Key was already used with a different body', 'IDEMPOTENCY_MISMATCH');

/** Claims an Idempotency-Key for a new resource; the same key with another body is a conflict. */
export async function claimKey(deps: ServiceDeps, principal: Principal, scope: string, key: string, body: unknown) {
  const claim = await claimIdempotencyKey(deps.prisma, {
    keyId: principal.keyId,
    scope,
    key,
    hash: bodyHash(body),
    resourceId: crypto.randomUUID(),
  });
  if (!claim.sameBody) throw idempotencyMismatch();
  return claim;
}

export function submissionService(deps: ServiceDeps, workflows: RequestWorkflows, reading: ReadingService) {
  const { prisma } = deps;

  return {
    async submit(principal: Principal, request: RequestContent, idempotencyKey?: string) {
      const country = principal.country!;
      const pilot = await readPilotSettings(prisma);
      const notParticipating = participationRefusal(country, pilot);
      if (notParticipating) throw forbidden(notParticipating, 'NOT_PARTICIPANT');
      const problems = recipientProblems(country, request.recipients, pilot);
      if (problems.length) throw invalid('The request is invalid', problems);
      const nobody = nobodyToReach(request.kind, country, pilot);
      if (nobody) throw conflict(nobody, 'NOT_PARTICIPANT');

      let id: string = crypto.randomUUID();
      if (idempotencyKey) {
        const claim = await claimKey(deps, principal, 'notices', idempotencyKey, request);
        id = claim.resourceId;
        const existing = claim.replay ? await findNotice(prisma, id) : null;
        if (existing) {
          // Recorded earlier; its workflow may not have started if the process stopped in between.
          if (existing.status === 'SUBMITTED') await workflows.start(existing);
          return reading.view(id, principal);
        }
      }

      const actor = { ...principal, country };
      const digests = await identifierDigests(prisma, request.assetsSought);
      try {
        const notice = await prisma.$transaction(async (tx) => {
          const refused = quotaRefusal(country, await lockQuota(tx, country), pilot);
          if (refused) throw conflict(refused, 'QUOTA_EXHAUSTED');
          return recordSubmission(tx, { id, content: request, subjectKey: subjectKey(request.subject), actor, now: new Date(), digests });
        });
        await workflows.start(notice);
        deps.log.info({ noticeId: id, country, kind: request.kind }, 'request submitted');
        return reading.submitted(notice, principal);
      } catch (err) {
        // The same Idempotency-Key sent twice at once: the second finds the first's request.
        if ((err as { code?: string }).code === 'P2002' && idempotencyKey) return reading.view(id, principal);
        throw err;
      }
    },
  };
}
