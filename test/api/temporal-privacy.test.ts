/**
 * No personal data in clear in Temporal: every payload of a request's history (workflow input,
 * updates and their results, activity inputs and results) is encrypted, so what Temporal stores,
 * and its Web UI shows, names no subject, document, IBAN or holder. Requests started before
 * payloads were encrypted (cleartext in their history) still run to their end.
 */
import crypto from 'node:crypto';
import { Client } from '@temporalio/client';
import { NoticeRequest } from '../../api/schemas/requests';
import { recordSubmission } from '../../records/notices';
import { ENCRYPTED_ENCODING, EncryptionCodec } from '../../temporal/codec';
import { silverNoticeWorkflow } from '../../workflows';
import { decideUpdate } from '../../workflows/messages';
import { ibanFor, startTestSystem, TEST_PAYLOAD_KEYS, type TestSystem } from '../support/system';
import { failOnServerErrors, freshRequest, located, submit, waitForRecordStatus, waitForStatus } from '../support/helpers';

let sys: TestSystem;
let ncbIt: string;
let ncbFr: string;
let ncbEs: string;
let reviewer: string;
/** A client on the same server without the codec: what anyone reading Temporal's store sees. */
let plain: Client;

beforeAll(async () => {
  // As a system upgraded while requests started in clear still run (test/workflows/trust.test.ts: refused otherwise).
  sys = await startTestSystem({ acceptPlaintextPayloads: true });
  [ncbIt, ncbFr, ncbEs, reviewer] = await sys.keys('IT', 'FR', 'ES', 'REVIEWER');
  await sys.pilot(['IT', 'FR', 'ES']);
  plain = new Client({ connection: sys.env.connection, namespace: sys.env.namespace });
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

interface RawPayload {
  metadata?: Record<string, string>;
  data?: string;
}
/**
 * Every payload the data converter wrote into a request's history. Patch markers (`patched()`) and
 * search attributes are left out: they are written by Temporal itself, not through the codec, and
 * must hold no personal data by construction (a patch's name; statuses, codes and dates).
 */
const LOCAL_ACTIVITY_MARKER_FIELDS = [
  'activity_id',
  'activity_type',
  'attempt',
  'backoff',
  'complete_time',
  'original_schedule_time',
  'seq',
];

async function payloadsOf(id: string): Promise<RawPayload[]> {
  const found: RawPayload[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.markerName === 'core_patch' || 'indexedFields' in o) return;
      if (o.markerName === 'core_local_activity') {
        // A local activity's marker: the SDK's own record of the step (its type, attempt and times),
        // which holds nothing of the request; its result is a payload like any other.
        const { data, ...rest } = o.details as { data: { payloads: RawPayload[] } };
        for (const p of data.payloads) expect(Object.keys(JSON.parse(utf8(p.data))).sort()).toEqual(LOCAL_ACTIVITY_MARKER_FIELDS);
        return walk(rest);
      }
      if (o.metadata && typeof o.metadata === 'object' && 'encoding' in (o.metadata as object)) found.push(o as RawPayload);
      else Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(JSON.stringify(await plain.workflow.getHandle(id).fetchHistory())));
  return found;
}
const utf8 = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('utf8');

test('a history read without the codec shows no subject, document, IBAN, holder or free text', async () => {
  const secrets = {
    family: 'ZAPPACOSTAQX',
    changedFamily: 'MANGANELLIQW',
    document: 'YB9988776',
    iban: ibanFor('IT', 'X0542811101000000999888'),
    holder: 'Fiduciaria Lunaria SRL',
    reason: 'Shell companies in the Canton of Ticino',
    message: 'Our prosecutor confirms the second passport',
  };
  const body = freshRequest({ responseDays: 30 });
  body.subject = {
    ...body.subject,
    familyName: secrets.family,
    identityDocuments: [{ type: 'PASSPORT', number: secrets.document, issuingCountry: 'IT' }],
  };
  body.assetsSought[0].identifiers = { iban: secrets.iban };
  const created = await submit(sys, ncbIt, body);
  await waitForRecordStatus(sys, created.id, 'UNDER_REVIEW');
  const ask = { decision: 'REQUEST_CLARIFICATION', reason: secrets.reason };
  expect((await sys.call('POST', `/v1/notices/${created.id}/decisions`, { key: reviewer, body: ask })).status).toBe(200);
  const changes = { subject: { ...body.subject, familyName: secrets.changedFamily } };
  const clarified = await sys.call('POST', `/v1/notices/${created.id}/clarifications`, {
    key: ncbIt,
    body: { message: secrets.message, changes },
  });
  expect(clarified.status).toBe(200);
  await waitForRecordStatus(sys, created.id, 'UNDER_REVIEW');
  expect(
    (await sys.call('POST', `/v1/notices/${created.id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } })).body.status,
  ).toBe('PUBLISHED');
  const answer = { outcome: 'ASSETS_LOCATED', assets: [located({ holder: secrets.holder, identifiers: { iban: secrets.iban } })] };
  expect((await sys.call('POST', `/v1/notices/${created.id}/responses`, { key: ncbFr, body: answer })).status).toBe(201);
  expect((await sys.call('POST', `/v1/notices/${created.id}/responses`, { key: ncbEs, body: { outcome: 'NO_ASSETS_FOUND' } })).status).toBe(
    201,
  );
  await waitForStatus(sys, created.id, ncbIt, 'COMPLETED');

  const payloads = await payloadsOf(created.id);
  expect(payloads.length).toBeGreaterThan(10);
  const stored = payloads
    .map(
      (p) =>
        Object.values(p.metadata ?? {})
          .map(utf8)
          .join(' ') + utf8(p.data),
    )
    .join('\n');
  for (const [what, value] of Object.entries(secrets)) expect({ what, inClear: stored.includes(value) }).toEqual({ what, inClear: false });
  expect(payloads.filter((p) => utf8(p.metadata?.encoding) !== ENCRYPTED_ENCODING).map((p) => utf8(p.data).slice(0, 300))).toEqual([]);

  // The same payloads, decrypted with the key, do hold them: the check above looked in the right place.
  const codec = new EncryptionCodec(TEST_PAYLOAD_KEYS);
  const decrypted = await codec.decode(
    payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(p.data ?? '', 'base64'),
    })),
  );
  const clear = decrypted.map((p) => Buffer.from(p.data ?? []).toString('utf8')).join('\n');
  for (const value of [secrets.changedFamily, secrets.holder, secrets.iban, secrets.reason, secrets.message])
    expect(clear).toContain(value);
});

test('a payload encrypted with an unknown key, or altered, is refused rather than read', async () => {
  const codec = new EncryptionCodec(TEST_PAYLOAD_KEYS);
  const [sealed] = await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"x"') }]);
  const other = new EncryptionCodec([{ id: 'other', key: Buffer.alloc(32, 1) }]);
  await expect(other.decode([sealed])).rejects.toThrow(/not among the payload keys/);
  const flipped = Buffer.from(sealed.data!);
  flipped[20] ^= 1;
  await expect(codec.decode([{ ...sealed, data: flipped }])).rejects.toThrow();
  // Rotation: a newer key first encrypts, the older one still decrypts what it sealed.
  const rotated = new EncryptionCodec([{ id: 'test-2', key: Buffer.alloc(32, 9) }, ...TEST_PAYLOAD_KEYS]);
  expect(Buffer.from((await rotated.decode([sealed]))[0].data!).toString()).toBe('"x"');
  const [newer] = await rotated.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"y"') }]);
  expect(Buffer.from(newer.metadata!['encryption-key-id']!).toString()).toBe('test-2');
});

test('with SILVER_PLAINTEXT_PAYLOADS=accept, a request started before payloads were encrypted (cleartext history) runs to its end', async () => {
  // Recorded and started the way the earlier code did it: its input and first update in clear.
  const id = crypto.randomUUID();
  const content = NoticeRequest.parse(freshRequest());
  const requester = { ...(await sys.principal(ncbIt)), country: 'IT' };
  await sys.db.prisma.$transaction((tx) =>
    recordSubmission(tx, { id, content, subjectKey: null, actor: requester, now: new Date(), digests: [] }),
  );
  const cleartextRun = await plain.workflow.start(silverNoticeWorkflow, {
    workflowId: id,
    taskQueue: sys.taskQueue,
    args: [{ noticeId: id, requestingCountry: 'IT', responseDays: content.responseDays ?? 30, daySeconds: sys.daySeconds }],
  });
  await waitForRecordStatus(sys, id, 'UNDER_REVIEW');
  const actor = await sys.principal(reviewer);
  // Its answer comes back encrypted (today's worker): this client without the codec cannot read it.
  await expect(cleartextRun.executeUpdate(decideUpdate, { args: [{ decision: 'APPROVE', grounds: [], actor }] })).rejects.toThrow(
    /Unknown encoding: binary\/encrypted/,
  );
  await waitForRecordStatus(sys, id, 'PUBLISHED');
  const clearStart = (await payloadsOf(id)).find((p) => utf8(p.data).includes('"noticeId"'));
  expect(clearStart).toBeDefined();

  // From here on, the system (encrypting) carries it to the end.
  for (const key of [ncbFr, ncbEs]) {
    expect((await sys.call('POST', `/v1/notices/${id}/responses`, { key, body: { outcome: 'NO_ASSETS_FOUND' } })).status).toBe(201);
  }
  await waitForStatus(sys, id, ncbIt, 'COMPLETED');
  expect(utf8((await payloadsOf(id)).at(-1)!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
});
