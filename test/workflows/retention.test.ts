/**
 * Retention on the real time-skipping Temporal server: the sweep erases the personal data of
 * requests that ended 180 days ago, everywhere the case record keeps them, and leaves the figures.
 */
import { startTestSystem, type TestSystem } from '../support/system';
import { eventually, freshRequest, located, submit, waitForRecordStatus } from '../support/helpers';

let sys: TestSystem;
let it_: string, fr: string, reviewer: string, reviewer2: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES'], 400);
  [it_, fr, reviewer, reviewer2] = await sys.keys('IT', 'FR', 'REVIEWER', 'REVIEWER');
});
afterAll(() => sys?.stop());

const DAY = 86_400_000;
const SUBJECT = 'RETENTIONTESTSUBJECT';

test('180 days after a request ended its personal data are erased; figures, dates and states stay', async () => {
  const body = freshRequest({ recipients: ['FR'] });
  body.subject = { ...body.subject, familyName: SUBJECT };
  // Claimed, then taken over with a reason (free text, erased with the rest), then approved.
  const { id } = await submit(sys, it_, body);
  await waitForRecordStatus(sys, id, 'UNDER_REVIEW');
  expect((await sys.call('POST', `/v1/notices/${id}/claim`, { key: reviewer2, body: {} })).status).toBe(200);
  const takeOver = { takeOver: true, reason: `Covering for the ${SUBJECT} file` };
  expect((await sys.call('POST', `/v1/notices/${id}/claim`, { key: reviewer, body: takeOver })).status).toBe(200);
  const ended = (await sys.call('POST', `/v1/notices/${id}/decisions`, { key: reviewer, body: { decision: 'APPROVE' } })).body;
  expect(ended.status).toBe('PUBLISHED');
  const villa = located({ identifiers: { landRegistryId: 'NICE-42' }, holder: 'Cousin of the subject' });
  expect(
    (await sys.call('POST', `/v1/notices/${ended.id}/responses`, { key: fr, body: { outcome: 'ASSETS_LOCATED', assets: [villa] } })).status,
  ).toBe(201);
  expect((await sys.call('GET', `/v1/notices/${ended.id}`, { key: it_ })).body.status).toBe('COMPLETED');
  const open = await submit(sys, it_, freshRequest({ recipients: ['FR'], subject: { ...body.subject, familyName: `${SUBJECT}OPEN` } }));
  await waitForRecordStatus(sys, open.id, 'UNDER_REVIEW');
  const reportBefore = (await sys.call('GET', '/v1/reports/pilot', { key: reviewer })).body;

  await sys.services.workflows.startRetention();
  await sys.env.sleep(179 * DAY);
  expect((await sys.db.prisma.notice.findUniqueOrThrow({ where: { id: ended.id } })).purgedAt).toBeNull();
  await sys.env.sleep(2 * DAY);
  const purged = await eventually(
    () => sys.db.prisma.notice.findUniqueOrThrow({ where: { id: ended.id } }),
    (n) => n.purgedAt !== null,
    'the ended request to be erased',
  );

  // The case record: no subject, no facts, no identifiers, no holder, no free text.
  expect(purged).toMatchObject({ subject: {}, subjectKey: null, status: 'COMPLETED', reference: ended.reference });
  expect(purged.offence).toEqual({
    category: body.offence.category,
    maxPenaltyYears: 12,
    legalBasis: { type: 'INVESTIGATION', date: '2024-11-05' },
  });
  expect(purged.assetsSought).toEqual([{ category: 'BANK_ACCOUNT', estimatedValue: { amount: 2500000, currency: 'EUR' } }]);
  const answer = await sys.db.prisma.response.findFirstOrThrow({ where: { noticeId: ended.id } });
  expect(answer.assets).toEqual([
    {
      category: 'REAL_ESTATE',
      location: { country: 'FR' },
      estimatedValue: { amount: 900000, currency: 'EUR' },
      measures: 'NONE',
      source: { reliability: 'A', accuracy: 1 },
    },
  ]);
  expect(await sys.db.prisma.assetIdentifier.count({ where: { noticeId: ended.id } })).toBe(0);
  const everything = JSON.stringify([
    purged,
    answer,
    await sys.db.prisma.locatedAsset.findMany({ where: { noticeId: ended.id } }),
    await sys.db.prisma.claimTakeOver.findMany({ where: { noticeId: ended.id } }),
  ]);
  for (const personal of [SUBJECT, 'NICE42', 'Cousin', 'Nice', 'X0542811101', 'Procura']) expect(everything).not.toContain(personal);
  const trail = JSON.stringify(
    await sys.db.prisma.auditEvent.findMany({ where: { noticeId: ended.id }, select: { type: true, data: true } }),
  );
  expect(trail).not.toContain(SUBJECT);
  expect(trail).toContain('PURGED');

  // What people see: the request, without its subject; the figures unchanged.
  const view = (await sys.call('GET', `/v1/notices/${ended.id}`, { key: it_ })).body;
  expect(view).toMatchObject({ subject: null, purgedAt: expect.any(String), status: 'COMPLETED', findings: { assetsLocated: 1 } });
  const reportAfter = (await sys.call('GET', '/v1/reports/pilot', { key: reviewer })).body;
  expect(reportAfter.assets).toEqual(reportBefore.assets);
  expect(reportAfter.requests.byStatus).toEqual(reportBefore.requests.byStatus);

  // A request still open keeps everything.
  const stillOpen = await sys.db.prisma.notice.findUniqueOrThrow({ where: { id: open.id } });
  expect(stillOpen.purgedAt).toBeNull();
  expect(JSON.stringify(stillOpen.subject)).toContain(`${SUBJECT}OPEN`);

  // The sweep goes on (one workflow, its id fixed), and a second start finds it.
  await sys.services.workflows.startRetention();
  const sweep = await sys.env.client.workflow.getHandle('silver-retention').describe();
  expect(sweep.status.name).toBe('RUNNING');
});
