/**
 * A webhook receiver for tests: a real HTTP server on 127.0.0.1 that keeps every POST it gets and
 * answers as the test tells it (a status, or never until released), like an NCB's system that
 * fails, stalls or comes and goes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { waitFor } from './system';

export interface Received {
  headers: Record<string, string>;
  body: string;
}

/**
 * How to answer a POST that is the n-th attempt (0-based) of its delivery (counted by `webhook-id`,
 * since other requests' notifications to the same country may reach the receiver in between): a
 * status code, or 'hang' (held until `release()`).
 */
export type Answer = (n: number) => number | 'hang';

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Requests held open right now. */
  held(): number;
  answer: Answer;
  /** Answers every held request with 200. */
  release(): void;
  /** Verifies each received message with the Standard Webhooks library; the payloads. */
  verified(secret: string): any[];
  /** Waits until `n` messages have come. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
  /** Listens again (on the same port) after `close`. */
  reopen(): Promise<void>;
}

export async function startReceiver(answer: Answer = () => 200, port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const holding = new Set<http.ServerResponse>();
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = req.headers['webhook-id'];
      const n = received.filter((r) => r.headers['webhook-id'] === id).length;
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      const how = receiver.answer(n);
      if (how === 'hang') {
        holding.add(res);
        res.on('close', () => holding.delete(res));
        return;
      }
      res.writeHead(how, { 'content-type': 'text/plain' }).end('ok');
    });
  };
  let server = http.createServer(handler);
  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve());
    });
  await listen(port);
  const bound = (server.address() as AddressInfo).port;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${bound}/hook`,
    port: bound,
    received,
    answer,
    held: () => holding.size,
    release() {
      for (const res of holding) res.writeHead(200).end('ok');
      holding.clear();
    },
    verified: (secret) => received.map((r) => new Webhook(secret).verify(r.body, r.headers)),
    waitFor: (n, timeoutMs = 30_000) =>
      waitFor(
        async () => received.length,
        (got) => got >= n,
        `${n} webhook message(s)`,
        timeoutMs,
      ).then(() => received),
    async close() {
      for (const res of holding) res.destroy();
      holding.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async reopen() {
      server = http.createServer(handler);
      await listen(bound);
    },
  };
  return receiver;
}
