/**
 * The workflow trusts no caller: whoever reaches the Temporal server without the system's payload
 * key, or with an actor the system did not make, is refused, changes nothing and leaves the
 * request able to go on.
 */
import crypto from 'node:crypto';
import pino from 'pino';
import { ActivityFailure, ApplicationFailure, Client, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { createActivities } from '../../activities';
import { countingPrisma } from '../support/database';
import { silverNoticeWorkflow } from '../../workflows';
import { acknowledgeUpdate, decideUpdate, delayUpdate, respondUpdate, type DecisionInput } from '../../workflows/messages';
import { auditTypes, flaggedRequest, freshRequest, publish, statusOf, submitScreened, viaWorkflow } from '../support/helpers';
import { EncryptionCodec } from '../../temporal/codec';
import { derivedId } from '../../domain/ids';
import { startTestSystem, TEST_PAYLOAD_KEYS, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, reviewer: string, reviewer2: string;
/**
 * A Temporal client that sends its payloads in clear, as anyone with the `temporal` CLI and network
 * access can. (It reads the answers with the key, only so that the test can see why it was refused.)
 */
let keyless: Client;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, reviewer, reviewer2] = await sys.keys('IT', 'REVIEWER', 'REVIEWER');
  const reader = new EncryptionCodec(TEST_PAYLOAD_KEYS);
  keyless = new Client({
    connection: sys.env.connection,
    namespace: sys.env.namespace,
    dataConverter: { payloadCodecs: [{ encode: async (p) => p, decode: (p) => reader.decode(p) }] },
  });
});
afterAll(() => sys?.stop());

const invented = (role: string, country?: string) => ({
  role,
  ...(country ? { country } : {}),
  keyId: crypto.randomUUID(),
  userId: crypto.randomUUID(),
  name: 'Nobody',
});

/** The failure an update ended with: its type, and the type of an activity's failure under it. */
async function refusal(client: Client, id: string, arg: unknown, update: typeof decideUpdate = decideUpdate): Promise<string> {
  try {
    await client.workflow.getHandle(id).executeUpdate(update, { args: [arg as DecisionInput] });
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
    const failure = err.cause instanceof ActivityFailure ? err.cause.cause : err.cause;
    if (failure instanceof ApplicationFailure) return `${failure.type}${failure.details?.[0] ? `:${failure.details[0]}` : ''}`;
    throw err;
  }
  return 'ACCEPTED';
}

test('updates sent without the payload key are refused, however plausible their actors: four-eyes cannot be forged', async () => {
  const id = await submitScreened(sys, it_, flaggedRequest());
  for (const actor of [invented('REVIEWER'), invented('REVIEWER')]) {
    expect(await refusal(keyless, id, { decision: 'APPROVE', grounds: [], actor })).toBe('FORBIDDEN:UNSEALED');
  }
  expect(await statusOf(sys, id)).toBe('UNDER_REVIEW');
  expect(await auditTypes(sys, id)).not.toContain('DECISION');
  // The request goes on with the real reviewers.
  expect(await viaWorkflow.decide(sys, reviewer, id, 'APPROVE')).toEqual({ ok: true, status: 'UNDER_REVIEW' });
  expect(await viaWorkflow.decide(sys, reviewer2, id, 'APPROVE')).toEqual({ ok: true, status: 'PUBLISHED' });
});

test('a recipient’s action sent without the payload key is refused as unsealed, not failed on its missing actor', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const actor = invented('NCB', 'FR');
  for (const update of [respondUpdate, acknowledgeUpdate, delayUpdate]) {
    const arg = { country: 'FR', actor, outcome: 'NO_ASSETS_FOUND', days: 5, reason: 'More time' };
    expect(await refusal(keyless, id, arg, update as unknown as typeof decideUpdate)).toBe('FORBIDDEN:UNSEALED');
  }
  expect(await statusOf(sys, id)).toBe('PUBLISHED');
});

test('with the key, an actor whose role may not take the action is refused', async () => {
  const id = await submitScreened(sys, it_, flaggedRequest());
  for (const actor of [invented('NCB', 'IT'), invented('NCB', 'FR'), invented('CCF'), invented('ADMIN')]) {
    expect(await refusal(sys.env.client, id, { decision: 'APPROVE', grounds: [], actor })).toBe('FORBIDDEN:FORBIDDEN');
  }
  expect(await statusOf(sys, id)).toBe('UNDER_REVIEW');
});

test('an actor the system cannot have made is refused by the validator; one it does not know, before anything is written', async () => {
  const id = await submitScreened(sys, it_, flaggedRequest());
  const malformed = { ...invented('REVIEWER'), userId: 'not-a-uuid' };
  expect(await refusal(sys.env.client, id, { decision: 'APPROVE', grounds: [], actor: malformed })).toBe('FORBIDDEN:UNKNOWN_ACTOR');
  // Well formed, but no user of the system: the record refuses it, and the update fails at once.
  expect(await refusal(sys.env.client, id, { decision: 'REJECT', reason: 'x', grounds: [], actor: invented('REVIEWER') })).toBe(
    'UNKNOWN_ACTOR',
  );
  expect(await statusOf(sys, id)).toBe('UNDER_REVIEW');
  // Nothing is stuck: the next real decision is taken at once.
  expect(await viaWorkflow.decide(sys, reviewer, id, 'REJECT', 'Not serious enough')).toEqual({ ok: true, status: 'REJECTED' });
});

test('a user found once is known for good: its later steps look nobody up; an unknown one is looked up and refused every time', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const { prisma, calls: lookups } = countingPrisma(sys.db.prisma, 'User', 'findMany');
  const { recordAcknowledgement } = createActivities({ prisma, log: pino({ level: 'silent' }) });
  const acknowledge = (actor: object, n: number) =>
    recordAcknowledgement({ noticeId: id, eventId: derivedId(id, 'ack', n), at: Date.now(), country: 'FR', actor: actor as never });
  const [fr] = await sys.keys('FR');
  const france = await sys.principal(fr);
  await acknowledge(france, 1);
  await acknowledge(france, 2);
  expect(lookups()).toBe(1);
  for (const n of [3, 4]) await expect(acknowledge(invented('NCB', 'FR'), n)).rejects.toMatchObject({ type: 'UNKNOWN_ACTOR' });
  expect(lookups()).toBe(3);
});

test('a workflow started without the key ends at once, having done nothing', async () => {
  const id = crypto.randomUUID();
  const handle = await keyless.workflow.start(silverNoticeWorkflow, {
    workflowId: id,
    taskQueue: sys.taskQueue,
    args: [{ noticeId: id, requestingCountry: 'IT', responseDays: 30, daySeconds: 86400 }],
  });
  await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  expect(await sys.db.prisma.auditEvent.count({ where: { noticeId: id } })).toBe(0);
});
