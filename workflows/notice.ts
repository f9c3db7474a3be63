/**
 * The life of one Silver Notice request, from submission to its final state. Workflow id = request id.
 * This function only wires messages to the request's state (request-lifecycle.ts) and runs the loop
 * that waits for actions and deadlines.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler } from '@temporalio/workflow';
import type { Status } from '../domain/model';
import { cancelUpdate, clarifyUpdate, decideUpdate, progressQuery, respondUpdate, withdrawUpdate } from './messages';
import { RequestLifecycle } from './request-lifecycle';
import type { NoticeWorkflowInput } from './state';

export type { NoticeWorkflowInput } from './state';

export async function silverNoticeWorkflow(input: NoticeWorkflowInput): Promise<Status> {
  const request = new RequestLifecycle(input);

  setHandler(progressQuery, () => request.progress());
  setHandler(decideUpdate, (d) => request.decide(d), { validator: (d) => request.validateDecision(d) });
  setHandler(clarifyUpdate, (c) => request.clarify(c), { validator: (c) => request.validateClarification(c) });
  setHandler(withdrawUpdate, (w) => request.withdraw(w), { validator: (w) => request.validateWithdrawal(w) });
  setHandler(cancelUpdate, (c) => request.cancel(c), { validator: (c) => request.validateCancellation(c) });
  setHandler(respondUpdate, (r) => request.respond(r), { validator: (r) => request.validateResponse(r) });

  await request.screenIfSubmitted();
  while (!request.isOver) {
    await request.waitForChangeOrDeadline();
    if (request.isOver) break;
    if (request.shouldContinueAsNew) {
      // Handlers must finish before this run ends, or their callers would get an error.
      await condition(() => allHandlersFinished() && request.idle);
      if (request.isOver) break;
      await continueAsNew<typeof silverNoticeWorkflow>(request.continuationInput());
    }
    await request.handleDue();
  }
  await condition(allHandlersFinished);
  return request.status;
}
