/**
 * `npm run bench:console`: how fast the console's pages answer and first render in Chromium, with
 * the reviewer queue holding 1,000 requests waiting for review and a notice answered by many of its
 * 195 recipients. For each page: the server's time to the whole HTML (fetch, signed in), and in
 * Chromium the time from navigation to the first contentful paint and to the page's load.
 *
 * BENCH_WAITING (default 1000) requests waiting, BENCH_ANSWERS (default 100) recipients answering,
 * BENCH_ROUNDS (default 15) measurements per page.
 */
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import { NoticeRequest } from '../api/schemas/requests';
import type { Tx } from '../records/db';
import { recordSubmission } from '../records/notices';
import { findActiveKey } from '../records/keys';
import { principalOf } from '../services/auth';
import { signIn, startBrowser } from '../test/support/browser';
import { expectStatus, median, percentile, printJson, printTable, round, run, runPool, uniqueRequest, waitFor } from './support';
import { startBenchSystem, type BenchSystem } from './system';

const WAITING = Number(process.env.BENCH_WAITING ?? 1000);
const ANSWERS = Number(process.env.BENCH_ANSWERS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const REQUESTERS = ['IT', 'DE', 'NL', 'BE', 'PT', 'AT', 'GR', 'PL'];

/**
 * Run in the page: the first contentful paint (which can land after the load event, so it is
 * waited for, a bounded while), the load event and the HTML's arrival. A string, not a function:
 * tsx would wrap a function's inner names in a helper the page does not have.
 */
const MEASURE = `new Promise((resolve) => {
  const nav = performance.getEntriesByType('navigation')[0];
  const answer = (fcp) => resolve({ fcp, load: nav.loadEventEnd, html: nav.responseEnd - nav.requestStart });
  const seen = () => performance.getEntriesByName('first-contentful-paint')[0];
  if (seen()) return answer(seen().startTime);
  new PerformanceObserver(() => seen() && answer(seen().startTime)).observe({ type: 'paint', buffered: true });
  setTimeout(() => answer(NaN), 5000);
})`;

/** First contentful paint and load, from navigation start, as Chromium measured them. */
async function paint(page: Page, url: string): Promise<{ fcp: number; load: number; html: number }> {
  const res = await page.goto(url, { waitUntil: 'load' });
  if (res?.status() !== 200) throw new Error(`${url}: ${res?.status()}`);
  return page.evaluate(MEASURE) as Promise<{ fcp: number; load: number; html: number }>;
}

/**
 * Requests waiting for review, written as submission and screening write them (every seventh
 * flagged), oldest first a second apart. The queue's page reads the case record only, so their
 * workflows are left out: a thousand of them would only slow the set-up down.
 */
async function recordWaiting(sys: BenchSystem, count: number): Promise<void> {
  const start = Date.now() - count * 1000;
  // Keys first: the embedded database has one connection, which the transaction below holds.
  const actors = await Promise.all(
    REQUESTERS.map(async (country) => ({
      ...principalOf((await findActiveKey(sys.db.prisma, await sys.ncbKey(country), new Date()))!),
      country,
    })),
  );
  for (let i = 0; i < count; i += 50) {
    await sys.db.prisma.$transaction(async (tx: Tx) => {
      for (let j = i; j < Math.min(count, i + 50); j++) {
        const id = crypto.randomUUID();
        const content = NoticeRequest.parse(uniqueRequest(`Q${j}`));
        await recordSubmission(tx, {
          id,
          content,
          subjectKey: null,
          actor: actors[j % actors.length],
          now: new Date(start + j * 1000),
          digests: [],
        });
        await tx.notice.update({ where: { id }, data: { status: 'UNDER_REVIEW', flags: j % 7 === 0 ? ['ARTICLE_3_RISK'] : [] } });
      }
    });
  }
}

async function main() {
  const sys = await startBenchSystem();
  const browser = await startBrowser();
  try {
    const reviewer = await sys.key('REVIEWER');
    console.error(`recording ${WAITING} requests waiting for review...`);
    await recordWaiting(sys, WAITING);

    console.error(`a notice to 195 countries, answered by ${ANSWERS} of them...`);
    const italy = await sys.ncbKey('IT');
    const notice = expectStatus(
      await sys.call('POST', '/v1/notices', italy, uniqueRequest('N', { kind: 'NOTICE', recipients: undefined })),
      201,
      'notice',
    );
    const id = notice.body.id as string;
    await waitFor('screening', async () => (await sys.call('GET', `/v1/notices/${id}`, italy)).body.status === 'UNDER_REVIEW');
    const published = expectStatus(
      await sys.call('POST', `/v1/notices/${id}/decisions`, reviewer, { decision: 'APPROVE' }),
      200,
      'approval',
    );
    const recipients = (published.body.recipients as { country: string }[]).map((r) => r.country);
    await runPool(Math.min(ANSWERS, recipients.length), 4, async (i) => {
      const country = recipients[i];
      const asset = {
        category: 'BANK_ACCOUNT',
        description: `Account in ${country}`,
        location: { country },
        estimatedValue: { amount: 1000 * (i + 1), currency: 'EUR' },
      };
      expectStatus(
        await sys.call('POST', `/v1/notices/${id}/responses`, await sys.ncbKey(country), { outcome: 'ASSETS_LOCATED', assets: [asset] }),
        201,
        'answer',
      );
    });

    const pages: [string, string, string][] = [
      ['reviewer queue (1,000 waiting)', reviewer, '/review'],
      ['request with 195 recipients, as its requester', italy, `/requests/${id}`],
      ['request with 195 recipients, as a reviewer', reviewer, `/requests/${id}`],
    ];
    const rows = [];
    const figures: Record<string, unknown> = {};
    for (const [name, key, path] of pages) {
      const page = await browser.person();
      await signIn(page, sys.baseUrl, key);
      await paint(page, `${sys.baseUrl}${path}`); // warm-up
      const runs = [];
      for (let i = 0; i < ROUNDS; i++) runs.push(await paint(page, `${sys.baseUrl}${path}`));
      const bytes = (await page.content()).length;
      const fcp = runs.map((r) => r.fcp);
      const html = runs.map((r) => r.html);
      const row = {
        page: name,
        'html p50 ms': round(median(html)),
        'html p95 ms': round(percentile(html, 95)),
        'first paint p50 ms': round(median(fcp)),
        'first paint p95 ms': round(percentile(fcp, 95)),
        'load p50 ms': round(median(runs.map((r) => r.load))),
        KiB: round(bytes / 1024),
      };
      rows.push(row);
      figures[path === '/review' ? 'queue' : name.endsWith('requester') ? 'noticeAsRequester' : 'noticeAsReviewer'] = row;
    }
    printTable(`Console pages (${ROUNDS} rounds each, Chromium headless, 127.0.0.1)`, rows);
    printJson('console', { waiting: WAITING, recipients: recipients.length, answers: ANSWERS, ...figures });
  } finally {
    await browser.close();
    await sys.stop();
  }
}

run(main);
