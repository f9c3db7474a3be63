/**
 * The system's statements are prepared once per connection and then only bound and executed, on
 * PGlite and on a PostgreSQL server alike, with the same results, errors and transactions as
 * unnamed statements; on PGlite the number kept is bounded, and one that went stale is prepared again.
 */
import crypto from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import type { Database } from '../../prisma/database';
import { ConnectionAwareClient } from '../../prisma/pg-client';
import { preparedStatements, statementNames } from '../../prisma/prepared-statements';
import { createTestDatabase, testDatabaseKind } from '../support/database';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

/** PostgreSQL's SQLSTATE of a failed statement, as Prisma passes it on. */
const sqlState = (err: unknown) =>
  (err as { meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } }).meta?.driverAdapterError?.cause?.originalCode;

interface PreparedRow {
  name: string;
  statement: string;
  executions: number;
}

/** The prepared statements of the connection `run` used, read on that same connection (a transaction keeps to one). */
async function onOneConnection(run: (tx: Parameters<Parameters<Database['prisma']['$transaction']>[0]>[0]) => Promise<unknown>) {
  return db.prisma.$transaction(async (tx) => {
    await run(tx);
    return tx.$queryRaw<PreparedRow[]>`
      SELECT name, statement, (generic_plans + custom_plans)::int AS executions FROM pg_prepared_statements`;
  });
}

it('parses a statement run again only once, and reuses it', async () => {
  const id = crypto.randomUUID();
  const prepared = await onOneConnection(async (tx) => {
    for (let i = 0; i < 4; i++) expect(await tx.notice.findUnique({ where: { id } })).toBeNull();
  });
  const lookups = prepared.filter((p) => p.statement.includes('FROM "public"."Notice"'));
  expect(lookups).toHaveLength(1);
  expect(lookups[0].name).toMatch(/^silver_/);
  // On a server a text is named from its second use.
  expect(lookups[0].executions).toBeGreaterThanOrEqual(3);
});

it('answers with the same values once a statement is prepared', async () => {
  const at = new Date('2026-03-04T05:06:07.089Z');
  const select = () => db.prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT ${7}::int4 AS i, ${9007199254740993n}::int8 AS b, ${'12.50'}::numeric AS n, ${at}::timestamptz AS t,
           ${JSON.stringify({ a: [1, 'x'] })}::jsonb AS j, ${['FR', 'ES']}::text[] AS a, ${Buffer.from([0, 255])}::bytea AS y,
           ${'6f1c7a8e-0b4d-4c2e-9a55-1b2c3d4e5f60'}::uuid AS u, ${true}::boolean AS f, ${null}::text AS z`;
  // On a server a text is named from its second run: the third is the first only bound.
  const first = await select();
  const again = await select();
  const third = await select();
  expect(again).toEqual(first);
  expect(third).toEqual(first);
  const [row] = third;
  expect(row.i).toBe(7);
  expect(row.b).toBe(9007199254740993n);
  expect(String(row.n)).toBe('12.5');
  expect(row.t).toEqual(at);
  expect(row.j).toEqual({ a: [1, 'x'] });
  expect(row.a).toEqual(['FR', 'ES']);
  expect(Buffer.from(row.y as Uint8Array)).toEqual(Buffer.from([0, 255]));
  expect(row.u).toBe('6f1c7a8e-0b4d-4c2e-9a55-1b2c3d4e5f60');
  expect(row.f).toBe(true);
  expect(row.z).toBeNull();
});

it('keeps errors as they were, and the connection usable after them', async () => {
  const country = { code: 'XQ', name: 'Testland' };
  const insert = () => db.prisma.$executeRaw`INSERT INTO "Country" ("code", "name") VALUES (${country.code}, ${country.name})`;
  await insert().catch(() => undefined);
  // A unique violation, on the prepared statement as on its first runs.
  for (let i = 0; i < 3; i++) expect(sqlState(await insert().catch((e: unknown) => e))).toBe('23505');
  expect(sqlState(await db.prisma.$queryRawUnsafe('SELEC 1').catch((e: unknown) => e))).toBe('42601');
  expect(await db.prisma.$queryRawUnsafe('SELECT 1 AS one')).toEqual([{ one: 1 }]);
});

it('rolls a transaction back whole when it fails part way', async () => {
  const code = 'XR';
  const failed = await db.prisma
    .$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO "Country" ("code", "name") VALUES (${code}, ${'Rollback'})`;
      await tx.$executeRaw`INSERT INTO "Country" ("code", "name") VALUES (${code}, ${'Again'})`;
    })
    .catch((e: unknown) => e);
  expect(sqlState(failed)).toBe('23505');
  expect(await db.prisma.$queryRaw`SELECT "code" FROM "Country" WHERE "code" = ${code}`).toEqual([]);
});

describe('naming statements for a PostgreSQL server', () => {
  it('names a text from its second use, alike in every process, and no new text beyond the bound', () => {
    const name = statementNames(2);
    expect(name({ sql: 'SELECT 1' })).toBeUndefined();
    const a = name({ sql: 'SELECT 1' });
    expect(a).toMatch(/^silver_[\w-]{24}$/);
    expect(name({ sql: 'SELECT 1' })).toBe(a);
    expect(name({ sql: 'SELECT 2' })).toBeUndefined();
    expect(name({ sql: 'SELECT 2' })).not.toBe(a);
    name({ sql: 'SELECT 3' });
    expect(name({ sql: 'SELECT 3' })).toBeUndefined();
    // Another process names it alike: a name is the text's digest, not an order of arrival.
    const other = statementNames(2);
    other({ sql: 'SELECT 1' });
    expect(other({ sql: 'SELECT 1' })).toBe(a);
  });

  (testDatabaseKind() === 'postgres' ? it : it.skip)(
    'lets a statement go stale and prepares it again, without failing on it twice',
    async () => {
      const client = new ConnectionAwareClient({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query('CREATE TEMP TABLE t (a int)');
        await client.query('INSERT INTO t VALUES (1)');
        const select = { name: 'silver_stale_test', text: 'SELECT * FROM t', values: [] };
        expect((await client.query(select)).rows).toEqual([{ a: 1 }]);
        await client.query('ALTER TABLE t ALTER COLUMN a TYPE text');
        // The saved form cannot return text where it returned int: refused once...
        await expect(client.query(select)).rejects.toMatchObject({ code: '0A000' });
        // ...then run afresh while its old form is let go, and prepared anew after that.
        expect((await client.query(select)).rows).toEqual([{ a: '1' }]);
        expect((await client.query(select)).rows).toEqual([{ a: '1' }]);
        const kept = await client.query(`SELECT statement FROM pg_prepared_statements WHERE name = 'silver_stale_test'`);
        expect(kept.rows).toEqual([{ statement: 'SELECT * FROM t' }]);
      } finally {
        await client.end();
      }
    },
  );
});

(testDatabaseKind() === 'pglite' ? describe : describe.skip)('on PGlite', () => {
  let pglite: PGlite;
  beforeEach(async () => {
    pglite = await PGlite.create();
    await pglite.exec('CREATE TABLE t (a int)');
  });
  afterEach(() => pglite.close());
  /** Read with PGlite's own unnamed query, so that reading adds none. */
  const preparedNames = async () =>
    (await pglite.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).rows.map((r) => r.statement).sort();

  it('closes the least recently used statement beyond the bound', async () => {
    const client = preparedStatements(pglite, 2);
    await client.query('SELECT 1');
    await client.query('SELECT 2');
    await client.query('SELECT 1');
    await client.query('SELECT 3');
    expect(await preparedNames()).toEqual(['SELECT 1', 'SELECT 3']);
    expect(client.prepared).toBe(2);
    expect((await client.query<{ n: number }>('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
  });

  it('keeps no statement PostgreSQL cannot parse, and goes on', async () => {
    const client = preparedStatements(pglite);
    await expect(client.query('SELEC 1')).rejects.toMatchObject({ code: '42601' });
    await expect(client.transaction((tx) => tx.query('SELEC 1'))).rejects.toMatchObject({ code: '42601' });
    expect(await preparedNames()).toEqual([]);
    expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('prepares again a statement whose column changed type, failing only the transaction it was in', async () => {
    const client = preparedStatements(pglite);
    await pglite.exec('INSERT INTO t VALUES (1)');
    const select = 'SELECT a FROM t WHERE a = $1';
    expect((await client.query(select, [1])).rows).toEqual([{ a: 1 }]);
    await pglite.exec('ALTER TABLE t ALTER COLUMN a TYPE text');
    await expect(client.transaction((tx) => tx.query(select, ['1']))).rejects.toMatchObject({ code: expect.stringMatching(/^(0A000|42)/) });
    expect((await client.transaction((tx) => tx.query(select, ['1']))).rows).toEqual([{ a: '1' }]);
    await pglite.exec('ALTER TABLE t ALTER COLUMN a TYPE int USING a::int');
    // Outside a transaction it is prepared again at once.
    expect((await client.query(select, [1])).rows).toEqual([{ a: 1 }]);
    expect(await preparedNames()).toEqual([select]);
  });

  it('prepares again a statement whose table changed shape', async () => {
    const client = preparedStatements(pglite);
    await pglite.exec('INSERT INTO t VALUES (1)');
    expect((await client.query('SELECT * FROM t')).fields.map((f) => f.name)).toEqual(['a']);
    await pglite.exec('ALTER TABLE t ADD COLUMN b int');
    expect((await client.query('SELECT * FROM t')).fields.map((f) => f.name)).toEqual(['a', 'b']);
    // The stale one is closed, not left behind.
    expect(await preparedNames()).toEqual(['SELECT * FROM t']);
  });

  it('delivers notifications sent by a prepared statement', async () => {
    const client = preparedStatements(pglite);
    const heard: string[] = [];
    await pglite.listen('silver', (payload) => heard.push(payload));
    await client.query("SELECT pg_notify('silver', $1)", ['one']);
    await client.query("SELECT pg_notify('silver', $1)", ['two']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual(['one', 'two']);
  });

  it('keeps a transaction to itself until it commits, and undoes it on rollback', async () => {
    const client = preparedStatements(pglite);
    const count = async () => (await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0].n;
    await client.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1)', [1]);
      await tx.query('INSERT INTO t VALUES ($1)', [2]);
    });
    expect(await count()).toBe(2);
    await client.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1)', [3]);
      await tx.rollback();
    });
    await expect(
      client.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1)', [4]);
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect(await count()).toBe(2);
  });
});
