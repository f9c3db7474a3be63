/**
 * The embedded PGlite has no autovacuum: the system analyses and vacuums it on a schedule, so that
 * its planner knows the tables' sizes (a recipient's inbox walks the newest requests instead of
 * joining every recipient row). A PostgreSQL server's autovacuum does this itself.
 */
import { scheduleEmbeddedMaintenance, type Database } from '../../prisma/database';
import { createTestDatabase, insertPublishedRequests, testDatabaseKind } from '../support/database';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
  // 2,000 published requests addressed to FR and ES, as a permanent scheme accumulates them.
  await insertPublishedRequests(db.prisma, 2000);
  await db.prisma.$executeRawUnsafe(
    `INSERT INTO "Recipient" ("noticeId", country, "dueAt") SELECT id, c, now() FROM "Notice", unnest(ARRAY['FR', 'ES']) c`,
  );
});
afterAll(() => db?.close());

const lastAnalyzed = async (table: string) =>
  (
    await db.prisma.$queryRawUnsafe<{ last_analyze: Date | null }[]>(
      'SELECT last_analyze FROM pg_stat_user_tables WHERE relname = $1',
      table,
    )
  )[0].last_analyze;

/** The plan of a recipient's inbox: the 20 newest published requests addressed to FR. */
const inboxPlan = async () =>
  (
    await db.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN SELECT n.id FROM "Notice" n WHERE n."publishedAt" IS NOT NULL
         AND EXISTS (SELECT 1 FROM "Recipient" r WHERE r."noticeId" = n.id AND r.country = 'FR')
       ORDER BY n."createdAt" DESC, n.id DESC LIMIT 21`,
    )
  )
    .map((r) => r['QUERY PLAN'])
    .join('\n');

(testDatabaseKind() === 'pglite' ? describe : describe.skip)('on the embedded database', () => {
  test('nothing analyses the tables on its own: the inbox joins every recipient row', async () => {
    await new Promise((r) => setTimeout(r, 200));
    expect(await lastAnalyzed('Notice')).toBeNull();
    expect(await inboxPlan()).toMatch(/Hash (Semi )?Join/);
  });

  test('the schedule vacuums and analyses it; then the inbox walks the newest requests; stopping waits for a run', async () => {
    const outcomes: unknown[] = [];
    const stop = scheduleEmbeddedMaintenance(db, (o) => outcomes.push(o), { firstAfterMs: 0, everyMs: 60_000 });
    // Timers of equal delay fire in the order they were set: the run has just begun when this one fires.
    await new Promise((r) => setTimeout(r, 0));
    await stop();
    expect(outcomes).toEqual([{ ms: expect.any(Number) }]);
    expect(await lastAnalyzed('Notice')).toBeInstanceOf(Date);
    expect(await lastAnalyzed('Recipient')).toBeInstanceOf(Date);
    const plan = await inboxPlan();
    expect(plan).toMatch(/Nested Loop/);
    expect(plan).not.toMatch(/Hash/);
  });
});

(testDatabaseKind() === 'postgres' ? describe : describe.skip)('on a PostgreSQL server', () => {
  test('the schedule leaves it to autovacuum', async () => {
    const outcomes: unknown[] = [];
    const stop = scheduleEmbeddedMaintenance(db, (o) => outcomes.push(o), { firstAfterMs: 0, everyMs: 10 });
    await new Promise((r) => setTimeout(r, 300));
    await stop();
    expect(outcomes).toEqual([]);
    expect(await lastAnalyzed('Notice')).toBeNull();
  });
});
