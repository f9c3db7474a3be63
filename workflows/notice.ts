/**
 * The life of one Silver Notice request, from submission to its final state. Workflow id = request id.
 * This function only wires messages to the request's state (request-lifecycle.ts, review.ts, published-request.ts)
 * and runs the loop that waits for actions and deadlines.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler } from '@temporalio/workflow';
import type { Status } from '../domain/model';
import { AmendmentReview } from './amendments';
import * as m from './messages';
import { PublishedDuties } from './published-request';
import { RequestLifecycle } from './request-lifecycle';
import { RequestReview } from './review';
import type { NoticeWorkflowInput } from './state';

export type { NoticeWorkflowInput } from './state';

export async function silverNoticeWorkflow(input: NoticeWorkflowInput): Promise<Status> {
  m.refuseUnsealedStart(input);
  const request = new RequestLifecycle(input);
  const review = new RequestReview(request);
  const published = new PublishedDuties(request);
  const amendments = new AmendmentReview(request);

  setHandler(m.progressQuery, () => request.progress());
  setHandler(m.decideUpdate, (d) => review.decide(d), { validator: (d) => review.validateDecision(d) });
  setHandler(m.claimUpdate, (c) => review.claim(c), { validator: (c) => review.validateClaim(c) });
  setHandler(m.releaseUpdate, (r) => review.release(r), { validator: (r) => review.validateRelease(r) });
  setHandler(m.clarifyUpdate, (c) => review.clarify(c), { validator: (c) => review.validateClarification(c) });
  setHandler(m.withdrawUpdate, (w) => request.withdraw(w), { validator: (w) => request.validateWithdrawal(w) });
  setHandler(m.cancelUpdate, (c) => request.cancel(c), { validator: (c) => request.validateCancellation(c) });
  setHandler(m.respondUpdate, (r) => published.respond(r), { validator: (r) => published.validateResponse(r) });
  setHandler(m.acknowledgeUpdate, (a) => published.acknowledge(a), { validator: (a) => published.validateAcknowledgement(a) });
  setHandler(m.delayUpdate, (d) => published.delay(d), { validator: (d) => published.validateDelay(d) });
  setHandler(m.blockUpdate, (b) => published.block(b), { validator: (b) => published.validateBlocking(b) });
  setHandler(m.decideBlockingUpdate, (d) => published.decideBlocking(d), { validator: (d) => published.validateBlockingDecision(d) });
  setHandler(m.requestRenewalUpdate, (r) => published.requestRenewal(r), { validator: (r) => published.validateRenewal(r) });
  setHandler(m.decideRenewalUpdate, (d) => published.decideRenewal(d), { validator: (d) => published.validateRenewalDecision(d) });
  setHandler(m.amendUpdate, (a) => amendments.amend(a), { validator: (a) => amendments.validateAmendment(a) });
  setHandler(m.decideAmendmentUpdate, (d) => amendments.decideAmendment(d), {
    validator: (d) => amendments.validateAmendmentDecision(d),
  });

  await review.screenIfSubmitted();
  while (!request.isDone) {
    await request.waitForChangeOrDeadline();
    if (request.isDone) break;
    if (request.shouldContinueAsNew) {
      // Handlers must finish before this run ends, or their callers would get an error.
      await condition(() => allHandlersFinished() && request.idle);
      if (request.isDone) break;
      await continueAsNew<typeof silverNoticeWorkflow>(request.continuationInput());
    }
    await request.handleDue();
  }
  request.search.update(request.state, undefined);
  await condition(allHandlersFinished);
  return request.status;
}
