/**
 * A recipient's deadline holds: once it has passed it cannot be put back (the answer that follows
 * is late), and an acknowledgement's expected date lies between now and the deadline (a later one
 * is a delay, which needs a reason and tells the requester). Days last two seconds here.
 */
import { expectFieldErrors, expectProblem, failOnServerErrors, freshRequest, publish, waitFor } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

const DAY_SECONDS = 2;
let sys: TestSystem;
let it_: string, fr: string, reviewer: string;

beforeAll(async () => {
  sys = await startTestSystem({ daySeconds: DAY_SECONDS });
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, reviewer] = await sys.keys('IT', 'FR', 'REVIEWER');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

const own = async (id: string) => (await sys.call('GET', `/v1/notices/${id}`, { key: fr })).body;

test('a delay once the deadline has passed is refused, and the answer that follows is late', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'], responseDays: 1 }));
  const overdue = await waitFor(
    () => own(id),
    (v) => v.recipients?.[0]?.status === 'OVERDUE',
    'FR to be OVERDUE',
  );
  expect(overdue.actions.map((a: { name: string }) => a.name)).toEqual(['RESPOND', 'ACKNOWLEDGE', 'ATTACH', 'MESSAGE']);
  const expectedBy = new Date(Date.now() + 5 * DAY_SECONDS * 1000).toISOString();
  const delay = await sys.call('POST', `/v1/notices/${id}/delay`, { key: fr, body: { reason: 'Court authorisation', expectedBy } });
  expectProblem(delay, 409);
  expect(delay.body.code).toBe('DEADLINE_PASSED');
  expect((await own(id)).recipients[0].status).toBe('OVERDUE');

  expect((await sys.call('POST', `/v1/notices/${id}/responses`, { key: fr, body: { outcome: 'NO_ASSETS_FOUND' } })).status).toBe(201);
  const answers = (await sys.call('GET', `/v1/notices/${id}/responses`, { key: it_ })).body.items;
  expect(answers.map((a: { late: boolean }) => a.late)).toEqual([true]);
});

test("an acknowledgement's expected date lies between now and the deadline", async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'], responseDays: 30 }));
  const dueAt = Date.parse((await own(id)).recipients[0].dueAt);
  const ack = (expectedBy: string) => sys.call('POST', `/v1/notices/${id}/acknowledgement`, { key: fr, body: { expectedBy } });

  const far = await ack('9999-12-31T00:00:00Z');
  expectFieldErrors(far, 'expectedBy');
  expect(far.body.errors[0].code).toBe('AFTER_DEADLINE');
  expectFieldErrors(await ack(new Date(dueAt + 1000).toISOString()), 'expectedBy');
  const past = await ack(new Date(Date.now() - 60_000).toISOString());
  expect(past.body.errors[0].code).toBe('NOT_IN_FUTURE');
  expect((await own(id)).recipients[0].status).toBe('PENDING');

  const fine = await ack(new Date(dueAt - 1000).toISOString());
  expect(fine.status).toBe(200);
  expect(fine.body.recipients[0]).toMatchObject({ status: 'ACKNOWLEDGED', expectedBy: new Date(dueAt - 1000).toISOString() });

  // A delay moves the deadline; an acknowledgement cannot then push the date it set further back.
  const delayedTo = new Date(dueAt + 10 * DAY_SECONDS * 1000).toISOString();
  expect((await sys.call('POST', `/v1/notices/${id}/delay`, { key: fr, body: { reason: 'Court', expectedBy: delayedTo } })).status).toBe(
    200,
  );
  expectFieldErrors(await ack(new Date(Date.parse(delayedTo) + 1000).toISOString()), 'expectedBy');
  expect((await own(id)).recipients[0]).toMatchObject({ status: 'DELAYED', expectedBy: delayedTo, dueAt: delayedTo });
});
