/**
 * One request's whole life through the API, as its people would drive it while the cluster is being
 * disturbed: the requester submits it (with an Idempotency-Key, so a repeat creates nothing new), a
 * reviewer approves it (with an Idempotency-Key too), each recipient sends one final answer (with an Idempotency-Key), and it
 * ends COMPLETED. Each answer the API confirmed (201) is noted, to be found in the database later.
 */
import crypto from 'node:crypto';
import { freshRequest } from '../support/system';
import type { ClusterClient, Reply } from './client';

export interface People {
  requesters: Record<string, string>;
  recipients: Record<string, string>;
  reviewer: string;
}

export interface LifecycleResult {
  id: string;
  requester: string;
  recipients: string[];
  /** Response ids the API confirmed, per recipient country. */
  confirmed: Record<string, string>;
  /** Repeats the API refused although their first attempt had been recorded. */
  refusedRepeats: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function status(client: ClusterClient, id: string, key: string): Promise<string> {
  const reply = await client.call('GET', `/v1/notices/${id}`, { key });
  if (reply.status !== 200) throw new Error(`reading ${id}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.status;
}

async function waitForStatus(
  client: ClusterClient,
  id: string,
  key: string,
  wanted: (s: string) => boolean,
  what: string,
): Promise<string> {
  const giveUpAt = Date.now() + 10 * 60_000;
  for (;;) {
    const now = await status(client, id, key);
    if (wanted(now)) return now;
    if (Date.now() > giveUpAt) throw new Error(`${id} never became ${what} (still ${now})`);
    await sleep(500);
  }
}

const expect = (reply: Reply, statuses: number[], what: string): Reply => {
  if (!statuses.includes(reply.status)) throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.body)?.slice(0, 500)}`);
  return reply;
};

export async function runLifecycle(
  client: ClusterClient,
  people: People,
  requester: string,
  recipients: string[],
): Promise<LifecycleResult> {
  const requesterKey = people.requesters[requester];
  const submission = { 'Idempotency-Key': crypto.randomUUID() };
  const body = freshRequest({ recipients });
  const created = expect(await client.call('POST', '/v1/notices', { key: requesterKey, body, headers: submission }), [201], 'submission');
  const id: string = created.body.id;
  const screened = await waitForStatus(client, id, requesterKey, (s) => s !== 'SUBMITTED', 'screened');
  if (screened !== 'UNDER_REVIEW') throw new Error(`${id} screened into ${screened}`);

  // With its Idempotency-Key, a repeat after a broken connection gets the first attempt's result.
  const approval = await client.call('POST', `/v1/notices/${id}/decisions`, {
    key: people.reviewer,
    body: { decision: 'APPROVE' },
    headers: { 'Idempotency-Key': crypto.randomUUID() },
  });
  expect(approval, [200], 'approval');
  await waitForStatus(client, id, requesterKey, (s) => s === 'PUBLISHED', 'PUBLISHED');

  const confirmed: Record<string, string> = {};
  let refusedRepeats = 0;
  await Promise.all(
    recipients.map(async (country, i) => {
      const headers = { 'Idempotency-Key': crypto.randomUUID() };
      const answer =
        i % 2 === 0
          ? { outcome: 'NO_ASSETS_FOUND', final: true }
          : {
              outcome: 'ASSETS_LOCATED',
              final: true,
              assets: [{ category: 'BANK_ACCOUNT', description: 'Account of the subject', location: { country } }],
            };
      const reply = await client.call('POST', `/v1/notices/${id}/responses`, { key: people.recipients[country], body: answer, headers });
      if (reply.status === 409) refusedRepeats++;
      else confirmed[country] = expect(reply, [201], `answer of ${country}`).headers.get('x-response-id')!;
    }),
  );
  await waitForStatus(client, id, requesterKey, (s) => s === 'COMPLETED', 'COMPLETED');
  return { id, requester, recipients, confirmed, refusedRepeats };
}
