/**
 * Starting a request's workflow and sending it actions: the one place the services talk to Temporal.
 * The workflow id is the request id, and a request never gets a second run: a closed workflow's id
 * is not reused, so a replayed submission cannot reopen a request that has ended.
 */
import {
  ActivityFailure,
  QueryNotRegisteredError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import type { ActionName } from '../domain/actions';
import type { RefusalCode } from '../domain/codes';
import type { FieldProblem } from '../domain/request';
import { responseWindowDays, retentionSweepEvery } from '../domain/time';
import { findNotice, submittedNotices } from '../records/notices';
import { retentionWorkflow, silverNoticeWorkflow } from '../workflows';
import {
  FAILURE_CONFLICT,
  FAILURE_FORBIDDEN,
  FAILURE_INVALID,
  FAILURE_UNKNOWN_ACTOR,
  progressQuery,
  type ActionInput,
  type ActionResult,
  type NoticeProgress,
} from '../workflows/messages';
import { RETENTION_WORKFLOW_ID } from '../workflows/retention';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import type { NoticeWorkflowInput } from '../workflows/notice';
import type { ServiceDeps } from './context';
import { conflict, forbidden, invalid } from './refusals';

export function requestWorkflows(deps: ServiceDeps) {
  const { temporal, prisma } = deps;

  /** Starts a request's workflow; starting it again, while it runs or after it ended, does nothing. */
  async function start(notice: {
    id: string;
    requestingCountry: string;
    kind: string;
    urgency: string;
    responseDays: number | null;
  }): Promise<void> {
    const input: NoticeWorkflowInput = {
      noticeId: notice.id,
      requestingCountry: notice.requestingCountry,
      responseDays: responseWindowDays(notice.urgency, notice.responseDays),
      daySeconds: deps.daySeconds,
    };
    try {
      await temporal.workflow.start(silverNoticeWorkflow, {
        workflowId: notice.id,
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        // Shown from the start; the workflow keeps status, reference, urgency and next due time current.
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.status, value: 'SUBMITTED' },
          { key: SEARCH_ATTRIBUTES.kind, value: notice.kind },
          { key: SEARCH_ATTRIBUTES.requestingCountry, value: notice.requestingCountry },
          { key: SEARCH_ATTRIBUTES.urgency, value: notice.urgency },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  /**
   * Sends an action to the request's workflow and waits until it has taken effect. A refusal by the
   * workflow (the action does not fit the state, or is not this caller's) becomes a Refusal.
   * The action's id is the update's id: the server answers a repeat of an update it has completed
   * with its outcome, even once the workflow has ended; the workflow answers one from an earlier run.
   */
  async function send<Arg extends ActionInput>(
    id: string,
    _action: ActionName,
    update: UpdateDefinition<ActionResult, [Arg]>,
    arg: Arg,
  ): Promise<ActionResult> {
    try {
      return await temporal.workflow.getHandle(id).executeUpdate(update, { args: [arg], updateId: arg.actionId });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const failure = err.cause instanceof ActivityFailure ? err.cause.cause : err.cause;
        if (failure instanceof ApplicationFailure) {
          const code = failure.details?.[0] as RefusalCode | undefined;
          if (failure.type === FAILURE_CONFLICT) throw conflict(failure.message, code ?? 'WRONG_STATE');
          if (failure.type === FAILURE_FORBIDDEN) throw forbidden(failure.message, code ?? 'FORBIDDEN');
          if (failure.type === FAILURE_INVALID) throw invalid('The request is invalid', failure.details?.[0] as FieldProblem[]);
          if (failure.type === FAILURE_UNKNOWN_ACTOR) throw forbidden(failure.message, 'UNKNOWN_ACTOR');
        }
      }
      // The workflow has ended: the request is in a final state.
      if (err instanceof WorkflowNotFoundError) {
        const status = (await findNotice(prisma, id))?.status;
        throw conflict(`The request is ${status ?? 'closed'}, a final state: no further action is possible`, 'REQUEST_FINAL');
      }
      throw err;
    }
  }

  /**
   * A submission is recorded before its workflow starts; if the process stopped in between, the
   * request would wait forever. At start-up, every SUBMITTED request gets its workflow.
   */
  async function resumeSubmitted(): Promise<number> {
    const waiting = await submittedNotices(prisma);
    for (const notice of waiting) await start(notice);
    return waiting.length;
  }

  /** Starts the retention sweep, unless it already runs (its id is fixed: one per system). */
  async function startRetention(): Promise<void> {
    await temporal.workflow.start(retentionWorkflow, {
      workflowId: RETENTION_WORKFLOW_ID,
      taskQueue: deps.taskQueue,
      args: [{ sweepEveryMs: retentionSweepEvery(deps.daySeconds) }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
  }

  /** Where the request's workflow stands (approvals so far...); undefined once it has ended. */
  async function progress(id: string): Promise<NoticeProgress | undefined> {
    try {
      return await temporal.workflow.getHandle(id).query(progressQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || err instanceof QueryNotRegisteredError) return undefined;
      throw err;
    }
  }

  return { start, send, progress, resumeSubmitted, startRetention };
}
export type RequestWorkflows = ReturnType<typeof requestWorkflows>;
