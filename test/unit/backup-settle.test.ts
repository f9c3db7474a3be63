/**
 * The wait, inside a backup's hold, for workflow tasks under way to reach Temporal: over once the
 * worker has had none in hand for a while, and never longer than its bound.
 */
import { workflowTasksSettled } from '../../system/backup';

/** A worker whose workflow tasks in hand follow `inHand(msSinceStart)`. */
const workerWith = (inHand: (ms: number) => number) => {
  const started = Date.now();
  return { getStatus: () => ({ numInFlightWorkflowActivations: inHand(Date.now() - started) }) } as never;
};

const timed = async (wait: () => Promise<void>) => {
  const started = Date.now();
  await wait();
  return Date.now() - started;
};

test('an idle worker is settled after the quiet time', async () => {
  const ms = await timed(
    workflowTasksSettled(
      workerWith(() => 0),
      { quietMs: 100, maxMs: 2000 },
    ),
  );
  expect(ms).toBeGreaterThanOrEqual(100);
  expect(ms).toBeLessThan(600);
});

test('tasks in hand restart the quiet time', async () => {
  const ms = await timed(
    workflowTasksSettled(
      workerWith((t) => (t < 400 ? 1 : 0)),
      { quietMs: 100, maxMs: 2000 },
    ),
  );
  // Busy until 400 ms, seen so at most one poll (25 ms) before, then quiet for 100 ms.
  expect(ms).toBeGreaterThanOrEqual(470);
  expect(ms).toBeLessThan(1200);
});

test('a worker never quiet is waited for no longer than the bound', async () => {
  const ms = await timed(
    workflowTasksSettled(
      workerWith(() => 3),
      { quietMs: 100, maxMs: 500 },
    ),
  );
  expect(ms).toBeGreaterThanOrEqual(500);
  expect(ms).toBeLessThan(1100);
});
