/**
 * pg's Client for the pool of a PostgreSQL server, giving a connection's failures the SQLSTATE
 * PostgreSQL's own clients give them. pg fails a query on a connection that broke, and a connection
 * that could not be made, with plain errors told apart only by their wording ("Client has
 * encountered a connection error and is not queryable", "Connection terminated unexpectedly",
 * "timeout expired"); the driver adapter and Prisma pass them on as they are. Re-raised here as
 * connection exceptions (SQLSTATE class 08), they travel like any error of the server: the adapter
 * maps them, Prisma keeps them in `meta.driverAdapterError`, and services/outages.ts reads the code.
 */
import pg from 'pg';
import { isStaleStatement } from './prepared-statements';

/** SQLSTATE 08001 (a connection could not be made) or 08006 (a connection failed once made). */
export class ConnectionException extends pg.DatabaseError {
  constructor(code: '08001' | '08006', failure: Error) {
    super(failure.message, 0, 'error');
    this.code = code;
    this.severity = 'ERROR';
    this.cause = failure;
  }
}

/**
 * What the server answered keeps its own SQLSTATE, and a socket's error its own code (the adapter
 * names those); what pg made up itself becomes a connection exception.
 */
function asConnectionException(code: '08001' | '08006', err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof pg.DatabaseError || typeof (err as NodeJS.ErrnoException).syscall === 'string') return err;
  return new ConnectionException(code, err);
}

export class ConnectionAwareClient extends pg.Client {
  #connectionBroke = false;

  /**
   * pg emits 'error' when the connection breaks, under a query or while idle, and 'end' once it is
   * gone. The error emitted reaches callers too: the pool's `query` answers with it.
   */
  emit(event: string | symbol, ...args: any[]): boolean {
    if (event === 'error' || event === 'end') this.#connectionBroke = true;
    return event === 'error' ? super.emit(event, asConnectionException('08006', args[0])) : super.emit(event, ...args);
  }

  connect(): Promise<pg.Client>;
  connect(callback: (err: Error | null, client?: pg.Client) => void): void;
  connect(callback?: (err: Error | null, client?: pg.Client) => void): Promise<pg.Client> | void {
    if (callback)
      return super.connect((err: Error | null, client?: pg.Client) =>
        callback(err && (asConnectionException('08001', err) as Error), client),
      );
    return super.connect().catch((err: unknown) => {
      throw asConnectionException('08001', err);
    });
  }

  /** The promise and callback forms, which the pool and the driver adapter use; a submittable reports on its own. */
  query(config: any, values?: any, callback?: any): any {
    if (typeof values === 'function') return this.query(config, undefined, values);
    if (typeof config?.submit === 'function') return super.query(config, values);
    config = this.#unlessStale(config);
    if (typeof callback === 'function')
      return super.query(config, values, (err: Error | null, result: unknown) => callback(err && this.#failed(config, err), result));
    const result: unknown = super.query(config, values);
    return result instanceof Promise
      ? result.catch((err: unknown) => {
          throw this.#failed(config, err);
        })
      : result;
  }

  /** Prepared statements the server refused as stale and still holds (prisma/prepared-statements.ts). */
  #stale = new Set<string>();

  /**
   * A statement found stale runs unnamed (parsed afresh) until the server has let its old form go:
   * DEALLOCATE is queued once no transaction is open (an aborted one would refuse it). pg keeps a
   * connection's prepared names itself and would otherwise bind the stale one every time.
   */
  #unlessStale(config: any): any {
    const name: unknown = config?.name;
    if (typeof name !== 'string' || !this.#stale.has(name)) return config;
    if (this.getTransactionStatus() === 'I')
      super.query(`DEALLOCATE "${name}"`).then(
        () => this.#stale.delete(name),
        // 26000: the server never kept it (its Parse failed); anything else, another try later.
        (err: { code?: string }) => err.code === '26000' && this.#stale.delete(name),
      );
    return { ...config, name: undefined };
  }

  #failed(config: any, err: unknown): unknown {
    const name: unknown = config?.name;
    // pg tells not at which step a query failed: an error of class 42 counts as the statement's own
    // (a genuine one fails alike named or not).
    if (typeof name === 'string' && isStaleStatement(err, true)) {
      delete (this as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements[name];
      // 26000: the server has no such statement, so nothing is left to let go.
      if ((err as { code?: string }).code !== '26000') this.#stale.add(name);
    }
    return this.#connectionBroke ? asConnectionException('08006', err) : err;
  }
}
