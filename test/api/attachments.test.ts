/**
 * Attachments through the API: each kind uploaded and downloaded back byte for byte, the type told
 * by the content, the size and count limits, need to know between recipients, audited downloads,
 * retention, and an upload repeated with its Idempotency-Key stored once.
 */
import crypto from 'node:crypto';
import { purgeRequest } from '../../records/retention';
import { expectProblem, failOnServerErrors, freshRequest, notificationsOf, publish, submit, waitForStatus } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, fr: string, es: string, reviewer: string, ccf: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, es, reviewer, ccf] = await sys.keys('IT', 'FR', 'ES', 'REVIEWER', 'CCF');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

/** A file of `size` bytes opening with `magic`, the rest random (every byte value occurs). */
const file = (magic: number[], size = 4096) => Buffer.concat([Buffer.from(magic), crypto.randomBytes(size - magic.length)]);
const PDF = [...Buffer.from('%PDF-1.7\n')];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff, 0xe0];
const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

const upload = (key: string, id: string, bytes: Uint8Array, type: string, query: string, headers: Record<string, string> = {}) =>
  sys.call('POST', `/v1/notices/${id}/attachments?${query}`, { key, raw: bytes, headers: { 'content-type': type, ...headers } });

async function download(key: string, id: string, aid: string) {
  const res = await fetch(`${sys.baseUrl}/v1/notices/${id}/attachments/${aid}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}
const listed = async (key: string, id: string) =>
  ((await sys.call('GET', `/v1/notices/${id}/attachments`, { key })).body.items as { id: string }[]).map((a) => a.id).sort();

describe('on a published request', () => {
  let id: string;
  const files = { pdf: file(PDF), png: file(PNG, 70_000), jpeg: file(JPEG) };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    id = (await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }))).id;
  });

  test('PDF, PNG and JPEG are stored with their SHA-256 and come back byte for byte', async () => {
    const name = 'Ordonnance du tribunal – n°12 "2026";été.pdf';
    const pdf = await upload(it_, id, files.pdf, 'application/pdf', `filename=${encodeURIComponent(name)}`);
    expect(pdf.status).toBe(201);
    expect(pdf.body).toMatchObject({
      filename: name,
      contentType: 'application/pdf',
      size: files.pdf.length,
      sha256: sha256(files.pdf),
      uploadedBy: { role: 'NCB', country: 'IT' },
      shared: true,
    });
    const png = await upload(it_, id, files.png, 'image/png', 'filename=bank.png&shared=false');
    expect(png.body).toMatchObject({ contentType: 'image/png', shared: false, sha256: sha256(files.png) });
    const jpeg = await upload(fr, id, files.jpeg, 'image/jpeg; charset=binary', 'filename=register.jpg');
    expect(jpeg.body).toMatchObject({ contentType: 'image/jpeg', uploadedBy: { role: 'NCB', country: 'FR' }, shared: false });
    Object.assign(ids, { pdf: pdf.body.id, png: png.body.id, jpeg: jpeg.body.id });

    for (const [kind, bytes] of Object.entries(files)) {
      const got = await download(reviewer, id, ids[kind]);
      expect(got.status).toBe(200);
      expect(sha256(got.bytes)).toBe(sha256(bytes));
      expect(got.bytes.equals(bytes)).toBe(true);
      expect(got.headers.get('content-length')).toBe(String(bytes.length));
      expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const got = await download(it_, id, ids.pdf);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    const disposition = got.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; /);
    const encoded = /filename\*=UTF-8''([^;]+)$/.exec(disposition)![1];
    expect(encoded).not.toMatch(/["; ]/);
    expect(decodeURIComponent(encoded)).toBe(name);
  });

  test('a recipient reads the requester’s shared files and its own, never another recipient’s', async () => {
    expect(await listed(it_, id)).toEqual(Object.values(ids).sort());
    expect(await listed(reviewer, id)).toEqual(Object.values(ids).sort());
    expect(await listed(ccf, id)).toEqual(Object.values(ids).sort());
    expect(await listed(fr, id)).toEqual([ids.pdf, ids.jpeg].sort());
    expect(await listed(es, id)).toEqual([ids.pdf]);

    expect((await download(es, id, ids.pdf)).status).toBe(200);
    for (const hidden of [ids.png, ids.jpeg]) {
      const res = await sys.call('GET', `/v1/notices/${id}/attachments/${hidden}`, { key: es });
      expectProblem(res, 404);
      expect(res.body.code).toBe('NOT_FOUND');
    }
    expect((await download(it_, id, ids.jpeg)).status).toBe(200);
    // Another request's file is not found through this one.
    const other = (await publish(sys, it_, reviewer, freshRequest({ recipients: ['ES'] }))).id;
    expectProblem(await sys.call('GET', `/v1/notices/${other}/attachments/${ids.pdf}`, { key: it_ }), 404);
  });

  test('every download is in the request’s audit trail, with who read which file', async () => {
    const before = await sys.db.prisma.auditEvent.count({ where: { noticeId: id, type: 'ATTACHMENT_DOWNLOADED' } });
    await download(es, id, ids.pdf);
    await download(reviewer, id, ids.jpeg);
    await download(es, id, ids.png); // refused: not a download
    const events = await sys.db.prisma.auditEvent.findMany({
      where: { noticeId: id, type: 'ATTACHMENT_DOWNLOADED' },
      orderBy: { seq: 'asc' },
    });
    expect(events).toHaveLength(before + 2);
    expect(events.slice(-2).map((e) => [e.actorRole, e.actorCountry, (e.data as { attachmentId: string }).attachmentId])).toEqual([
      ['NCB', 'ES', ids.pdf],
      ['REVIEWER', null, ids.jpeg],
    ]);
  });

  test('the type is told by the content: a PNG sent as a PDF, or another type, is 415', async () => {
    const mismatch = await upload(it_, id, file(PNG), 'application/pdf', 'filename=a.pdf');
    expectProblem(mismatch, 415);
    expect(mismatch.body.code).toBe('CONTENT_MISMATCH');
    const other = await upload(it_, id, Buffer.from('plain text'), 'text/plain', 'filename=a.txt');
    expectProblem(other, 415);
    expect(other.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  test('an 11 MiB file is 413 with the limit, and other routes keep their small JSON limit', async () => {
    const big = await upload(it_, id, file(PDF, 11 * 1024 * 1024), 'application/pdf', 'filename=big.pdf');
    expectProblem(big, 413);
    expect(big.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(big.body).toMatchObject({ code: 'TOO_LARGE', errors: [{ code: 'TOO_BIG', limit: 10 * 1024 * 1024 }] });
    const json = await sys.call('POST', '/v1/notices', {
      key: it_,
      raw: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(json, 413);
    expect(await listed(it_, id)).toEqual(Object.values(ids).sort());
  });

  test('a file of exactly 10 MiB is taken and comes back byte for byte', async () => {
    const largest = file(JPEG, 10 * 1024 * 1024);
    const res = await upload(fr, id, largest, 'image/jpeg', 'filename=largest.jpg');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ size: largest.length, sha256: sha256(largest) });
    expect((await download(it_, id, res.body.id)).bytes.equals(largest)).toBe(true);
    await sys.db.prisma.attachment.deleteMany({ where: { id: res.body.id } });
  });

  test('a file name with a path, a control character or none is 400 naming the field', async () => {
    for (const query of ['filename=..%2Fetc%2Fpasswd', 'filename=a%0Ab.pdf', 'filename=', '', `filename=${'a'.repeat(201)}`]) {
      const res = await upload(it_, id, file(PDF), 'application/pdf', query);
      expectProblem(res, 400);
      expect({ query, path: res.body.errors[0].path }).toEqual({ query, path: 'query.filename' });
    }
  });

  test('only the requester and recipients attach', async () => {
    const res = await upload(reviewer, id, file(PDF), 'application/pdf', 'filename=a.pdf');
    expectProblem(res, 403);
    expect(res.body.code).toBe('FORBIDDEN');
    // A request the caller may not know is 404 before its file is read, whatever the file.
    const stranger = await upload(await sys.key('NCB', 'DE'), id, Buffer.from('not read'), 'text/plain', 'filename=a.txt');
    expectProblem(stranger, 404);
    expect(stranger.body.code).toBe('NOT_FOUND');
    const view = (await sys.call('GET', `/v1/notices/${id}`, { key: es })).body;
    expect(view.actions).toContainEqual({ name: 'ATTACH', method: 'POST', href: `/v1/notices/${id}/attachments` });
  });

  test('an upload repeated with its Idempotency-Key is stored once; another file with the key is 409', async () => {
    const bytes = file(PDF);
    const headers = { 'idempotency-key': `attach-${crypto.randomUUID()}` };
    const first = await upload(it_, id, bytes, 'application/pdf', 'filename=once.pdf', headers);
    const again = await upload(it_, id, bytes, 'application/pdf', 'filename=once.pdf', headers);
    expect(first.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await sys.db.prisma.attachment.count({ where: { noticeId: id, filename: 'once.pdf' } })).toBe(1);
    const other = await upload(it_, id, file(PDF), 'application/pdf', 'filename=once.pdf', headers);
    expectProblem(other, 409);
    expect(other.body.code).toBe('IDEMPOTENCY_MISMATCH');
  });
});

test('those who may read a new file are told (ATTACHED), its uploader’s country apart', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  const told = async () => (await notificationsOf(sys, id, 'ATTACHED')).sort();
  expect((await upload(it_, id, file(PDF), 'application/pdf', 'filename=order.pdf')).status).toBe(201);
  expect(await told()).toEqual(['ATTACHED:ES', 'ATTACHED:FR']);
  // Kept for the General Secretariat: no recipient may read it, none is told.
  expect((await upload(it_, id, file(PDF), 'application/pdf', 'filename=note.pdf&shared=false')).status).toBe(201);
  expect(await told()).toEqual(['ATTACHED:ES', 'ATTACHED:FR']);
  // A recipient's file goes to the requester alone.
  expect((await upload(fr, id, file(PNG), 'image/png', 'filename=register.png')).status).toBe(201);
  expect(await told()).toEqual(['ATTACHED:ES', 'ATTACHED:FR', 'ATTACHED:IT']);
  const feed = (await sys.call('GET', '/v1/notifications', { key: it_ })).body.items.filter((n: { noticeId: string }) => n.noticeId === id);
  expect(feed.map((n: { type: string }) => n.type)).toContain('ATTACHED');
});

test('while the CCF examines a complaint, recipients know of no file; a complaint dismissed gives them back', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
  const shared = (await upload(it_, id, file(PDF), 'application/pdf', 'filename=order.pdf')).body.id;
  expect(await listed(fr, id)).toEqual([shared]);
  expect((await sys.call('POST', `/v1/notices/${id}/blocking`, { key: ccf, body: { reason: 'A complaint' } })).status).toBe(200);
  expect(await listed(fr, id)).toEqual([]);
  expect((await download(fr, id, shared)).status).toBe(404);
  expect(await listed(it_, id)).toEqual([shared]);
  const lifted = await sys.call('POST', `/v1/notices/${id}/blocking/decision`, {
    key: ccf,
    body: { outcome: 'DISMISSED', reason: 'Unfounded' },
  });
  expect(lifted.status).toBe(200);
  expect(await listed(fr, id)).toEqual([shared]);
});

test('the requester attaches from submission on; the 21st file is 409 and ATTACH is offered no more', async () => {
  const { id } = await submit(sys, it_, freshRequest({ recipients: ['FR'] }));
  for (let i = 0; i < 20; i++) expect((await upload(it_, id, file(PNG, 64), 'image/png', `filename=p${i}.png`)).status).toBe(201);
  const last = await upload(it_, id, file(PNG, 64), 'image/png', 'filename=p20.png');
  expectProblem(last, 409);
  expect(last.body.code).toBe('TOO_MANY_ATTACHMENTS');
  expect(await sys.db.prisma.attachment.count({ where: { noticeId: id } })).toBe(20);
  const view = (await sys.call('GET', `/v1/notices/${id}`, { key: it_ })).body;
  expect(view.actions.map((a: { name: string }) => a.name)).not.toContain('ATTACH');
});

test('a request that ended takes no file, and retention erases its files', async () => {
  const { id } = await submit(sys, it_, freshRequest({ recipients: ['FR'] }));
  const kept = await upload(it_, id, file(PDF), 'application/pdf', 'filename=order.pdf');
  expect(kept.status).toBe(201);
  expect((await sys.call('POST', `/v1/notices/${id}/withdrawal`, { key: it_, body: { reason: 'Closed' } })).status).toBe(200);
  await waitForStatus(sys, id, it_, 'WITHDRAWN');
  const late = await upload(it_, id, file(PDF), 'application/pdf', 'filename=late.pdf');
  expectProblem(late, 409);
  expect(late.body.code).toBe('REQUEST_FINAL');

  expect(await purgeRequest(sys.db.prisma, id, new Date())).toBe(true);
  expect(await sys.db.prisma.attachment.count({ where: { noticeId: id } })).toBe(0);
  expectProblem(await sys.call('GET', `/v1/notices/${id}/attachments/${kept.body.id}`, { key: it_ }), 404);
  expect((await sys.call('GET', `/v1/notices/${id}/attachments`, { key: it_ })).body.items).toEqual([]);
});
