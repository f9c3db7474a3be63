/**
 * A record's write given a transaction runs inside it instead of opening its own: steps that one
 * workflow step writes together (an approval and the publication it leads to) commit or roll back
 * as one. Prisma 7's transaction client has a `$transaction` of its own (savepoints, which the
 * embedded database's adapter refuses), so a transaction is told apart by what it lacks.
 */
import type { Database } from '../../prisma/database';
import { inTransaction, type Db, type Tx } from '../../records/db';
import { createTestDatabase } from '../support/database';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

/** Rows under `key`, as `on` (the client, or a transaction) sees them. */
const countKeys = async (key: string, on: Db = db.prisma) =>
  (await on.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "RateLimitWindow" WHERE "key" = ${key}`)[0].n;
const count = (key: string) => (tx: Tx) =>
  tx.$executeRaw`INSERT INTO "RateLimitWindow" ("key", "windowStart", "hits") VALUES (${key}, now(), 1)`;

test('a write given the client opens its own transaction and commits', async () => {
  await inTransaction(db.prisma, count('alone'));
  expect(await countKeys('alone')).toBe(1);
});

test("a write given a transaction joins it: the caller's rollback takes it back", async () => {
  await expect(
    db.prisma.$transaction(async (tx) => {
      await inTransaction(tx, count('joined'));
      expect(await countKeys('joined', tx)).toBe(1);
      throw new Error('the caller changes its mind');
    }),
  ).rejects.toThrow('the caller changes its mind');
  expect(await countKeys('joined')).toBe(0);
});
