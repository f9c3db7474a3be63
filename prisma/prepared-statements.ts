/**
 * The system's statements as prepared statements, which PostgreSQL parses and plans once.
 *
 * Prisma's adapters send every statement unnamed, so each call pays PostgreSQL's parse, analysis
 * and planning again. Those dominate the short statements this system makes: on PGlite, where they
 * run in WebAssembly on node's main thread, a select by id took 0.46 ms that way against 0.12 ms as
 * a named statement. Each distinct SQL text is prepared once (per connection) and later calls only
 * bind and execute it; PostgreSQL's plan cache chooses between custom and generic plans as it does
 * for any prepared statement. Distinct texts are few (Prisma's are fixed by the query's shape, an
 * `IN` list's length included), and bounded below all the same.
 *
 * A PostgreSQL server: @prisma/adapter-pg names a statement when given `statementNameGenerator`,
 * and pg prepares it on each connection the first time that connection runs it. A pooler in front
 * of the server must keep prepared statements per client (PgBouncer's `max_prepared_statements`).
 *
 * PGlite: its Prisma adapter calls PGlite's `query`, which always parses; `preparedStatements`
 * stands in for PGlite with the adapter, keeping named statements and closing the least recently
 * used beyond a bound (each holds a plan in PGlite's memory, which never shrinks). It calls
 * `query`, `exec` and `transaction` (and, inside one, the transaction's `query`, `exec` and
 * `rollback`). Locking is PGlite's own: a statement outside a transaction takes the transaction
 * lock and then the query lock, as PGlite's `query` does; inside one, only the query lock, as its
 * transaction's `query` does.
 */
import crypto from 'node:crypto';
import { parse, protocol, type PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';

type BackendMessage = Awaited<ReturnType<PGlite['execProtocolStream']>>[number];

interface Prepared {
  name: string;
  /** The parameters' type OIDs, as PostgreSQL inferred them when it parsed the statement. */
  types: number[];
}

/** Statements kept prepared at most, per connection. */
const MAX_PREPARED_STATEMENTS = 500;

/**
 * For @prisma/adapter-pg: a statement's name, the same for the same text in every process. A text
 * is named from its second use (Prisma writes an `IN` list as one placeholder per value, so a list
 * of a length seen once would hold a name for nothing); none (unnamed, parsed each time) beyond
 * the first MAX_PREPARED_STATEMENTS named.
 */
export function statementNames(max = MAX_PREPARED_STATEMENTS): (query: { sql: string }) => string | undefined {
  const names = new Map<string, string>();
  const seenOnce = new Set<string>();
  return ({ sql }) => {
    const known = names.get(sql);
    if (known || names.size >= max) return known;
    if (!seenOnce.delete(sql)) {
      if (seenOnce.size >= 10 * max) seenOnce.clear();
      seenOnce.add(sql);
      return undefined;
    }
    const name = `silver_${crypto.createHash('sha256').update(sql).digest('base64url').slice(0, 24)}`;
    names.set(sql, name);
    return name;
  };
}

/**
 * Whether PostgreSQL refused to run a prepared statement as it was prepared: a table it reads
 * changed under it in a way its saved form cannot follow (a result column's type, an enum made
 * again: SQLSTATE 0A000 from RevalidateCachedQuery; or, when it is analysed again as it is bound,
 * a column or type it names that no longer fits, class 42), or the server no longer has it
 * (26000). Data errors and the like are the caller's, not the statement's.
 */
export function isStaleStatement(err: unknown, atBind: boolean): boolean {
  const { code, routine } = (err ?? {}) as { code?: string; routine?: string };
  if (code === '26000') return true;
  if (code === '0A000') return routine === 'RevalidateCachedQuery' || (routine === undefined && atBind);
  return atBind && typeof code === 'string' && code.startsWith('42');
}

/** Marks an error raised by a statement found stale (and closed). */
const STALE = Symbol('stale statement');

interface PreparedPglite {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(sql: string, options?: QueryOptions): Promise<Results[]>;
  transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T>;
  /** How many statements are prepared now (for tests). */
  readonly prepared: number;
}

export function preparedStatements(pglite: PGlite, max = MAX_PREPARED_STATEMENTS): PreparedPglite {
  // Insertion order is recency order: a statement used is moved to the end.
  const statements = new Map<string, Prepared>();
  // Another stand-in on the same PGlite names its statements apart.
  const prefix = `silver_${crypto.randomBytes(4).toString('hex')}_`;
  let counter = 0;
  const send = (message: Uint8Array) => pglite.execProtocolStream(message, { syncToFs: false });
  // PGlite's parseResults merges a call's own parsers into its hundreds of defaults on every call
  // (an object spread that cost more than executing a short statement): merged here once per set.
  // The defaults are complete once PGlite has opened (nothing here calls its refreshArrayTypes).
  const mergedParsers = new WeakMap<object, Record<number, unknown>>();
  const parsersFor = (own: QueryOptions['parsers']) => {
    if (!own) return pglite.parsers;
    let merged = mergedParsers.get(own);
    if (!merged) mergedParsers.set(own, (merged = { ...pglite.parsers, ...own }));
    return merged;
  };

  async function prepare(sql: string, options?: QueryOptions): Promise<Prepared> {
    const known = statements.get(sql);
    if (known) {
      statements.delete(sql);
      statements.set(sql, known);
      return known;
    }
    if (statements.size >= max) {
      const [oldestSql, oldest] = statements.entries().next().value!;
      statements.delete(oldestSql);
      await send(protocol.serialize.close({ type: 'S', name: oldest.name }));
    }
    const name = `${prefix}${++counter}`;
    await send(protocol.serialize.parse({ name, text: sql, types: options?.paramTypes }));
    const types = parse.parseDescribeStatementResults(await send(protocol.serialize.describe({ type: 'S', name })));
    const prepared = { name, types };
    statements.set(sql, prepared);
    return prepared;
  }

  /** One statement; the caller holds the locks. Mirrors PGlite's own extended-protocol query. */
  async function run<T>(sql: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    const messages: BackendMessage[] = [];
    let statement: Prepared | undefined;
    let atBind = false;
    let stale: Prepared | undefined;
    try {
      statement = await prepare(sql, options);
      const { types } = statement;
      const values = params.map((param, i) => {
        if (param === null || param === undefined) return null;
        const serialize = options?.serializers?.[types[i]] ?? pglite.serializers[types[i]];
        return serialize ? serialize(param) : String(param);
      });
      atBind = true;
      messages.push(...(await send(protocol.serialize.bind({ statement: statement.name, values }))));
      atBind = false;
      messages.push(...(await send(protocol.serialize.describe({ type: 'P' }))));
      messages.push(...(await send(protocol.serialize.execute({}))));
    } catch (err) {
      if (statement && isStaleStatement(err, atBind) && statements.get(sql) === statement) {
        statements.delete(sql);
        stale = statement;
        throw Object.assign(err as object, { [STALE]: true });
      }
      throw err;
    } finally {
      messages.push(...(await send(protocol.serialize.sync())));
      if (stale) {
        await send(protocol.serialize.close({ type: 'S', name: stale.name })).catch(() => undefined);
        await send(protocol.serialize.sync());
      }
    }
    return parse.parseResults(messages, parsersFor(options?.parsers) as typeof pglite.parsers, {
      rowMode: options?.rowMode,
    })[0] as Results<T>;
  }

  return {
    async query<T>(sql: string, params?: unknown[], options?: QueryOptions) {
      await pglite._checkReady();
      return pglite._runExclusiveTransaction(async () => {
        const once = () => pglite._runExclusiveQuery(() => run<T>(sql, params, options));
        // Outside a transaction nothing is lost by a failed statement: one that went stale is
        // prepared again and run. Inside one, the transaction fails, and its next run prepares it.
        const result = await once().catch((err: unknown) => {
          if ((err as { [STALE]?: boolean })[STALE]) return once();
          throw err;
        });
        await pglite.syncToFs();
        return result;
      });
    },
    exec: (sql, options) => pglite.exec(sql, options),
    transaction: (callback) =>
      pglite.transaction((tx) =>
        callback({
          ...tx,
          query: <T>(sql: string, params?: unknown[], options?: QueryOptions) => {
            if (tx.closed) throw new Error('Transaction is closed');
            return pglite._runExclusiveQuery(() => run<T>(sql, params, options));
          },
          get closed() {
            return tx.closed;
          },
        }),
      ),
    get prepared() {
      return statements.size;
    },
  };
}
