/**
 * Records real workflow histories for the replay test (test/workflows/replay.test.ts): each
 * scenario runs against the real Temporal time-skipping test server, the worker and the API (the
 * same harness as the tests), and every run of its workflow is saved here as
 * `<scenario>.json`, or `<scenario>.run<N>.json` when it continued as new.
 *
 *   npx tsx test/histories/record.ts            # record every scenario
 *   npx tsx test/histories/record.ts lapsed     # only the named ones
 *
 * Re-record when the workflow changes on purpose in a way old histories cannot replay (and then
 * think about the requests still running on the old code: that is what this test protects).
 * A file holds `JSON.stringify(history)` of `fetchHistory()`: protobufjs' JSON form, which
 * `temporal.api.history.v1.History.fromObject` reads back. Payloads are encrypted with the tests'
 * fixed key, as a running system's are with its own; those recorded before encryption are in clear.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import globalSetup from '../support/global-setup';
import {
  assetsLocatedIn,
  flaggedRequest,
  freshRequest,
  outcome,
  publishScreened,
  runChain,
  submitScreened,
  submitWithHistoryLimit,
  viaWorkflow,
  waitForRecordStatus,
  type Sent,
} from '../support/helpers';
import { startTestSystem, waitFor, type TestSystem } from '../support/system';

const DAY = 86_400_000;
const HERE = __dirname;

interface Keys {
  it: string;
  fr: string;
  es: string;
  de: string;
  reviewer: string;
  reviewer2: string;
  ccf: string;
}

/** Each scenario drives one request to a final state and returns its workflow id and first run id. */
type Scenario = (sys: TestSystem, k: Keys) => Promise<{ id: string; firstRunId?: string }>;

/** Waits for the end without moving time (see `outcome`); `skipToEnd` lets the server skip to the timer that ends it. */
const result = (sys: TestSystem, id: string) => outcome(sys, id);
const skipToEnd = (sys: TestSystem, id: string) => sys.env.client.workflow.getHandle(id).result();

/** Asserts the workflow took an update in and answered with `status`. */
function took(sent: Sent, status: string): void {
  assert.deepEqual(sent, { ok: true, status });
}
/** An ASSETS_LOCATED answer as `viaWorkflow.respond` takes it. */
const located = (country: string) => assetsLocatedIn(country) as NonNullable<Parameters<typeof viaWorkflow.respond>[3]>;

const scenarios: Record<string, Scenario> = {
  async 'approved-completed'(sys, k) {
    const id = await publishScreened(sys, k.it, k.reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
    took(await viaWorkflow.respond(sys, k.fr, id, located('FR')), 'PUBLISHED');
    took(await viaWorkflow.respond(sys, k.es, id, { outcome: 'UNABLE_TO_ASSIST', reason: 'No register' }), 'PUBLISHED');
    assert.equal(await result(sys, id), 'COMPLETED');
    return { id };
  },

  /** Since an approval that publishes is one step: a first approval that does not publish, then one that does. */
  async 'published-in-one-step-completed'(sys, k) {
    const id = await submitScreened(sys, k.it, flaggedRequest({ recipients: ['FR', 'ES'] }));
    took(await viaWorkflow.decide(sys, k.reviewer, id, 'APPROVE'), 'UNDER_REVIEW');
    took(await viaWorkflow.decide(sys, k.reviewer2, id, 'APPROVE'), 'PUBLISHED');
    took(await viaWorkflow.respond(sys, k.fr, id, located('FR')), 'PUBLISHED');
    took(await viaWorkflow.respond(sys, k.es, id, { outcome: 'UNABLE_TO_ASSIST', reason: 'No register' }), 'PUBLISHED');
    assert.equal(await result(sys, id), 'COMPLETED');
    return { id };
  },

  async 'answered-together-completed'(sys, k) {
    const id = await publishScreened(sys, k.it, k.reviewer, freshRequest({ recipients: ['FR', 'ES', 'DE'] }));
    const sent = await Promise.all([
      viaWorkflow.respond(sys, k.fr, id, located('FR')),
      viaWorkflow.respond(sys, k.es, id, { outcome: 'NO_ASSETS_FOUND' }),
      viaWorkflow.respond(sys, k.de, id, { outcome: 'UNABLE_TO_ASSIST', reason: 'No register' }),
    ]);
    for (const s of sent) assert.ok(s.ok);
    assert.equal(await result(sys, id), 'COMPLETED');
    return { id };
  },

  async 'four-eyes-clarification-rejected'(sys, k) {
    const id = await submitScreened(sys, k.it, flaggedRequest({ recipients: ['FR'] }));
    took(await viaWorkflow.decide(sys, k.reviewer, id, 'APPROVE'), 'UNDER_REVIEW');
    const again = await viaWorkflow.decide(sys, k.reviewer, id, 'APPROVE');
    assert.equal(again.ok ? again.status : again.refused, 'CONFLICT');
    took(await viaWorkflow.decide(sys, k.reviewer2, id, 'REQUEST_CLARIFICATION', 'Why the opposition?'), 'CLARIFICATION_REQUESTED');
    took(await viaWorkflow.clarify(sys, k.it, id, 'See changes', { responseDays: 14 }), 'UNDER_REVIEW');
    took(await viaWorkflow.decide(sys, k.reviewer, id, 'APPROVE'), 'UNDER_REVIEW');
    took(await viaWorkflow.decide(sys, k.reviewer2, id, 'REJECT', 'Article 3', ['ARTICLE_3']), 'REJECTED');
    assert.equal(await result(sys, id), 'REJECTED');
    return { id };
  },

  async 'four-eyes-published-cancelled'(sys, k) {
    const id = await submitScreened(sys, k.it, flaggedRequest({ recipients: ['FR', 'ES', 'DE'] }));
    took(await viaWorkflow.decide(sys, k.reviewer, id, 'APPROVE'), 'UNDER_REVIEW');
    took(await viaWorkflow.decide(sys, k.reviewer2, id, 'APPROVE'), 'PUBLISHED');
    took(await viaWorkflow.respond(sys, k.fr, id, { outcome: 'NO_ASSETS_FOUND', final: false }), 'PUBLISHED');
    took(await viaWorkflow.cancel(sys, k.reviewer, id, 'New facts', ['ARTICLE_3']), 'CANCELLED');
    assert.equal(await result(sys, id), 'CANCELLED');
    return { id };
  },

  async lapsed(sys, k) {
    const id = await submitScreened(sys, k.it, freshRequest({ recipients: ['FR'] }));
    took(await viaWorkflow.decide(sys, k.reviewer, id, 'REQUEST_CLARIFICATION', 'Which accounts?'), 'CLARIFICATION_REQUESTED');
    assert.equal(await skipToEnd(sys, id), 'LAPSED');
    return { id };
  },

  async 'withdrawn-before-publication'(sys, k) {
    const id = await submitScreened(sys, k.it, freshRequest({ recipients: ['FR'] }));
    took(await viaWorkflow.decide(sys, k.reviewer, id, 'REQUEST_CLARIFICATION', 'Which accounts?'), 'CLARIFICATION_REQUESTED');
    took(await viaWorkflow.withdraw(sys, k.it, id, 'Closed'), 'WITHDRAWN');
    assert.equal(await result(sys, id), 'WITHDRAWN');
    return { id };
  },

  /** A blocking outlives the request's withdrawal: the workflow waits for the CCF's decision. */
  async 'blocked-withdrawn-upheld'(sys, k) {
    const id = await publishScreened(sys, k.it, k.reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
    took(await viaWorkflow.block(sys, k.ccf, id), 'PUBLISHED');
    took(await viaWorkflow.withdraw(sys, k.it, id, 'Closed'), 'WITHDRAWN');
    took(await viaWorkflow.decideBlocking(sys, k.ccf, id, 'UPHELD', 'The complaint is founded'), 'WITHDRAWN');
    assert.equal(await result(sys, id), 'WITHDRAWN');
    return { id };
  },

  async 'withdrawn-published'(sys, k) {
    const id = await publishScreened(sys, k.it, k.reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
    took(await viaWorkflow.withdraw(sys, k.it, id, 'Closed'), 'WITHDRAWN');
    assert.equal(await result(sys, id), 'WITHDRAWN');
    return { id };
  },

  async 'reminder-overdue-late-completed'(sys, k) {
    const id = await publishScreened(sys, k.it, k.reviewer, freshRequest({ recipients: ['FR', 'ES', 'DE'], responseDays: 10 }));
    took(await viaWorkflow.respond(sys, k.fr, id, located('FR')), 'PUBLISHED');
    took(await viaWorkflow.respond(sys, k.es, id, { outcome: 'NO_ASSETS_FOUND', final: false }), 'PUBLISHED');
    await sys.env.sleep(8 * DAY + 60_000);
    await waitForNotification(sys, id, 'REMINDER');
    await sys.env.sleep(2 * DAY);
    await waitForNotification(sys, id, 'OVERDUE');
    took(await viaWorkflow.respond(sys, k.de, id, { outcome: 'NO_ASSETS_FOUND' }), 'PUBLISHED');
    took(await viaWorkflow.respond(sys, k.es, id, { outcome: 'NO_ASSETS_FOUND' }), 'PUBLISHED');
    assert.equal(await result(sys, id), 'COMPLETED');
    return { id };
  },

  async expired(sys, k) {
    const id = await publishScreened(sys, k.it, k.reviewer, freshRequest({ recipients: ['FR'] }));
    assert.equal(await skipToEnd(sys, id), 'EXPIRED');
    return { id };
  },

  /** Long enough to continue as new twice; its first run ends with ContinuedAsNew. */
  async 'continued-as-new'(sys, k) {
    const { id, firstRunId } = await submitWithHistoryLimit(sys, {
      key: k.it,
      country: 'IT',
      body: freshRequest({ recipients: ['FR', 'ES', 'DE'], responseDays: 10 }),
      historyLimit: 40,
    });
    took(await viaWorkflow.decide(sys, k.reviewer, id, 'APPROVE'), 'PUBLISHED');
    for (let round = 0; round < 3; round++) {
      const batch = await Promise.all(
        [k.fr, k.es, k.de].map((key) => viaWorkflow.respond(sys, key, id, { outcome: 'NO_ASSETS_FOUND', final: false })),
      );
      for (const sent of batch) took(sent, 'PUBLISHED');
    }
    await sys.env.sleep(8 * DAY + 60_000);
    await waitForNotification(sys, id, 'REMINDER');
    for (const key of [k.fr, k.es, k.de]) took(await viaWorkflow.respond(sys, key, id, { outcome: 'NO_ASSETS_FOUND' }), 'PUBLISHED');
    assert.equal(await result(sys, id), 'COMPLETED');
    return { id, firstRunId };
  },

  /** FR acknowledges, ES puts its deadline back; reminders and OVERDUE on each one's date; late answers. */
  async 'acknowledged-delayed-completed'(sys, k) {
    const id = await publishScreened(sys, k.it, k.reviewer, freshRequest({ recipients: ['FR', 'ES'], responseDays: 10 }));
    const now = await sys.env.currentTimeMs();
    took(await viaWorkflow.acknowledge(sys, k.fr, id, now + 9 * DAY), 'PUBLISHED');
    took(await viaWorkflow.delay(sys, k.es, id, now + 15 * DAY, 'A court must authorise access'), 'PUBLISHED');
    await sys.env.sleep(10 * DAY + 60_000);
    await waitForNotification(sys, id, 'OVERDUE');
    took(await viaWorkflow.respond(sys, k.fr, id, { outcome: 'NO_ASSETS_FOUND' }), 'PUBLISHED');
    await sys.env.sleep(5 * DAY);
    took(await viaWorkflow.respond(sys, k.es, id, located('ES')), 'PUBLISHED');
    assert.equal(await result(sys, id), 'COMPLETED');
    return { id };
  },

  /** Blocked by the CCF while the deadline would have passed; dismissed; the clocks resume; answers. */
  async 'blocked-dismissed-completed'(sys, k) {
    const id = await publishScreened(sys, k.it, k.reviewer, freshRequest({ recipients: ['FR', 'DE'], responseDays: 10 }));
    took(await viaWorkflow.respond(sys, k.fr, id, { outcome: 'NO_ASSETS_FOUND', final: false }), 'PUBLISHED');
    took(await viaWorkflow.block(sys, k.ccf, id), 'PUBLISHED');
    await sys.env.sleep(12 * DAY);
    took(await viaWorkflow.decideBlocking(sys, k.ccf, id, 'DISMISSED'), 'PUBLISHED');
    await sys.env.sleep(9 * DAY);
    await waitForNotification(sys, id, 'REMINDER');
    for (const key of [k.fr, k.de]) took(await viaWorkflow.respond(sys, key, id, { outcome: 'NO_ASSETS_FOUND' }), 'PUBLISHED');
    assert.equal(await result(sys, id), 'COMPLETED');
    return { id };
  },

  async 'blocked-upheld-cancelled'(sys, k) {
    const id = await publishScreened(sys, k.it, k.reviewer, freshRequest({ recipients: ['FR'] }));
    took(await viaWorkflow.block(sys, k.ccf, id), 'PUBLISHED');
    took(await viaWorkflow.decideBlocking(sys, k.ccf, id, 'UPHELD'), 'CANCELLED');
    assert.equal(await result(sys, id), 'CANCELLED');
    return { id };
  },

  /**
   * Reassessment six months before expiry; a renewal rejected, another approved; then withdrawn.
   * (The test server ends every workflow ten years after it started, before a renewed expiry.)
   */
  async 'reassessed-renewed-withdrawn'(sys, k) {
    const id = await publishScreened(sys, k.it, k.reviewer, freshRequest({ recipients: ['DE'] }));
    took(await viaWorkflow.respond(sys, k.de, id, { outcome: 'NO_ASSETS_FOUND', final: false }), 'PUBLISHED');
    await sys.env.sleep(1645 * DAY);
    await waitForNotification(sys, id, 'REASSESSMENT_DUE');
    took(await viaWorkflow.requestRenewal(sys, k.it, id), 'PUBLISHED');
    took(await viaWorkflow.decideRenewal(sys, k.reviewer, id, 'REJECT'), 'PUBLISHED');
    took(await viaWorkflow.requestRenewal(sys, k.it, id), 'PUBLISHED');
    took(await viaWorkflow.decideRenewal(sys, k.reviewer, id, 'APPROVE'), 'PUBLISHED');
    await sys.env.sleep(365 * DAY);
    took(await viaWorkflow.withdraw(sys, k.it, id, 'Assets recovered'), 'WITHDRAWN');
    assert.equal(await result(sys, id), 'WITHDRAWN');
    return { id };
  },

  /** Shown in search attributes (status, reference, urgency a clarification changed, next due time) from start to end. */
  async 'clarified-urgent-completed'(sys, k) {
    const id = await submitScreened(sys, k.it, freshRequest({ recipients: ['FR'] }));
    took(await viaWorkflow.decide(sys, k.reviewer, id, 'REQUEST_CLARIFICATION', 'How urgent?'), 'CLARIFICATION_REQUESTED');
    took(await viaWorkflow.clarify(sys, k.it, id, 'Urgent: the assets are being moved', { urgency: 'URGENT' }), 'UNDER_REVIEW');
    took(await viaWorkflow.decide(sys, k.reviewer, id, 'APPROVE'), 'PUBLISHED');
    took(await viaWorkflow.respond(sys, k.fr, id, located('FR')), 'PUBLISHED');
    assert.equal(await result(sys, id), 'COMPLETED');
    return { id };
  },

  // Since a request's steps run as local activities and every action carries an id: actions sent
  // through the API, each with an Idempotency-Key, some of them twice.

  /** Four eyes, answers, an acknowledgement and a delay, each repeated once; completed. */
  async 'local-steps-repeated-completed'(sys, k) {
    const id = (await api(sys, k.it, 'POST', '/v1/notices', flaggedRequest({ recipients: ['FR', 'ES'], responseDays: 10 }), 'submit-1')).id;
    await waitForRecordStatus(sys, id, 'UNDER_REVIEW');
    for (let i = 0; i < 2; i++) await api(sys, k.reviewer, 'POST', `/v1/notices/${id}/decisions`, { decision: 'APPROVE' }, 'approve-1');
    await api(sys, k.reviewer2, 'POST', `/v1/notices/${id}/decisions`, { decision: 'APPROVE' }, 'approve-2');
    const now = await sys.env.currentTimeMs();
    for (let i = 0; i < 2; i++) {
      await api(sys, k.fr, 'POST', `/v1/notices/${id}/acknowledgement`, { expectedBy: new Date(now + 9 * DAY).toISOString() }, 'ack');
      await api(sys, k.es, 'POST', `/v1/notices/${id}/delay`, { reason: 'Court', expectedBy: new Date(now + 15 * DAY).toISOString() }, 'delay');
      await api(sys, k.fr, 'POST', `/v1/notices/${id}/responses`, located('FR'), 'answer-fr');
    }
    await api(sys, k.es, 'POST', `/v1/notices/${id}/responses`, { outcome: 'NO_ASSETS_FOUND' }, 'answer-es');
    assert.equal(await result(sys, id), 'COMPLETED');
    return { id };
  },

  /** A repeat of an approval reaches the next run, which answers it from what the first handled; a reminder, answers. */
  async 'local-steps-continued-as-new'(sys, k) {
    const { id, firstRunId } = await submitWithHistoryLimit(sys, {
      key: k.it,
      country: 'IT',
      body: flaggedRequest({ recipients: ['FR', 'ES'], responseDays: 10 }),
      historyLimit: 8,
    });
    await api(sys, k.reviewer, 'POST', `/v1/notices/${id}/decisions`, { decision: 'APPROVE' }, 'approve-1');
    await waitFor(
      () => runChain(sys, id, firstRunId),
      (c) => c.length >= 2,
      'a second run',
    );
    await api(sys, k.reviewer, 'POST', `/v1/notices/${id}/decisions`, { decision: 'APPROVE' }, 'approve-1');
    await api(sys, k.reviewer2, 'POST', `/v1/notices/${id}/decisions`, { decision: 'APPROVE' }, 'approve-2');
    await sys.env.sleep(8 * DAY + 60_000);
    await waitForNotification(sys, id, 'REMINDER');
    await api(sys, k.fr, 'POST', `/v1/notices/${id}/responses`, { outcome: 'NO_ASSETS_FOUND' }, 'answer-fr');
    await api(sys, k.es, 'POST', `/v1/notices/${id}/responses`, located('ES'), 'answer-es');
    assert.equal(await result(sys, id), 'COMPLETED');
    return { id, firstRunId };
  },

  /** A clarification asked and answered, screened again; blocked, and the blocking UPHELD cancels it. */
  async 'local-steps-clarified-blocked-upheld'(sys, k) {
    const id = (await api(sys, k.it, 'POST', '/v1/notices', freshRequest({ recipients: ['FR'] }), 'submit-2')).id;
    await waitForRecordStatus(sys, id, 'UNDER_REVIEW');
    const ask = { decision: 'REQUEST_CLARIFICATION', reason: 'Which accounts?' };
    await api(sys, k.reviewer, 'POST', `/v1/notices/${id}/decisions`, ask, 'ask');
    for (let i = 0; i < 2; i++) await api(sys, k.it, 'POST', `/v1/notices/${id}/clarifications`, { message: 'Urgent now', changes: { urgency: 'URGENT' } }, 'clarify');
    await api(sys, k.reviewer, 'POST', `/v1/notices/${id}/decisions`, { decision: 'APPROVE' }, 'approve');
    await api(sys, k.ccf, 'POST', `/v1/notices/${id}/blocking`, { reason: 'A complaint' }, 'block');
    for (let i = 0; i < 2; i++) await api(sys, k.ccf, 'POST', `/v1/notices/${id}/blocking/decision`, { outcome: 'UPHELD', reason: 'Founded' }, 'uphold');
    assert.equal(await result(sys, id), 'CANCELLED');
    return { id };
  },

  /**
   * Claims: one reviewer claims (the claim repeated), another takes it over with a reason and
   * releases it (repeated); the first claims again and approves (the decision releases it), the
   * second claims and gives the second approval; then withdrawn.
   */
  async 'claimed-taken-over-released'(sys, k) {
    const id = (await api(sys, k.it, 'POST', '/v1/notices', flaggedRequest({ recipients: ['FR'] }), 'submit-claims')).id;
    await waitForRecordStatus(sys, id, 'UNDER_REVIEW');
    const claim = `/v1/notices/${id}/claim`;
    for (let i = 0; i < 2; i++) await api(sys, k.reviewer, 'POST', claim, {}, 'claim-1');
    await api(sys, k.reviewer2, 'POST', claim, { takeOver: true, reason: 'On leave from today' }, 'take-over');
    for (let i = 0; i < 2; i++) await api(sys, k.reviewer2, 'DELETE', claim, undefined, 'release');
    await api(sys, k.reviewer, 'POST', claim, {}, 'claim-2');
    await api(sys, k.reviewer, 'POST', `/v1/notices/${id}/decisions`, { decision: 'APPROVE' }, 'approve-1');
    await api(sys, k.reviewer2, 'POST', claim, {}, 'claim-3');
    await api(sys, k.reviewer2, 'POST', `/v1/notices/${id}/decisions`, { decision: 'APPROVE' }, 'approve-2');
    await api(sys, k.it, 'POST', `/v1/notices/${id}/withdrawal`, { reason: 'Closed' }, 'withdraw');
    assert.equal(await result(sys, id), 'WITHDRAWN');
    return { id };
  },

  /**
   * Amendments: one flagged by screening (a legal basis in the future) that extends the diffusion
   * to Spain, sent twice, approved by two reviewers (the first approval repeated); France and then
   * the new recipient answer, and only then is the request completed.
   */
  async 'amended-four-eyes-extended-completed'(sys, k) {
    const id = (await api(sys, k.it, 'POST', '/v1/notices', freshRequest({ recipients: ['FR'] }), 'submit-amend-1')).id;
    await waitForRecordStatus(sys, id, 'UNDER_REVIEW');
    await api(sys, k.reviewer, 'POST', `/v1/notices/${id}/decisions`, { decision: 'APPROVE' }, 'approve');
    const legalBasis = { type: 'RESTRAINT_ORDER', reference: 'GIP 1/2099', authority: 'Tribunale', date: '2099-01-01' };
    const amendment = { reason: 'Assets moved to Spain', add: { recipients: ['ES'] }, legalBasis };
    let aid = '';
    for (let i = 0; i < 2; i++) aid = (await api(sys, k.it, 'POST', `/v1/notices/${id}/amendments`, amendment, 'amend')).id;
    const decision = `/v1/notices/${id}/amendments/${aid}/decision`;
    for (let i = 0; i < 2; i++) await api(sys, k.reviewer, 'POST', decision, { decision: 'APPROVE' }, 'approve-1');
    await api(sys, k.reviewer2, 'POST', decision, { decision: 'APPROVE' }, 'approve-2');
    await api(sys, k.fr, 'POST', `/v1/notices/${id}/responses`, { outcome: 'NO_ASSETS_FOUND' }, 'answer-fr');
    await api(sys, k.es, 'POST', `/v1/notices/${id}/responses`, located('ES'), 'answer-es');
    assert.equal(await result(sys, id), 'COMPLETED');
    return { id };
  },

  /** An amendment rejected (the rejection repeated), another approved by one reviewer; then withdrawn. */
  async 'amendment-rejected-withdrawn'(sys, k) {
    const id = (await api(sys, k.it, 'POST', '/v1/notices', freshRequest({ recipients: ['FR'] }), 'submit-amend-2')).id;
    await waitForRecordStatus(sys, id, 'UNDER_REVIEW');
    await api(sys, k.reviewer, 'POST', `/v1/notices/${id}/decisions`, { decision: 'APPROVE' }, 'approve');
    const amendments = `/v1/notices/${id}/amendments`;
    const first = await api(sys, k.it, 'POST', amendments, { reason: 'One more country', add: { recipients: ['DE'] } }, 'amend-1');
    for (let i = 0; i < 2; i++)
      await api(sys, k.reviewer, 'POST', `${amendments}/${first.id}/decision`, { decision: 'REJECT', reason: 'Not enough' }, 'reject');
    const second = await api(sys, k.it, 'POST', amendments, { reason: 'An alias', add: { aliases: [{ familyName: 'ROSSO' }] } }, 'amend-2');
    await api(sys, k.reviewer2, 'POST', `${amendments}/${second.id}/decision`, { decision: 'APPROVE' }, 'approve-amendment');
    await api(sys, k.it, 'POST', `/v1/notices/${id}/withdrawal`, { reason: 'Closed' }, 'withdraw');
    assert.equal(await result(sys, id), 'WITHDRAWN');
    return { id };
  },

  /** Withdrawn through the API, the withdrawal repeated after the workflow ended (the server answers it). */
  async 'local-steps-withdrawn'(sys, k) {
    const id = (await api(sys, k.it, 'POST', '/v1/notices', freshRequest({ recipients: ['FR'] }), 'submit-3')).id;
    await waitForRecordStatus(sys, id, 'UNDER_REVIEW');
    await api(sys, k.reviewer, 'POST', `/v1/notices/${id}/decisions`, { decision: 'APPROVE' }, 'approve');
    await api(sys, k.it, 'POST', `/v1/notices/${id}/withdrawal`, { reason: 'Closed' }, 'withdraw');
    assert.equal(await result(sys, id), 'WITHDRAWN');
    await api(sys, k.it, 'POST', `/v1/notices/${id}/withdrawal`, { reason: 'Closed' }, 'withdraw');
    return { id };
  },
};

/** Calls the API as the holder of `key` with an Idempotency-Key (scoped by the test's own prefix), expecting success. */
async function api(sys: TestSystem, key: string, method: string, route: string, body: unknown, idempotencyKey: string): Promise<any> {
  const res = await sys.call(method, route, { key, body, headers: { 'Idempotency-Key': `${route}:${idempotencyKey}` } });
  assert.ok(res.status === 200 || res.status === 201, `${method} ${route}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function waitForNotification(sys: TestSystem, id: string, type: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await sys.db.prisma.notification.count({ where: { noticeId: id, type: type as never } })) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${type} notification for ${id}`);
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !(n in scenarios));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`);
  await globalSetup(); // bundles the current workflow code for the worker
  const sys = await startTestSystem();
  try {
    await sys.pilot(['IT', 'FR', 'ES', 'DE']);
    const [it, fr, es, de, reviewer, reviewer2, ccf] = await sys.keys('IT', 'FR', 'ES', 'DE', 'REVIEWER', 'REVIEWER', 'CCF');
    const keys: Keys = { it, fr, es, de, reviewer, reviewer2, ccf };
    for (const [name, scenario] of Object.entries(scenarios)) {
      if (only.length && !only.includes(name)) continue;
      for (const old of fs.readdirSync(HERE).filter((f) => f === `${name}.json` || (f.startsWith(`${name}.run`) && f.endsWith('.json')))) {
        fs.unlinkSync(path.join(HERE, old));
      }
      const { id, firstRunId } = await scenario(sys, keys);
      const runs = firstRunId ? (await runChain(sys, id, firstRunId)).map((r) => r.runId) : [undefined];
      if (firstRunId) assert.ok(runs.length > 1, `${name} was meant to continue as new`);
      for (const [i, runId] of runs.entries()) {
        const history = await sys.env.client.workflow.getHandle(id, runId).fetchHistory();
        const file = path.join(HERE, runs.length > 1 ? `${name}.run${i + 1}.json` : `${name}.json`);
        fs.writeFileSync(file, `${JSON.stringify(history, null, 1)}\n`);
        console.log(`${path.relative(process.cwd(), file)}: ${history.events?.length} events`);
      }
    }
  } finally {
    await sys.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
