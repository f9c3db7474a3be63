/**
 * PostgreSQL's notifications (LISTEN/NOTIFY) for whoever keeps something the database may change
 * behind its back. A listener is told when it listens, each message, and when it stops listening:
 * what is sent meanwhile is lost, so a cache must forget everything and stop serving until it
 * listens again.
 */
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';

export interface ChannelHandlers {
  /** A message on the channel (its payload). */
  message(payload: string): void;
  /** Listening, first or again: messages sent before now may have been missed. */
  listening(): void;
  /** Not listening (the connection failed, or could not be made): messages are missed until `listening`. */
  lost(err: unknown): void;
}

/** Starts listening on `channel`; the function returned stops it. */
export type Listen = (channel: string, handlers: ChannelHandlers) => () => Promise<void>;

export interface ServerListenOptions {
  /** Between checks that the connection still answers: a connection that died silently is found within about this plus `timeoutMs`. */
  heartbeatMs?: number;
  timeoutMs?: number;
  /** The longest wait between attempts to connect again. */
  maxRetryMs?: number;
}

/**
 * Listens on a PostgreSQL server over a connection of its own (the pool's connections come and go
 * and are shared), connecting again after a failure, with growing waits. The connection is named
 * `silver-listener` in pg_stat_activity.
 */
export function listenOnServer(url: string, channel: string, h: ChannelHandlers, o: ServerListenOptions = {}): () => Promise<void> {
  const heartbeatMs = o.heartbeatMs ?? 5000;
  const timeoutMs = o.timeoutMs ?? 5000;
  const maxRetryMs = o.maxRetryMs ?? 5000;
  let stopped = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let failures = 0;

  const connect = async () => {
    retry = undefined;
    const client = new pg.Client({
      connectionString: url,
      application_name: 'silver-listener',
      keepAlive: true,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    });
    current = client;
    let listening = false;
    let down = false;
    const heartbeat = setInterval(() => {
      if (listening) client.query('SELECT 1').catch(fail);
    }, heartbeatMs).unref();
    const fail = (err: unknown) => {
      if (down) return;
      down = true;
      clearInterval(heartbeat);
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (stopped) return;
      // Told once per outage: when listening stops, or when the very first attempt fails.
      if (listening || failures === 0) h.lost(err);
      retry = setTimeout(() => void connect(), Math.min(maxRetryMs, 100 * 2 ** failures++)).unref();
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('the listening connection ended')));
    client.on('notification', (n) => {
      if (n.channel === channel) h.message(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (err) {
      fail(err);
      return;
    }
    if (down || stopped) return;
    failures = 0;
    listening = true;
    h.listening();
  };
  void connect();

  return async () => {
    stopped = true;
    clearTimeout(retry);
    const client = current;
    current = undefined;
    await client?.end().catch(() => undefined);
  };
}

/**
 * Listens on the embedded PGlite. Its one connection is this process's, and a notification sent
 * by a trigger reaches the listener before the statement that committed it returns.
 */
export function listenOnPglite(pglite: PGlite, channel: string, h: ChannelHandlers): () => Promise<void> {
  const unlisten = pglite
    .listen(channel, (payload) => h.message(payload))
    .then(
      (stop) => {
        h.listening();
        return stop;
      },
      (err: unknown) => {
        h.lost(err);
        return undefined;
      },
    );
  return async () => {
    const stop = await unlisten;
    await stop?.().catch(() => undefined);
  };
}
