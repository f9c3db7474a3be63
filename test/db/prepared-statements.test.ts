/**
 * The system's statements are prepared once per connection and then only bound and executed, on
 * PGlite and on a PostgreSQL server alike, with the same results, errors and transactions as
 * unnamed statements; on PGlite the number kept is bounded, and one that went stale is prepared again.
 */
import crypto from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import type { Database } from '../../prisma/database';
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
    for (let i = 0; i < 3; i++) expect(await tx.notice.findUnique({ where: { id } })).toBeNull();
  });
  const lookups = prepared.filter((p) => p.statement.includes('FROM "public"."Notice"'));
  expect(lookups).toHaveLength(1);
  expect(lookups[0].name).toMatch(/^silver_/);
  expect(lookups[0].executions).toBeGreaterThanOrEqual(3);
});

it('answers with the same values once a statement is prepared', async () => {
  const at = new Date('2026-03-04T05:06:07.089Z');
  const select = () => db.prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT ${7}::int4 AS i, ${9007199254740993n}::int8 AS b, ${'12.50'}::numeric AS n, ${at}::timestamptz AS t,
           ${JSON.stringify({ a: [1, 'x'] })}::jsonb AS j, ${['FR', 'ES']}::text[] AS a, ${Buffer.from([0, 255])}::bytea AS y,
           ${'6f1c7a8e-0b4d-4c2e-9a55-1b2c3d4e5f60'}::uuid AS u, ${true}::boolean AS f, ${null}::text AS z`;
  const first = await select();
  const again = await select();
  expect(again).toEqual(first);
  const [row] = again;
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
  // A unique violation, on the prepared statement as on its first run.
  for (let i = 0; i < 2; i++) expect(sqlState(await insert().catch((e: unknown) => e))).toBe('23505');
  // A statement PostgreSQL cannot parse is refused and not kept.
  expect(sqlState(await db.prisma.$queryRawUnsafe('SELEC 1').catch((e: unknown) => e))).toBe('42601');
  const prepared = await onOneConnection(async (tx) => {
    await expect(tx.$queryRawUnsafe('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });
  expect(prepared.some((p) => p.statement.includes('SELEC 1'))).toBe(false);
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
  it('names the same text alike, and stops naming new texts beyond the bound', () => {
    const name = statementNames(2);
    const a = name({ sql: 'SELECT 1' });
    expect(a).toMatch(/^silver_[\w-]{24}$/);
    expect(name({ sql: 'SELECT 2' })).not.toBe(a);
    expect(name({ sql: 'SELECT 1' })).toBe(a);
    expect(name({ sql: 'SELECT 3' })).toBeUndefined();
    // Another process names it alike: a name is the text's digest, not an order of arrival.
    expect(statementNames(2)({ sql: 'SELECT 1' })).toBe(a);
  });
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
    (await pglite.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements ORDER BY prepare_time')).rows.map(
      (r) => r.statement,
    );

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
