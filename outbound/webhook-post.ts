/**
 * The one call out of the system: POSTing a signed message to a webhook receiver. A receiver on a
 * private, loopback, link-local or otherwise non-public address is refused unless the operator
 * allows it (SILVER_WEBHOOK_ALLOW_PRIVATE): checked on the address actually connected to, so a
 * name that resolves elsewhere between the check and the call (DNS rebinding) is refused too.
 * Redirects are not followed; the answer is its status line (its body is drained and dropped).
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Webhook } from 'standardwebhooks';

/** Public internet addresses only: ipaddr.js names every reserved range, IPv4-mapped IPv6 included. */
export function isPublicAddress(address: string): boolean {
  try {
    return ipaddr.process(address).range() === 'unicast';
  } catch {
    return false;
  }
}

class AddressRefused extends Error {}

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

const LOOKUP_TIMEOUT_MS = 5000;

/** Every address `host` resolves to; a resolver that does not answer in time is a failure (the caller waits). */
function resolveWithin(host: string, ms: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer')), ms);
    dns.promises.lookup(host, { all: true, verbatim: true }).then(
      (found) => (clearTimeout(timer), resolve(found.map((a) => a.address))),
      (err) => (clearTimeout(timer), reject(err)),
    );
  });
}

/** Why `url` cannot receive webhooks (its form, or where its name leads), or undefined when it can. */
export async function receiverProblem(raw: string, allowPrivate: boolean): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not have a fragment';
  if (allowPrivate) return undefined;
  const host = hostOf(url);
  let addresses: string[];
  try {
    addresses = net.isIP(host) ? [host] : await resolveWithin(host, LOOKUP_TIMEOUT_MS);
  } catch {
    return `names a host that does not resolve (${host})`;
  }
  if (addresses.some((a) => !isPublicAddress(a))) {
    return 'leads to a private, loopback or link-local address; only public receivers are allowed (SILVER_WEBHOOK_ALLOW_PRIVATE)';
  }
  return undefined;
}

/** A DNS lookup that fails on any non-public address it finds. */
const publicLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, verbatim: true }, (err, address, family) => {
    if (err) return callback(err, address as never, family);
    const found = Array.isArray(address) ? address.map((a) => a.address) : [address];
    if (found.some((a) => !isPublicAddress(a))) return callback(new AddressRefused(`${hostname} resolves to a non-public address`), '', 0);
    callback(null, address as never, family);
  });
};

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 32 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 32 }),
};

export type PostOutcome = 'DELIVERED' | 'REJECTED' | 'TIMEOUT' | 'UNREACHABLE' | 'ADDRESS_REFUSED';
export interface PostResult {
  /** The receiver's status code, when it answered at all. */
  statusCode?: number;
  outcome: PostOutcome;
  durationMs: number;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs `body` to `url` with the Standard Webhooks headers, signed with `secret` at `now`. Never
 * throws for anything the receiver does: every way it can fail is an outcome.
 */
export async function postWebhook(m: {
  url: string;
  secret: string;
  messageId: string;
  body: string;
  now: Date;
  timeoutMs: number;
  allowPrivate: boolean;
  accepted: (statusCode: number) => boolean;
}): Promise<PostResult> {
  const started = performance.now();
  const done = (r: Omit<PostResult, 'durationMs'>): PostResult => ({ ...r, durationMs: Math.round(performance.now() - started) });
  const url = new URL(m.url);
  if (!m.allowPrivate && net.isIP(hostOf(url)) && !isPublicAddress(hostOf(url))) return done({ outcome: 'ADDRESS_REFUSED' });
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'silver-notice-webhooks/1',
    'webhook-id': m.messageId,
    'webhook-timestamp': String(Math.floor(m.now.getTime() / 1000)),
    'webhook-signature': new Webhook(m.secret).sign(m.messageId, m.now, m.body),
  };
  const signal = AbortSignal.timeout(m.timeoutMs);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    const req = transport.request(
      url,
      {
        method: 'POST',
        headers,
        agent: agents[url.protocol as 'http:' | 'https:'],
        signal,
        ...(m.allowPrivate ? {} : { lookup: publicLookup }),
      },
      (res) => {
        // The status line is the answer; the body is drained (to keep the connection) or cut off.
        const code = res.statusCode ?? 0;
        resolve(done({ statusCode: code, outcome: m.accepted(code) ? 'DELIVERED' : 'REJECTED' }));
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        res.on('error', () => undefined);
      },
    );
    req.on('error', (err) => {
      if (signal.aborted) resolve(done({ outcome: 'TIMEOUT' }));
      else if (err instanceof AddressRefused) resolve(done({ outcome: 'ADDRESS_REFUSED' }));
      else resolve(done({ outcome: 'UNREACHABLE' }));
    });
    req.end(m.body);
  });
}
