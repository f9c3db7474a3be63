/**
 * What a reviewer needs beside the request itself: where its four-eyes review stands, as the
 * request's workflow counts it (the approvals of the current round, by person).
 */
import { userNames } from '../records/keys';
import type { Principal, ServiceDeps } from './context';
import type { Status } from '../domain/model';
import type { Relation } from './reading';
import type { RequestWorkflows } from './requests';

export interface FourEyes {
  required: number;
  /** Who approved in this round (a key id for approvals from before people existed). */
  approvedBy: { id: string; name: string | null }[];
  /** The caller has approved in this round: another reviewer must give the next approval. */
  approvedByCaller: boolean;
}

export function reviewService(deps: ServiceDeps, workflows: RequestWorkflows) {
  return {
    /**
     * The review's approvals, for a reviewer while the request is UNDER_REVIEW; undefined for anyone
     * else or at any other time. `seen`: the request as the caller has just read it, so that nothing
     * is asked of the workflow when there is no review to show.
     */
    async fourEyes(id: string, principal: Principal, seen: { relation: Relation; status: Status }): Promise<FourEyes | undefined> {
      if (seen.relation !== 'REVIEWER' || seen.status !== 'UNDER_REVIEW') return undefined;
      const progress = await workflows.progress(id);
      if (!progress || progress.status !== 'UNDER_REVIEW') return undefined;
      const names = await userNames(deps.prisma, progress.approvals);
      return {
        required: progress.approvalsRequired,
        approvedBy: progress.approvals.map((a) => ({ id: a, name: names.get(a) ?? null })),
        approvedByCaller: progress.approvals.includes(principal.userId) || progress.approvals.includes(principal.keyId),
      };
    },
  };
}
