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
    if (typeof callback === 'function')
      return super.query(config, values, (err: Error | null, result: unknown) => callback(err && this.#classified(err), result));
    const result: unknown = super.query(config, values);
    return result instanceof Promise
      ? result.catch((err: unknown) => {
          throw this.#classified(err);
        })
      : result;
  }

  #classified(err: unknown): unknown {
    return this.#connectionBroke ? asConnectionException('08006', err) : err;
  }
}
