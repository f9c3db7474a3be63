/**
 * A published request besides its answers, on the real time-skipping Temporal server: urgency
 * windows, acknowledgements and delays that move a recipient's own deadline, blocking by the CCF
 * (every clock stops) and its decision, reassessment six months before expiry and renewal.
 */
import { startTestSystem, type TestSystem } from '../support/system';
import { auditTypes, eventually, freshRequest, notificationsOf, outcome, publishScreened, statusOf, viaWorkflow } from '../support/helpers';

let sys: TestSystem;
let it_: string, fr: string, es: string, de: string, reviewer: string, ccf: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES', 'DE'], 400);
  [it_, fr, es, de, reviewer, ccf] = await sys.keys('IT', 'FR', 'ES', 'DE', 'REVIEWER', 'CCF');
});
afterAll(() => sys?.stop());

const DAY = 86_400_000;
const HOUR = 3_600_000;
const TAKEN = { ok: true, status: 'PUBLISHED' };
const row = (id: string, country: string) =>
  sys.db.prisma.recipient.findUniqueOrThrow({ where: { noticeId_country: { noticeId: id, country } } });
const notice = (id: string) => sys.db.prisma.notice.findUniqueOrThrow({ where: { id } });
const waitNotified = (id: string, type: string, count = 1) =>
  eventually(
    () => notificationsOf(sys, id, type),
    (n) => n.length >= count,
    `${count} ${type} notification(s)`,
  );

describe('urgency', () => {
  test.each([
    ['URGENT', 3 * DAY],
    ['URGENT_DIRECT', 8 * HOUR],
  ])('%s: the answer window, its reminder at 80% and OVERDUE at its end', async (urgency, window) => {
    const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['FR'], urgency }));
    const n = await notice(id);
    const dueAt = (await row(id, 'FR')).dueAt.getTime();
    expect(dueAt - n.publishedAt!.getTime()).toBe(window);
    await sys.env.sleep(0.8 * window + 60_000);
    expect(await waitNotified(id, 'REMINDER')).toEqual(['REMINDER:FR']);
    expect(await notificationsOf(sys, id, 'OVERDUE')).toEqual([]);
    await sys.env.sleep(0.2 * window);
    expect(await waitNotified(id, 'OVERDUE')).toEqual(['OVERDUE:FR']);
    expect((await row(id, 'FR')).status).toBe('OVERDUE');
  });
});

describe('acknowledgement', () => {
  test('a recipient acknowledges, saying when it expects to answer; not after its final answer, nor as a stranger', async () => {
    const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
    const dueAt = (await row(id, 'FR')).dueAt.getTime();
    const past = await viaWorkflow.acknowledge(sys, fr, id, (await notice(id)).publishedAt!.getTime() - 1);
    expect(past).toMatchObject({ ok: false, refused: 'INVALID', problems: [{ path: 'expectedBy', message: 'must be in the future' }] });
    expect(await viaWorkflow.acknowledge(sys, fr, id, dueAt - DAY)).toEqual(TAKEN);
    expect(await row(id, 'FR')).toMatchObject({
      status: 'ACKNOWLEDGED',
      acknowledgedAt: expect.any(Date),
      expectedBy: new Date(dueAt - DAY),
    });
    expect(await viaWorkflow.acknowledge(sys, de, id)).toMatchObject({ ok: false, refused: 'FORBIDDEN' });
    expect(await viaWorkflow.respond(sys, es, id)).toEqual(TAKEN);
    expect(await viaWorkflow.acknowledge(sys, es, id)).toMatchObject({
      ok: false,
      refused: 'CONFLICT',
      message: expect.stringMatching(/final answer/),
    });
    expect(await auditTypes(sys, id)).toContain('ACKNOWLEDGED');
  });
});

describe('delay', () => {
  test("moves the recipient's own deadline; its reminder and OVERDUE follow it; the requester is told why", async () => {
    const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'], responseDays: 10 }));
    const published = (await notice(id)).publishedAt!.getTime();
    const due = published + 10 * DAY;
    const tooSoon = await viaWorkflow.delay(sys, fr, id, due);
    expect(tooSoon).toMatchObject({ ok: false, refused: 'INVALID', problems: [{ path: 'expectedBy' }] });
    expect(await viaWorkflow.delay(sys, fr, id, published + 91 * DAY)).toMatchObject({ ok: false, refused: 'INVALID' });

    // FR asks for ten more days at once.
    expect(await viaWorkflow.delay(sys, fr, id, due + 10 * DAY, 'A court must authorise access to the bank')).toEqual(TAKEN);
    expect(await row(id, 'FR')).toMatchObject({
      status: 'DELAYED',
      dueAt: new Date(due + 10 * DAY),
      delayReason: 'A court must authorise access to the bank',
    });
    const told = await sys.db.prisma.notification.findFirstOrThrow({ where: { noticeId: id, type: 'DELAY' } });
    expect(told).toMatchObject({ country: 'IT', detail: 'FR: A court must authorise access to the bank' });
    expect(await sys.env.client.workflow.getHandle(id).query('progress')).toMatchObject({ ownDeadlines: ['FR'] });

    // Day 8: the request's reminder goes to ES alone; day 10: ES alone is OVERDUE.
    await sys.env.sleep(8 * DAY + 60_000);
    expect(await waitNotified(id, 'REMINDER')).toEqual(['REMINDER:ES']);
    await sys.env.sleep(2 * DAY);
    expect(await waitNotified(id, 'OVERDUE')).toEqual(['OVERDUE:ES']);
    expect((await row(id, 'FR')).status).toBe('DELAYED');

    // FR's own: its reminder at 80% of the time it had left, OVERDUE on its new date.
    await sys.env.sleep(6 * DAY);
    expect(await waitNotified(id, 'REMINDER', 2)).toEqual(['REMINDER:ES', 'REMINDER:FR']);
    await sys.env.sleep(4 * DAY);
    expect(await waitNotified(id, 'OVERDUE', 2)).toEqual(['OVERDUE:ES', 'OVERDUE:FR']);

    // Late against its own date, then; a final answer ends its duty.
    expect(await viaWorkflow.respond(sys, fr, id)).toEqual(TAKEN);
    expect((await sys.db.prisma.response.findFirstOrThrow({ where: { noticeId: id, country: 'FR' } })).late).toBe(true);
    expect(await viaWorkflow.delay(sys, fr, id, due + 40 * DAY)).toMatchObject({ ok: false, refused: 'CONFLICT' });
  });

  test('an answer before the new date is not late', async () => {
    const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['FR'], responseDays: 5 }));
    const due = (await row(id, 'FR')).dueAt.getTime();
    expect(await viaWorkflow.delay(sys, fr, id, due + 5 * DAY)).toEqual(TAKEN);
    await sys.env.sleep(7 * DAY);
    expect(await viaWorkflow.respond(sys, fr, id)).toEqual(TAKEN);
    expect((await sys.db.prisma.response.findFirstOrThrow({ where: { noticeId: id } })).late).toBe(false);
    expect(await outcome(sys, id)).toBe('COMPLETED');
    expect(await notificationsOf(sys, id, 'OVERDUE')).toEqual([]);
  });
});

describe('blocking by the CCF', () => {
  test('stops every clock and every recipient action; DISMISSED moves open deadlines on by the time it lasted', async () => {
    const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'], responseDays: 10 }));
    const due = (await row(id, 'FR')).dueAt.getTime();
    await sys.env.sleep(DAY);
    expect(await viaWorkflow.block(sys, ccf, id, 'The subject complained to the CCF')).toEqual(TAKEN);
    expect(await viaWorkflow.block(sys, ccf, id)).toMatchObject({
      ok: false,
      refused: 'CONFLICT',
      message: expect.stringMatching(/already blocked/),
    });
    expect(await notificationsOf(sys, id, 'BLOCKED')).toEqual(['BLOCKED:ES', 'BLOCKED:FR']);
    const blocking = await sys.db.prisma.blocking.findFirstOrThrow({ where: { noticeId: id } });
    expect(blocking.decisionDueAt.getTime() - blocking.since.getTime()).toBeGreaterThan(270 * DAY);
    for (const attempt of [
      viaWorkflow.respond(sys, fr, id),
      viaWorkflow.acknowledge(sys, fr, id),
      viaWorkflow.delay(sys, fr, id, due + DAY),
    ]) {
      expect(await attempt).toMatchObject({ ok: false, refused: 'CONFLICT', message: expect.stringMatching(/blocked/) });
    }

    // Twenty days pass while blocked: no reminder, no OVERDUE.
    await sys.env.sleep(20 * DAY);
    expect(await notificationsOf(sys, id, 'REMINDER')).toEqual([]);
    expect(await notificationsOf(sys, id, 'OVERDUE')).toEqual([]);

    expect(await viaWorkflow.decideBlocking(sys, ccf, id, 'DISMISSED', 'The complaint is unfounded')).toEqual(TAKEN);
    expect(await notificationsOf(sys, id, 'UNBLOCKED')).toEqual(['UNBLOCKED:ES', 'UNBLOCKED:FR']);
    const moved = (await row(id, 'FR')).dueAt.getTime();
    expect(moved - due).toBeGreaterThanOrEqual(20 * DAY);
    expect(moved - due).toBeLessThan(20 * DAY + HOUR);
    expect((await row(id, 'ES')).dueAt.getTime()).toBe(moved);
    expect(await viaWorkflow.decideBlocking(sys, ccf, id, 'DISMISSED')).toMatchObject({ ok: false, refused: 'CONFLICT' });

    // The clocks run again, twenty days late.
    expect(await viaWorkflow.respond(sys, es, id)).toEqual(TAKEN);
    await sys.env.sleep(moved - due - 20 * DAY + 10 * DAY + 60_000);
    expect(await waitNotified(id, 'OVERDUE')).toEqual(['OVERDUE:FR']);
    expect(await auditTypes(sys, id)).toEqual(expect.arrayContaining(['BLOCKED', 'BLOCKING_DECIDED', 'OVERDUE']));
  });

  test('UPHELD cancels the request and tells every recipient', async () => {
    const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'DE'] }));
    expect(await viaWorkflow.decideBlocking(sys, ccf, id, 'UPHELD')).toMatchObject({
      ok: false,
      refused: 'CONFLICT',
      message: expect.stringMatching(/not blocked/),
    });
    expect(await viaWorkflow.block(sys, ccf, id)).toEqual(TAKEN);
    expect(await viaWorkflow.decideBlocking(sys, ccf, id, 'UPHELD', 'The data were processed unlawfully')).toEqual({
      ok: true,
      status: 'CANCELLED',
    });
    expect(await outcome(sys, id)).toBe('CANCELLED');
    expect(await notificationsOf(sys, id, 'CANCELLED')).toEqual(['CANCELLED:DE', 'CANCELLED:FR']);
    expect(await notice(id)).toMatchObject({ status: 'CANCELLED', closureReason: 'The data were processed unlawfully' });
    expect(await sys.db.prisma.blocking.findFirstOrThrow({ where: { noticeId: id } })).toMatchObject({
      outcome: 'UPHELD',
      decidedAt: expect.any(Date),
    });
  });
});

describe('validity', () => {
  test('six months before expiry the requester is asked to reassess; an approved renewal moves the expiry five years on', async () => {
    const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }));
    expect(await viaWorkflow.respond(sys, fr, id, { outcome: 'NO_ASSETS_FOUND', final: false })).toEqual(TAKEN);
    const expiresAt = (await notice(id)).expiresAt!;
    expect(await viaWorkflow.requestRenewal(sys, it_, id)).toMatchObject({
      ok: false,
      refused: 'CONFLICT',
      message: expect.stringMatching(/six months/),
    });

    const askAt = new Date(expiresAt);
    askAt.setUTCMonth(askAt.getUTCMonth() - 6);
    await sys.env.sleep(askAt.getTime() - (await notice(id)).publishedAt!.getTime() + 60_000);
    expect(await waitNotified(id, 'REASSESSMENT_DUE')).toEqual(['REASSESSMENT_DUE:IT']);

    expect(await viaWorkflow.decideRenewal(sys, reviewer, id, 'APPROVE')).toMatchObject({ ok: false, refused: 'CONFLICT' });
    expect(await viaWorkflow.requestRenewal(sys, it_, id, 'Proceedings still open')).toEqual(TAKEN);
    expect(await viaWorkflow.requestRenewal(sys, it_, id)).toMatchObject({
      ok: false,
      refused: 'CONFLICT',
      message: expect.stringMatching(/already/),
    });
    expect(await viaWorkflow.decideRenewal(sys, reviewer, id, 'APPROVE', 'Still needed')).toEqual(TAKEN);
    const renewed = new Date(expiresAt);
    renewed.setUTCFullYear(renewed.getUTCFullYear() + 5);
    expect((await notice(id)).expiresAt).toEqual(renewed);
    expect(await notificationsOf(sys, id, 'RENEWED')).toEqual(['RENEWED:FR']);
    expect(await sys.db.prisma.renewal.findFirstOrThrow({ where: { noticeId: id } })).toMatchObject({
      decision: 'APPROVE',
      expiresAt: renewed,
    });

    // The old expiry passes without ending it.
    await sys.env.sleep(expiresAt.getTime() - askAt.getTime() + DAY);
    expect(await statusOf(sys, id)).toBe('PUBLISHED');
  });

  test('a rejected renewal leaves the request to expire on its date', async () => {
    const id = await publishScreened(sys, it_, reviewer, freshRequest({ recipients: ['DE'] }));
    const { publishedAt, expiresAt } = await notice(id);
    const askAt = new Date(expiresAt!);
    askAt.setUTCMonth(askAt.getUTCMonth() - 6);
    await sys.env.sleep(askAt.getTime() - publishedAt!.getTime() + 60_000);
    await waitNotified(id, 'REASSESSMENT_DUE');
    expect(await viaWorkflow.requestRenewal(sys, it_, id)).toEqual(TAKEN);
    expect(await viaWorkflow.decideRenewal(sys, reviewer, id, 'REJECT', 'No longer proportionate')).toEqual(TAKEN);
    expect(await notificationsOf(sys, id, 'RENEWED')).toEqual([]);
    expect(await sys.env.client.workflow.getHandle(id).result()).toBe('EXPIRED');
    const ended = await notice(id);
    expect(ended.expiresAt).toEqual(expiresAt);
    expect(ended.closedAt!.getTime() - expiresAt!.getTime()).toBeLessThan(60_000);
  });
});
