/**
 * What a fault run must leave behind, read from the database itself and through the API: every
 * lifecycle COMPLETED, one request per submission, every confirmed answer recorded exactly once,
 * references without gaps or duplicates, quota usage equal to the requests holding it, and an
 * intact audit chain.
 */
import { Client } from 'pg';
import type { ClusterClient } from './client';
import type { LifecycleResult } from './lifecycle';

export interface Verdict {
  requests: number;
  completed: number;
  answersConfirmed: number;
  answersRecorded: number;
  /** Confirmed (201) answers not in the database, and answers the run never got confirmed. */
  answersLost: number;
  /** Recipients with more than one answer recorded for one request. */
  answersDoubled: number;
  /** Requests with an approval, screening, publication or completion written more than once. */
  stepsDoubled: number;
  references: { first?: string; last?: string; gaps: number; duplicates: number };
  quota: { usage: Record<string, number>; holding: Record<string, number>; equal: boolean };
  auditIntact: boolean;
  auditEvents: number;
  failures: string[];
}

export async function verify(opts: {
  databaseUrl: string;
  client: ClusterClient;
  adminKey: string;
  results: LifecycleResult[];
  expected: { lifecycles: number; recipients: number };
}): Promise<Verdict> {
  const db = new Client({ connectionString: opts.databaseUrl });
  await db.connect();
  const failures: string[] = [];
  try {
    const notices = (
      await db.query<{ id: string; status: string; reference: string | null; requestingCountry: string }>(
        'SELECT id, status, reference, "requestingCountry" FROM "Notice"',
      )
    ).rows;
    const responses = (await db.query<{ id: string; noticeId: string; country: string }>('SELECT id, "noticeId", country FROM "Response"'))
      .rows;

    const completed = notices.filter((n) => n.status === 'COMPLETED').length;
    if (notices.length !== opts.expected.lifecycles)
      failures.push(`${notices.length} requests recorded for ${opts.expected.lifecycles} submissions`);
    if (completed !== opts.expected.lifecycles) failures.push(`${completed} of ${opts.expected.lifecycles} requests COMPLETED`);

    const recordedIds = new Set(responses.map((r) => r.id));
    const perRecipient = new Map<string, number>();
    for (const r of responses) perRecipient.set(`${r.noticeId}/${r.country}`, (perRecipient.get(`${r.noticeId}/${r.country}`) ?? 0) + 1);
    const answersDoubled = [...perRecipient.values()].filter((n) => n > 1).length;
    let answersConfirmed = 0;
    let answersLost = (opts.expected.lifecycles - opts.results.length) * opts.expected.recipients;
    for (const result of opts.results) {
      for (const country of result.recipients) {
        const id = result.confirmed[country];
        if (id) answersConfirmed++;
        if (!id || !recordedIds.has(id)) answersLost++;
      }
    }
    if (answersLost) failures.push(`${answersLost} answers lost`);
    if (answersDoubled) failures.push(`${answersDoubled} answers recorded twice or more`);

    // Each request was approved once, published once and completed once: a step run again (its
    // workflow task lost, an action repeated) must find its own write and write nothing more.
    const doubledSteps = (
      await db.query<{ noticeId: string; type: string; n: number }>(
        `SELECT "noticeId", type, count(*)::int AS n FROM "AuditEvent"
         WHERE type IN ('DECISION', 'PUBLISHED', 'COMPLETED', 'SCREENED') GROUP BY "noticeId", type HAVING count(*) > 1`,
      )
    ).rows;
    const decisionsDoubled = (
      await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM (SELECT "noticeId" FROM "Decision" GROUP BY "noticeId" HAVING count(*) > 1) d',
      )
    ).rows[0].n;
    if (decisionsDoubled) failures.push(`${decisionsDoubled} requests with their approval recorded twice or more`);
    for (const d of doubledSteps.slice(0, 10)) failures.push(`request ${d.noticeId}: ${d.n} ${d.type} events`);

    const references = checkReferences(notices.map((n) => n.reference));
    if (references.gaps || references.duplicates || references.count !== notices.length) {
      failures.push(
        `references: ${references.gaps} gaps, ${references.duplicates} duplicates, ${references.count} of ${notices.length} set`,
      );
    }

    const pilot = await opts.client.call('GET', '/v1/pilot', { key: opts.adminKey });
    const usage: Record<string, number> = Object.fromEntries(
      Object.entries(pilot.body.usage as Record<string, number>).filter(([, n]) => n > 0),
    );
    // Every request here was published, so every one holds quota (DOMAIN: until it ends unpublished).
    const holding: Record<string, number> = {};
    for (const n of notices) holding[n.requestingCountry] = (holding[n.requestingCountry] ?? 0) + 1;
    const equal = JSON.stringify(sorted(usage)) === JSON.stringify(sorted(holding));
    if (!equal) failures.push(`quota usage ${JSON.stringify(usage)} differs from requests holding it ${JSON.stringify(holding)}`);

    const audit = await opts.client.call('GET', '/v1/audit/verify', { key: opts.adminKey });
    if (!audit.body?.ok) failures.push(`audit chain broken at ${audit.body?.firstBrokenEventId}`);

    return {
      requests: notices.length,
      completed,
      answersConfirmed,
      answersRecorded: responses.length,
      answersLost,
      answersDoubled,
      stepsDoubled: doubledSteps.length + decisionsDoubled,
      references: { first: references.first, last: references.last, gaps: references.gaps, duplicates: references.duplicates },
      quota: { usage, holding, equal },
      auditIntact: Boolean(audit.body?.ok),
      auditEvents: audit.body?.events ?? 0,
      failures,
    };
  } finally {
    await db.end();
  }
}

const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/** Numbers per prefix and year must run 1, 2, 3 ... with none missing and none twice. */
function checkReferences(refs: Array<string | null>) {
  const set = refs.filter((r): r is string => r !== null).sort();
  const series = new Map<string, number[]>();
  for (const ref of set) {
    const [prefix, year, number] = ref.split('-');
    series.set(`${prefix}-${year}`, [...(series.get(`${prefix}-${year}`) ?? []), Number(number)]);
  }
  let gaps = 0;
  let duplicates = 0;
  for (const numbers of series.values()) {
    const distinct = new Set(numbers);
    duplicates += numbers.length - distinct.size;
    gaps += Math.max(...numbers) - distinct.size;
  }
  return { count: set.length, first: set[0], last: set[set.length - 1], gaps, duplicates };
}
