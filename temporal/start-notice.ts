import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { PrismaClient } from '../prisma/database';
import type { NoticeWorkflowInput } from '../workflows/notice';

/** Starts a request's workflow (workflow id = request id); starting it twice is harmless. */
export async function startNoticeWorkflow(
  client: Client,
  opts: { taskQueue: string; daySeconds: number },
  notice: { id: string; requestingCountry: string; responseDays: number },
): Promise<void> {
  const input: NoticeWorkflowInput = {
    noticeId: notice.id,
    requestingCountry: notice.requestingCountry,
    responseDays: notice.responseDays,
    daySeconds: opts.daySeconds,
  };
  try {
    await client.workflow.start('silverNoticeWorkflow', { workflowId: notice.id, taskQueue: opts.taskQueue, args: [input] });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * A submission is recorded before its workflow starts; if the process died in between, the
 * request would wait forever. At start-up, every SUBMITTED request gets its workflow.
 */
export async function resumeSubmittedNotices(
  client: Client,
  prisma: PrismaClient,
  opts: { taskQueue: string; daySeconds: number },
): Promise<number> {
  const waiting = await prisma.notice.findMany({
    where: { status: 'SUBMITTED' },
    select: { id: true, requestingCountry: true, responseDays: true },
  });
  for (const notice of waiting) await startNoticeWorkflow(client, opts, notice);
  return waiting.length;
}
