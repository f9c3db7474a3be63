/**
 * `npm run bench:links`: link detection at scale. 100,000 identifiers already recorded (over 2,000
 * requests), then 10,000 answers each bringing one located identifier (one in ten matching one
 * already recorded), each recorded and matched in its own transaction as an answer is. Prints the
 * time per answer. On the embedded database, or on PostgreSQL with BENCH_DATABASE_URL.
 *
 * BENCH_LINK_RECORDED (100000), BENCH_LINK_ANSWERS (10000), BENCH_LINK_REQUESTS (2000).
 */
import crypto from 'node:crypto';
import { NoticeRequest } from '../api/schemas/requests';
import { openPreparedDatabase } from '../prisma/migrate';
import { identifierDigests, recordIdentifiers } from '../records/links';
import { recordSubmission } from '../records/notices';
import { percentile, printJson, printTable, round, run, sampleRequest } from './support';

const RECORDED = Number(process.env.BENCH_LINK_RECORDED ?? 100_000);
const ANSWERS = Number(process.env.BENCH_LINK_ANSWERS ?? 10_000);
const REQUESTS = Number(process.env.BENCH_LINK_REQUESTS ?? 2_000);
const COUNTRIES = ['IT', 'FR', 'ES', 'DE', 'NL', 'BE', 'PT', 'AT'];

async function main() {
  const url = process.env.BENCH_DATABASE_URL;
  const { db } = await openPreparedDatabase(url ? { url } : { memory: true });
  const { prisma } = db;
  try {
    // Requests to link to, each with its own country as requester.
    const content = NoticeRequest.parse(sampleRequest());
    const ids = Array.from({ length: REQUESTS }, () => crypto.randomUUID());
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i += 100) {
      await prisma.$transaction(async (tx) => {
        for (const id of ids.slice(i, i + 100)) {
          const country = COUNTRIES[i % COUNTRIES.length];
          await recordSubmission(tx, {
            id,
            content,
            subjectKey: null,
            actor: { role: 'NCB', country, keyId: crypto.randomUUID() },
            now: new Date(),
            digests: [],
          });
        }
      });
    }
    // The identifiers already recorded: real digests of IBAN-like values, spread over the requests.
    const values = Array.from({ length: RECORDED }, (_, i) => `XX${String(i).padStart(20, '0')}`);
    for (let i = 0; i < RECORDED; i += 5_000) {
      const digests = await identifierDigests(
        prisma,
        values.slice(i, i + 5_000).map((iban) => ({ identifiers: { iban } })),
      );
      await prisma.assetIdentifier.createMany({
        data: digests.map((d, j) => ({
          noticeId: ids[(i + j) % REQUESTS],
          type: d.type,
          digest: d.digest,
          source: 'SOUGHT',
          recordedAt: new Date(),
        })),
      });
    }
    const setupSeconds = round((performance.now() - started) / 1000);

    const latencies: number[] = [];
    let links = 0;
    const t0 = performance.now();
    for (let i = 0; i < ANSWERS; i++) {
      const matching = i % 10 === 0;
      const iban = matching ? values[(i * 7919) % RECORDED] : `YY${crypto.randomBytes(10).toString('hex')}`;
      const a = performance.now();
      const digests = await identifierDigests(prisma, [{ identifiers: { iban } }]);
      links += await prisma.$transaction((tx) =>
        recordIdentifiers(tx, { noticeId: ids[i % REQUESTS], source: 'LOCATED', digests, at: new Date() }),
      );
      latencies.push(performance.now() - a);
    }
    const totalSeconds = (performance.now() - t0) / 1000;
    const figures = {
      database: url ? 'postgres' : 'pglite',
      recorded: RECORDED,
      answers: ANSWERS,
      linksMade: links,
      perAnswerMs: {
        mean: round((totalSeconds * 1000) / ANSWERS, 2),
        p50: round(percentile(latencies, 50), 2),
        p99: round(percentile(latencies, 99), 2),
      },
      answersPerSecond: round(ANSWERS / totalSeconds),
      setupSeconds,
    };
    printTable(`Link detection: ${ANSWERS} answers against ${RECORDED} recorded identifiers (${figures.database})`, [
      { measure: 'mean per answer (ms)', value: figures.perAnswerMs.mean },
      { measure: 'p50 per answer (ms)', value: figures.perAnswerMs.p50 },
      { measure: 'p99 per answer (ms)', value: figures.perAnswerMs.p99 },
      { measure: 'answers per second', value: figures.answersPerSecond },
      { measure: 'links made', value: links },
    ]);
    printJson('links', figures);
  } finally {
    await db.close();
  }
}

run(main);
