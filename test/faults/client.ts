/**
 * A patient client of a cluster's API processes, as a well-behaved NCB system would be: each call
 * goes to one of the API processes; a broken connection (its process was killed) is tried again on
 * another, a 503 or 429 after its Retry-After. It counts what it met, and any answer of the 5xx
 * kind other than a 503 problem+json with Retry-After is a defect it records.
 */
import { readReply } from '../support/system';

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

export interface CallCounters {
  calls: number;
  /** Broken or refused connections: an API process killed under the call. */
  connectionErrors: number;
  /** 503 problem+json with Retry-After: a part was down, the caller was told when to come back. */
  unavailable: number;
  rateLimited: number;
  /** Any other 5xx, or a 503 without problem+json and Retry-After: a defect. */
  defects: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ClusterClient {
  readonly counters: CallCounters = { calls: 0, connectionErrors: 0, unavailable: 0, rateLimited: 0, defects: [] };

  constructor(
    private readonly urls: string[],
    /** How long one call may keep trying before the run gives up on it. */
    private readonly patienceMs = 10 * 60_000,
  ) {}

  /** The first answer that is not a connection error, a 503 or a 429. */
  async call(method: string, path: string, opts: { key: string; body?: unknown; headers?: Record<string, string> }): Promise<Reply> {
    const giveUpAt = Date.now() + this.patienceMs;
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > giveUpAt) throw new Error(`${method} ${path}: no answer within ${this.patienceMs} ms`);
      const url = this.urls[(Math.random() * this.urls.length) | 0];
      this.counters.calls++;
      let reply: Reply;
      try {
        reply = await this.once(url, method, path, opts);
      } catch {
        this.counters.connectionErrors++;
        await sleep(Math.min(250 * 2 ** attempt, 2000));
        continue;
      }
      if (reply.status === 503 || reply.status === 429) {
        const retryAfter = Number(reply.headers.get('retry-after'));
        const isProblem = reply.headers.get('content-type')?.startsWith('application/problem+json');
        if (!isProblem || !(retryAfter > 0))
          this.counters.defects.push(`${method} ${path}: ${reply.status} without problem+json and Retry-After`);
        if (reply.status === 503) this.counters.unavailable++;
        else this.counters.rateLimited++;
        // Retry-After is honoured, capped: a test has no reason to wait longer than a second or two.
        await sleep(Math.min((retryAfter || 1) * 1000, 2000));
        continue;
      }
      if (reply.status >= 500) {
        this.counters.defects.push(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)?.slice(0, 300)}`);
        await sleep(1000);
        continue;
      }
      return reply;
    }
  }

  /** One attempt at one API process; throws on a connection error. */
  async once(
    url: string,
    method: string,
    path: string,
    opts: { key?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(120_000),
    });
    return readReply(res);
  }

  apiUrls(): readonly string[] {
    return this.urls;
  }
}
