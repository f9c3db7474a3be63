/**
 * Replay: the current workflow code must reproduce, command for command, the histories recorded
 * from real runs (test/histories/*.json, made by test/histories/record.ts). A change that would
 * break requests already running (a new activity call, a reordered timer, a removed branch)
 * fails here with a nondeterminism error, before it reaches a running system.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { EncryptionCodec } from '../../temporal/codec';
import * as messages from '../../workflows/messages';
import { ANSWERS_TOGETHER_PATCH } from '../../workflows/published-request';
import { BLOCKING_OUTLIVES_CLOSING_PATCH, REASSESSMENT_PATCH } from '../../workflows/request-lifecycle';
import { PUBLISHING_DECISION_PATCH } from '../../workflows/review';
import { LOCAL_STEPS_PATCH } from '../../workflows/state';
import { SEARCH_ATTRIBUTES_PATCH } from '../../workflows/search-attributes';
import { TEST_BUNDLE_PATH } from '../support/global-setup';
import { quietTemporalRuntime, TEST_PAYLOAD_KEYS } from '../support/system';

const DIR = path.resolve(__dirname, '../histories');
const files = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

type History = temporal.api.history.v1.History;
/** Reads a history saved as `JSON.stringify(await handle.fetchHistory())`. */
function loadHistory(file: string): History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
}
const eventType = (e: temporal.api.history.v1.IHistoryEvent) => temporal.api.enums.v1.EventType[e.eventType!];
/**
 * Histories recorded since payloads are encrypted need the key; older ones are in clear. The
 * system's own codec reads a payload in clear as the unsealed mark, so replay reads them with a
 * codec that accepts them.
 */
const codec = new EncryptionCodec(TEST_PAYLOAD_KEYS, { acceptPlaintext: true });
const replayOptions = () => ({ workflowBundle: { codePath: TEST_BUNDLE_PATH }, dataConverter: { payloadCodecs: [codec] } });
const decoded = async (p: temporal.api.common.v1.IPayload) => defaultPayloadConverter.fromPayload<string>((await codec.decode([p]))[0]);

beforeAll(() => quietTemporalRuntime());

test('the recorded histories cover every final state and a run that continued as new', async () => {
  const lastEvents = files.map((f) => {
    const events = loadHistory(f).events;
    expect(eventType(events[0])).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(events[0].workflowExecutionStartedEventAttributes!.workflowType!.name).toBe('silverNoticeWorkflow');
    return { file: f, last: events[events.length - 1] };
  });
  const results = await Promise.all(
    lastEvents
      .filter(({ last }) => eventType(last) === 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED')
      .map(({ last }) => decoded(last.workflowExecutionCompletedEventAttributes!.result!.payloads![0])),
  );
  expect(new Set(results)).toEqual(new Set(['COMPLETED', 'REJECTED', 'LAPSED', 'WITHDRAWN', 'CANCELLED', 'EXPIRED']));
  const continued = lastEvents.filter(({ last }) => eventType(last) === 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
  expect(continued.map((c) => c.file)).toContain('continued-as-new.run1.json');
});

test('the recorded histories take in every update the workflow handles, and every patch', () => {
  const updates = new Set<string>();
  const markers = new Set<string>();
  for (const f of files) {
    for (const e of loadHistory(f).events) {
      const accepted = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
      if (accepted) updates.add(accepted);
      const marker = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
      if (marker) markers.add(JSON.parse(Buffer.from(marker).toString()).id);
    }
  }
  const handled = (Object.values(messages) as unknown[])
    .filter((m): m is { type: 'update'; name: string } => typeof m === 'object' && m !== null && (m as { type?: string }).type === 'update')
    .map((m) => m.name);
  expect([...updates].sort()).toEqual([...handled].sort());
  expect(markers).toContain(REASSESSMENT_PATCH);
  expect(markers).toContain(ANSWERS_TOGETHER_PATCH);
  expect(markers).toContain(SEARCH_ATTRIBUTES_PATCH);
  expect(markers).toContain(PUBLISHING_DECISION_PATCH);
  expect(markers).toContain(BLOCKING_OUTLIVES_CLOSING_PATCH);
  expect(markers).toContain(LOCAL_STEPS_PATCH);
});

test('the recorded histories take in steps run as local activities, and a repeat a later run answers from what an earlier one handled', () => {
  const localSteps = (f: string) =>
    loadHistory(f).events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
  expect(localSteps('local-steps-repeated-completed.json')).toBeGreaterThan(0);
  const accepted = (f: string) =>
    loadHistory(f).events.flatMap((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId ?? []);
  const [first, second] = ['local-steps-continued-as-new.run1.json', 'local-steps-continued-as-new.run2.json'].map(accepted);
  expect(first.filter((id) => second.includes(id))).toHaveLength(1);
  expect(localSteps('local-steps-continued-as-new.run2.json')).toBe(0);
});

test('every recorded history replays without nondeterminism', async () => {
  async function* histories() {
    for (const f of files) yield { workflowId: f, history: loadHistory(f) };
  }
  const outcomes: { workflowId: string; error?: string }[] = [];
  for await (const r of Worker.runReplayHistories(replayOptions(), histories())) {
    outcomes.push({ workflowId: r.workflowId, ...(r.error ? { error: `${r.error.name}: ${r.error.message}` } : {}) });
  }
  expect(outcomes).toEqual(files.map((f) => ({ workflowId: f })));
});

test('the replay check does catch a history the code would not produce', async () => {
  // The first activity the workflow schedules is screenNotice; claim the history recorded another.
  const history = loadHistory('approved-completed.json');
  const scheduled = history.events.find((e) => eventType(e) === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')!;
  expect(scheduled.activityTaskScheduledEventAttributes!.activityType!.name).toBe('screenNotice');
  scheduled.activityTaskScheduledEventAttributes!.activityType!.name = 'somethingElse';
  await expect(Worker.runReplayHistory(replayOptions(), history, 'tampered')).rejects.toBeInstanceOf(DeterminismViolationError);
});
