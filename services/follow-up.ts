/**
 * After publication, on the record alone: a recipient's deletion confirmation, and the outcomes a
 * requester reports (recorded and read with need to know).
 */
import { confirmDeletion, outcomesOf, recordOutcome, type OutcomeInput, type OutcomeRow } from '../records/follow-up';
import type { RecordWrite } from './action-registry';
import type { Principal, ServiceDeps } from './context';
import type { ReadingService } from './reading';
import { conflict, invalid } from './refusals';

export function outcomeView(o: OutcomeRow) {
  return {
    id: o.id,
    measure: o.measure,
    country: o.country,
    value: o.amount !== null && o.currency !== null ? { amount: o.amount.toNumber(), currency: o.currency } : null,
    date: o.date.toISOString().slice(0, 10),
    note: o.note,
    at: o.at.toISOString(),
  };
}

export async function writeDeletionConfirmation(deps: ServiceDeps, a: { noticeId: string; principal: Principal; actionId: string }) {
  const done = await confirmDeletion(deps.prisma, {
    noticeId: a.noticeId,
    country: a.principal.country!,
    actionId: a.actionId,
    at: new Date(),
    actor: a.principal,
  });
  if (done === 'OTHER') throw conflict('This recipient has confirmed the deletion already', 'ALREADY_CONFIRMED');
  return undefined;
}

export async function writeOutcome(deps: ServiceDeps, a: RecordWrite<OutcomeInput>) {
  // The requester records outcomes, and sees every recipient.
  if (!a.notice.recipients.some((r) => r.country === a.body.country)) {
    throw invalid('The outcome is invalid', [
      { path: 'country', code: 'NOT_A_RECIPIENT', message: "must be one of the request's recipients" },
    ]);
  }
  const row = await recordOutcome(deps.prisma, { ...a.body, id: a.actionId, noticeId: a.noticeId, at: new Date(), actor: a.principal });
  return outcomeView(row);
}

/** The outcomes the caller may read: all of them for the requester, reviewers and the CCF; a recipient's own country's. */
export function outcomeService(deps: ServiceDeps, reading: ReadingService) {
  return {
    async list(id: string, principal: Principal) {
      const relation = await reading.relationOf(id, principal);
      // A recipient knows the request, but outcomes are its requester's to share: only its own country's.
      const country = relation === 'RECIPIENT' ? principal.country! : undefined;
      const rows = await outcomesOf(deps.prisma, id, country);
      if (relation !== 'REQUESTER') await reading.auditReads([{ id }], principal, 'outcomes');
      return { items: rows.map(outcomeView) };
    },
  };
}
