/**
 * Message threads: the GS thread between the requester and the reviewers (the CCF reads it), each
 * recipient's thread with the requester, the review's question and answer shown in the GS thread
 * with the fields changed, MESSAGE notifications to the other side, repeats stored once, and
 * retention erasing the bodies.
 */
import { purgeRequest } from '../../records/retention';
import { unreadForReviewer } from '../../records/messages';
import {
  expectFieldErrors,
  expectProblem,
  failOnServerErrors,
  freshRequest,
  keyIdOf,
  notificationsOf,
  publish,
  submit,
  waitForStatus,
} from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, fr: string, es: string, de: string, reviewer: string, ccf: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE']);
  [it_, fr, es, de, reviewer, ccf] = await sys.keys('IT', 'FR', 'ES', 'DE', 'REVIEWER', 'CCF');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const write = (key: string, id: string, body: unknown, headers?: Record<string, string>) =>
  sys.call('POST', `/v1/notices/${id}/messages`, { key, body, headers });
const read = (key: string, id: string, thread?: string) =>
  sys.call('GET', `/v1/notices/${id}/messages${thread ? `?thread=${thread}` : ''}`, { key });
const bodies = (res: { body: { items: { thread: string; body: string }[] } }) => res.body.items.map((m) => `${m.thread}:${m.body}`);

test('the requester and the reviewers talk in the GS thread; the CCF reads it and writes nothing', async () => {
  const { id } = await submit(sys, it_, freshRequest());
  await waitForStatus(sys, id, it_, 'UNDER_REVIEW');

  const asked = await write(reviewer, id, { body: 'Is the account still open?', handlingCode: 'H2' });
  expect(asked.status).toBe(201);
  expect(asked.body).toMatchObject({
    thread: 'GS',
    kind: 'MESSAGE',
    author: { role: 'REVIEWER' },
    body: 'Is the account still open?',
    handlingCode: 'H2',
  });
  expect(asked.body.author.name).toEqual(expect.any(String));
  const answered = await write(it_, id, { body: 'Yes, since 2019 — نعم' });
  expect(answered.body).toMatchObject({ thread: 'GS', author: { role: 'NCB', country: 'IT' }, handlingCode: 'H0' });

  for (const key of [it_, reviewer, ccf]) {
    expect(bodies(await read(key, id))).toEqual(['GS:Is the account still open?', 'GS:Yes, since 2019 — نعم']);
  }
  const byCcf = await write(ccf, id, { body: 'May I?' });
  expectProblem(byCcf, 403);
  // An NCB the request is not published to may not know it exists.
  expectProblem(await read(fr, id), 404);
  expectProblem(await write(fr, id, { body: 'Hello' }), 404);
  // The reviewer's message tells the requester; the requester's is counted unread for reviewers until they read the thread.
  expect(await notificationsOf(sys, id, 'MESSAGE')).toEqual(['MESSAGE:IT']);
  expect(await sys.db.prisma.auditEvent.count({ where: { noticeId: id, type: 'MESSAGE' } })).toBe(2);
});

test('a reviewer has unread messages until it reads the GS thread', async () => {
  const { id } = await submit(sys, it_, freshRequest());
  const { userId } = await sys.db.prisma.apiKey.findUniqueOrThrow({ where: { id: await keyIdOf(sys, reviewer) } });
  await write(it_, id, { body: 'A document follows' });
  expect((await unreadForReviewer(sys.db.prisma, userId)).find((u) => u.noticeId === id)).toEqual({ noticeId: id, unread: 1 });
  await read(reviewer, id, 'GS');
  expect((await unreadForReviewer(sys.db.prisma, userId)).find((u) => u.noticeId === id)).toBeUndefined();
});

test('after publication the requester and each recipient talk in the recipient’s thread, and no one else reads it', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  expect((await write(it_, id, { body: 'Bonjour', country: 'FR' })).body).toMatchObject({ thread: 'FR' });
  expect((await write(fr, id, { body: 'Reçu' })).body).toMatchObject({ thread: 'FR', author: { role: 'NCB', country: 'FR' } });
  expect((await write(es, id, { body: 'Hola', country: 'ES' })).body).toMatchObject({ thread: 'ES' });
  await write(reviewer, id, { body: 'Noted' });

  expect(bodies(await read(it_, id))).toEqual(['FR:Bonjour', 'FR:Reçu', 'ES:Hola', 'GS:Noted']);
  expect(bodies(await read(it_, id, 'ES'))).toEqual(['ES:Hola']);
  expect(bodies(await read(fr, id))).toEqual(['FR:Bonjour', 'FR:Reçu']);
  expect(bodies(await read(es, id))).toEqual(['ES:Hola']);
  expect(bodies(await read(reviewer, id))).toEqual(['GS:Noted']);

  // A recipient neither reads nor writes another's thread or the GS's.
  for (const thread of ['ES', 'GS']) expect((await read(fr, id, thread)).body.code).toBe('NOT_YOUR_THREAD');
  const intoOther = await write(fr, id, { body: 'Psst', country: 'ES' });
  expectProblem(intoOther, 403);
  expect(intoOther.body.code).toBe('NOT_YOUR_THREAD');
  expect((await write(reviewer, id, { body: 'Hi', country: 'FR' })).body.code).toBe('NOT_YOUR_THREAD');
  // Not a recipient: no thread with it.
  const noThread = await write(it_, id, { body: 'Hallo', country: 'DE' });
  expectProblem(noThread, 409);
  expect(noThread.body.code).toBe('NO_SUCH_THREAD');
  expectProblem(await read(de, id), 404);
  expectProblem(await read(it_, id, 'DE'), 404);

  // Each side is told: the recipient of the requester's message, the requester of the others'.
  expect(await notificationsOf(sys, id, 'MESSAGE')).toEqual(['MESSAGE:FR', 'MESSAGE:IT', 'MESSAGE:IT', 'MESSAGE:IT']);
});

test('bad input is a 400 with field codes', async () => {
  const { id } = await submit(sys, it_, freshRequest());
  const long = await write(it_, id, { body: 'x'.repeat(5001) });
  expectFieldErrors(long, 'body');
  expect(long.body.errors[0]).toMatchObject({ code: 'TOO_LONG', limit: 5000 });
  expectFieldErrors(await write(it_, id, { body: 'ok', handlingCode: 'H9' }), 'handlingCode');
  expectFieldErrors(await write(it_, id, { body: '  ' }), 'body');
  expectFieldErrors(await write(it_, id, { body: 'ok', country: 'it' }), 'country');
  expectFieldErrors(await read(it_, id, 'gs'), 'query.thread');
});

test('the review question and the answer appear in GS, with the fields before and after for reviewers only', async () => {
  const n = await submit(sys, it_, freshRequest({ recipients: ['FR'], handlingCode: 'H1' }));
  await waitForStatus(sys, n.id, it_, 'UNDER_REVIEW');
  const asked = await sys.call('POST', `/v1/notices/${n.id}/decisions`, {
    key: reviewer,
    body: { decision: 'REQUEST_CLARIFICATION', reason: 'Which accounts exactly?', grounds: ['INSUFFICIENT_DATA'] },
  });
  expect(asked.body.status).toBe('CLARIFICATION_REQUESTED');
  const clarified = await sys.call('POST', `/v1/notices/${n.id}/clarifications`, {
    key: it_,
    body: { message: 'Only the French ones', changes: { urgency: 'URGENT', recipients: ['FR', 'ES'] } },
  });
  expect(clarified.status).toBe(200);

  const seen = (await read(reviewer, n.id)).body.items;
  expect(seen).toEqual([
    expect.objectContaining({
      thread: 'GS',
      kind: 'QUESTION',
      author: expect.objectContaining({ role: 'REVIEWER' }),
      body: 'Which accounts exactly?',
      handlingCode: 'H1',
    }),
    expect.objectContaining({
      thread: 'GS',
      kind: 'ANSWER',
      author: expect.objectContaining({ role: 'NCB', country: 'IT' }),
      body: 'Only the French ones',
      changes: ['urgency', 'recipients'],
      changed: [
        { path: 'urgency', before: n.urgency, after: 'URGENT' },
        { path: 'recipients', before: ['FR'], after: ['FR', 'ES'] },
      ],
    }),
  ]);
  const byRequester = (await read(it_, n.id)).body.items;
  expect(byRequester.map((m: { kind: string }) => m.kind)).toEqual(['QUESTION', 'ANSWER']);
  expect(byRequester[1].changes).toEqual(['urgency', 'recipients']);
  expect(byRequester[1].changed).toBeUndefined();

  // Published: the recipients never see the GS thread, nor the exchange in it.
  const published = await sys.call('POST', `/v1/notices/${n.id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } });
  expect(published.body.status).toBe('PUBLISHED');
  expect((await read(fr, n.id)).body.items).toEqual([]);
  expect((await read(es, n.id, 'GS')).body.code).toBe('NOT_YOUR_THREAD');
});

test('a message repeated with its Idempotency-Key is stored once, and retention erases the bodies', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const headers = { 'Idempotency-Key': 'message-1' };
  const first = await write(fr, id, { body: 'Which bank?' }, headers);
  const again = await write(fr, id, { body: 'Which bank?' }, headers);
  expect(again.status).toBe(201);
  expect(again.body).toEqual(first.body);
  expect(await sys.db.prisma.message.count({ where: { noticeId: id } })).toBe(1);
  expect(await notificationsOf(sys, id, 'MESSAGE')).toEqual(['MESSAGE:IT']);
  expect((await write(fr, id, { body: 'Another' }, headers)).body.code).toBe('IDEMPOTENCY_MISMATCH');

  // Writing goes on after the end (questions about deleting the data), then retention erases it all.
  expect((await sys.call('POST', `/v1/notices/${id}/withdrawal`, { key: it_, body: { reason: 'Done' } })).body.status).toBe('WITHDRAWN');
  expect((await write(fr, id, { body: 'Data deleted?' })).status).toBe(201);
  expect(await purgeRequest(sys.db.prisma, id, new Date())).toBe(true);
  expect(bodies(await read(it_, id))).toEqual(['FR:', 'FR:']);
});

test('a recipient of a blocked request reads no thread and writes none; reads by others than the requester are audited', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  await write(it_, id, { body: 'Avez-vous trouvé le compte ?', country: 'FR' });
  expect(bodies(await read(fr, id))).toEqual(['FR:Avez-vous trouvé le compte ?']);
  expect((await sys.call('POST', `/v1/notices/${id}/blocking`, { key: ccf, body: { reason: 'A complaint' } })).status).toBe(200);

  expect((await read(fr, id)).body).toEqual({ threads: [], items: [] });
  const refused = await write(fr, id, { body: 'Oui' });
  expectProblem(refused, 409);
  expect(refused.body.code).toBe('BLOCKED');
  // The requester and the reviewers go on in the GS thread.
  expect((await write(it_, id, { body: 'A complaint was filed' })).status).toBe(201);
  expect((await write(reviewer, id, { body: 'Noted' })).status).toBe(201);

  const reads = await sys.db.prisma.auditEvent.findMany({ where: { noticeId: id, type: 'READ' } });
  const what = reads.filter((e) => (e.data as { what?: string }).what === 'messages').map((e) => e.actorCountry ?? e.actorRole);
  expect(what).toEqual(expect.arrayContaining(['FR']));
  expect(what).not.toContain('IT');
});
