/**
 * `npm run bench:search`: GET /v1/search's use case over 10,000 requests. The requests are recorded
 * as submissions record them (case numbers, search terms, identifier digests, audit events), with
 * names drawn from a few hundred surnames so that a common one, or its first three letters, finds
 * many; then searches by whole names, starts of names, documents, IBANs, case numbers and words
 * that find nothing, as a reviewer (every request) and as an NCB (its own and those addressed to
 * it). Each search is the service's, audit of what it found included. Prints the time per search.
 * On the embedded database, and on PostgreSQL (a database of its own) with BENCH_DATABASE_URL.
 *
 * BENCH_SEARCH_REQUESTS (10000), BENCH_SEARCH_QUERIES (2000).
 */
import crypto from 'node:crypto';
import pino from 'pino';
import { NoticeRequest } from '../api/schemas/requests';
import { identifierDigests } from '../records/links';
import { recordSubmission } from '../records/notices';
import type { Principal, ServiceDeps } from '../services/context';
import { cursorCodec } from '../services/cursors';
import { readingService } from '../services/reading';
import { searchService } from '../services/search';
import { ibanFor } from '../test/support/system';
import { percentile, printJson, printTable, round, run, sampleRequest, tempDir } from './support';
import { benchDatabases, openBenchDatabase, type BenchDatabase } from './system';

const REQUESTS = Number(process.env.BENCH_SEARCH_REQUESTS ?? 10_000);
const QUERIES = Number(process.env.BENCH_SEARCH_QUERIES ?? 2_000);
const COUNTRIES = ['IT', 'FR', 'ES', 'DE', 'NL', 'BE', 'PT', 'AT'];
const SURNAMES = ['Rossi', 'García', 'Müller', 'Núñez', 'Kowalski', 'Dubois', "O'Brien", 'Łukaszewicz', 'Haddad', 'Nguyen'];
const SECOND = ['Ferrer', 'Öztürk', 'Silva', 'Novák', 'Jensen', 'Popescu', 'Martín', 'Schäfer', 'Costa', 'Bianchi'];
const GIVEN = ['Mario', 'José María', 'Anna', 'Søren', 'Fatima', 'Jean-Luc', 'Ewa', 'Ahmed', 'Lucía', 'Piotr', 'Chloé', 'Ali'];

/** The n-th request's subject: 300 surnames (some compound), given names, an alias, a passport. */
function subjectOf(n: number) {
  const pick = <T>(list: T[], k: number) => list[k % list.length];
  const familyName = `${pick(SURNAMES, n)}${n % 3 ? '' : `-${pick(SECOND, n >> 2)}`}${n % 30 >= 10 ? ` ${pick(SECOND, n >> 1)}` : ''}`;
  return {
    familyName,
    givenNames: pick(GIVEN, n >> 3),
    aliases: [{ familyName: `${pick(SECOND, n)} ${pick(SURNAMES, n >> 3)}`, givenNames: pick(GIVEN, n) }],
    identityDocuments: [{ type: 'PASSPORT', number: `P${String(n).padStart(8, '0')}`, issuingCountry: pick(COUNTRIES, n) }],
  };
}
const ibanOf = (n: number) => ibanFor('IT', `X0542811101${String(n).padStart(12, '0')}`);

async function main() {
  for (const kind of benchDatabases()) await runOn(kind);
}

async function runOn(kind: BenchDatabase) {
  const db = await openBenchDatabase(kind, tempDir('search'));
  const { prisma } = db;
  try {
    const base = sampleRequest();
    const started = performance.now();
    const caseNumbers: string[] = [];
    for (let i = 0; i < REQUESTS; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, REQUESTS - i) }, async (_, j) => {
          const n = i + j;
          const content = NoticeRequest.parse({
            ...base,
            subject: { ...base.subject, ...subjectOf(n) },
            assetsSought: [{ ...base.assetsSought[0], identifiers: { iban: ibanOf(n) } }],
          });
          return { n, content, digests: await identifierDigests(prisma, content.assetsSought) };
        }),
      );
      await prisma.$transaction(async (tx) => {
        for (const { n, content, digests } of batch) {
          const country = COUNTRIES[n % COUNTRIES.length];
          const keyId = crypto.randomUUID();
          const row = await recordSubmission(tx, {
            id: crypto.randomUUID(),
            content,
            subjectKey: null,
            actor: { role: 'NCB', country, keyId, userId: keyId, name: 'bench' },
            now: new Date(),
            digests,
          });
          caseNumbers[n] = row.caseNumber;
        }
      });
    }
    await prisma.$executeRawUnsafe('ANALYZE');
    const setupSeconds = round((performance.now() - started) / 1000);

    const deps = { prisma, log: pino({ level: 'silent' }), daySeconds: 86_400 } as unknown as ServiceDeps;
    const { search } = searchService(deps, readingService(deps, cursorCodec(prisma)));
    const who = (role: 'REVIEWER' | 'NCB', country: string | null): Principal => {
      const id = crypto.randomUUID();
      return { role, country, keyId: id, userId: id, name: 'bench' };
    };
    const reviewer = who('REVIEWER', null);
    const ncb = who('NCB', 'IT');
    const kinds: [string, (n: number) => string][] = [
      ['whole name', (n) => `${subjectOf(n).familyName} ${subjectOf(n).givenNames}`],
      ['start of a name (3 letters)', (n) => subjectOf(n).familyName.slice(0, 3)],
      ['alias', (n) => subjectOf(n).aliases[0].familyName],
      ['document', (n) => subjectOf(n).identityDocuments[0].number.toLowerCase()],
      ['IBAN in print', (n) => ibanOf(n).replace(/(.{4})/g, '$1 ')],
      ['case number', (n) => caseNumbers[n]],
      ['nothing found', (n) => `zq${n}xv`],
    ];
    const latencies: number[] = [];
    const byKind = new Map<string, number[]>(kinds.map(([k]) => [k, []]));
    let hits = 0;
    const t0 = performance.now();
    for (let i = 0; i < QUERIES; i++) {
      const [kind, query] = kinds[i % kinds.length];
      const n = (i * 7919) % REQUESTS;
      const a = performance.now();
      hits += (await search(i % 2 ? ncb : reviewer, query(n))).items.length;
      const ms = performance.now() - a;
      latencies.push(ms);
      byKind.get(kind)!.push(ms);
    }
    const totalSeconds = (performance.now() - t0) / 1000;
    const figures = {
      database: kind,
      requests: REQUESTS,
      queries: QUERIES,
      p50Ms: round(percentile(latencies, 50), 2),
      p99Ms: round(percentile(latencies, 99), 2),
      meanMs: round((totalSeconds * 1000) / QUERIES, 2),
      p99MsByKind: Object.fromEntries([...byKind].map(([k, v]) => [k, round(percentile(v, 99), 2)])),
      hitsPerSearch: round(hits / QUERIES, 1),
      setupSeconds,
    };
    printTable(`Search: ${QUERIES} searches over ${REQUESTS} requests (${figures.database}), as a reviewer and as an NCB`, [
      ...kinds.map(([k]) => ({
        searches: k,
        'p50 (ms)': round(percentile(byKind.get(k)!, 50), 2),
        'p99 (ms)': figures.p99MsByKind[k],
      })),
      { searches: 'all', 'p50 (ms)': figures.p50Ms, 'p99 (ms)': figures.p99Ms },
    ]);
    printJson('search', figures);
  } finally {
    await db.close();
  }
}

run(main);
