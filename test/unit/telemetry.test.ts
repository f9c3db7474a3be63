import pino from 'pino';
import { forwardSdkLog } from '../../temporal/telemetry';

function captured() {
  const lines: { level: number; msg: string; taskQueue?: string }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

test("the SDK's warnings stay warnings, but the webhook worker's expected one is information", () => {
  const { log, lines } = captured();
  forwardSdkLog(log, 'WARN', 'No workflows registered, not polling for workflow tasks', { taskQueue: 'silver-notice-webhooks' });
  forwardSdkLog(log, 'WARN', 'Workflow task failed');
  forwardSdkLog(log, 'ERROR', 'Worker failed');
  expect(lines.map(({ level, msg, taskQueue }) => ({ level, msg, ...(taskQueue ? { taskQueue } : {}) }))).toEqual([
    { level: 30, msg: 'No workflows registered, not polling for workflow tasks', taskQueue: 'silver-notice-webhooks' },
    { level: 40, msg: 'Workflow task failed' },
    { level: 50, msg: 'Worker failed' },
  ]);
});
