/**
 * A cluster's Temporal server (`npm run cluster`, system/cluster.ts) talks only to clients that show
 * the cluster's client certificate: started as the cluster starts it (its own PostgreSQL server,
 * one API and one worker process), it refuses a plain client, a TLS client without a certificate
 * and one with a certificate of another CA, on gRPC and on its HTTP API alike; its internode port
 * refuses even the cluster's client certificate; the `temporal` CLI works with the flags the README
 * gives; and the API process, which connects with the certificate, is ready. About 40 s.
 *
 * The certificates' own checks always run. The cluster's run needs PostgreSQL's server binaries
 * and the server built from Go (temporal/server-build.ts): `npm test` does not build it (minutes of
 * both cores, which the test files running beside it would pay for), so the run is skipped, saying
 * why, until `npm run cluster` or `npm run test:faults` has built it once, or with
 * SILVER_CLUSTER_TEST=1, which builds it first.
 */
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { Connection, type TLSConfig } from '@temporalio/client';
import { startCluster, type Cluster } from '../../system/cluster';
import { MAX_FRONTEND_PORT } from '../../temporal/cluster-server';
import { clientTlsConfig, ensureClusterTls, type CertAndKey, type ClusterTls } from '../../temporal/cluster-tls';
import { temporalServerBuilt } from '../../temporal/server-build';
import { TEMPORAL_CLI } from '../../temporal/toolchain';
import { createPgServer, postgresBinDir, type PgServer } from '../support/pg-server';

const execFileAsync = promisify(execFile);

/** Why the cluster's run cannot be made here, if it cannot. */
function lacking(): string | undefined {
  if (!postgresBinDir()) return 'no PostgreSQL server binaries (Debian package "postgresql")';
  if (temporalServerBuilt()) return undefined;
  if (process.env.SILVER_CLUSTER_TEST !== '1') {
    return "the cluster's Temporal server is not built yet: npm run cluster builds it once, or SILVER_CLUSTER_TEST=1 here";
  }
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'no Go to build the Temporal server (Debian package "golang-go")';
  }
}
const skipBecause = lacking();

/** The first of `length` free loopback ports in a row, at most `maxFirst` (the Temporal server takes nine). */
async function freePortRun(length: number, maxFirst = 60_000): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (;;) {
    const first = 20_000 + Math.floor(Math.random() * (maxFirst - 20_000));
    if ((await Promise.all(Array.from({ length }, (_, i) => free(first + i)))).every(Boolean)) return first;
  }
}

/** 'ok' when the namespace could be described, else the error. */
async function describeNamespace(address: string, tlsConfig: TLSConfig | undefined): Promise<string> {
  try {
    const connection = await Connection.connect({ address, tls: tlsConfig, connectTimeout: 5000 });
    try {
      const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: 'default' });
      return namespaceInfo?.name === 'default' ? 'ok' : `described ${namespaceInfo?.name}`;
    } finally {
      await connection.close();
    }
  } catch (err) {
    return (err as Error).message;
  }
}

/** The HTTP status of the frontend's HTTP API for the namespace, or the connection's error. */
function httpApi(port: number, t: ClusterTls, pair?: CertAndKey): Promise<number | string> {
  return new Promise((resolve) => {
    const req = https.get(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/namespaces/default',
        servername: t.serverName,
        ca: fs.readFileSync(t.ca.cert),
        ...(pair && { cert: fs.readFileSync(pair.cert), key: fs.readFileSync(pair.key) }),
        timeout: 5000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve(err.message));
  });
}

/**
 * 'speaks' when the gRPC (HTTP/2) server on `port` accepted a TLS handshake with this certificate
 * (or none) and sent its first frame, else why not: the alert it sent, as OpenSSL words it.
 */
function grpcHandshake(port: number, ca: string, pair?: CertAndKey): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ALPNProtocols: ['h2'],
      ca: fs.readFileSync(ca),
      ...(pair && { cert: fs.readFileSync(pair.cert), key: fs.readFileSync(pair.key) }),
    });
    const done = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('no answer'), 5000);
    // With TLS 1.3 the client's side of the handshake ends before the server has judged the
    // client's certificate: a refusal arrives as an alert once the client writes.
    socket.once('secureConnect', () => socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
    socket.once('data', () => done('speaks'));
    socket.once('error', (err) => done(err.message));
    socket.once('close', () => done('closed'));
  });
}

describe('the certificates of a cluster', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'silver-cluster-tls-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('are made once: a CA, the server, client and internode certificates, keys readable by their owner only', () => {
    const said: string[] = [];
    const made = ensureClusterTls(path.join(dir, 'tls'), (line) => said.push(line));
    const cert = (file: string) => new crypto.X509Certificate(fs.readFileSync(file));
    const [ca, server, client, internodeCa, internode] = [made.ca, made.server, made.client, made.internodeCa, made.internode].map((p) =>
      cert(p.cert),
    );
    expect(ca.ca).toBe(true);
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true);
    expect(client.checkIssued(ca) && client.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost(made.serverName)).toBe(made.serverName);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    // The services' certificate belongs to another CA: a client certificate opens no internode port.
    expect(internode.verify(internodeCa.publicKey)).toBe(true);
    expect(internode.verify(ca.publicKey)).toBe(false);
    expect(client.verify(internodeCa.publicKey)).toBe(false);
    for (const p of [made.ca, made.server, made.client, made.internodeCa, made.internode]) {
      expect(fs.statSync(p.key).mode & 0o777).toBe(0o600);
      expect(crypto.createPublicKey(crypto.createPrivateKey(fs.readFileSync(p.key))).export({ format: 'der', type: 'spki' })).toEqual(
        cert(p.cert).publicKey.export({ format: 'der', type: 'spki' }),
      );
    }
    expect(fs.statSync(made.dir).mode & 0o777).toBe(0o700);

    // The next start keeps them; one lost is issued again by the same CA.
    const fingerprints = () => [made.ca, made.server, made.client, made.internode].map((p) => cert(p.cert).fingerprint256);
    const before = fingerprints();
    said.length = 0;
    ensureClusterTls(made.dir, (line) => said.push(line));
    expect(fingerprints()).toEqual(before);
    expect(said).toEqual([]);
    fs.rmSync(made.client.key);
    ensureClusterTls(made.dir, (line) => said.push(line));
    expect(said).toEqual([`TLS certificates made in ${made.dir}: client.pem`]);
    const after = fingerprints();
    expect([after[0], after[1], after[3]]).toEqual([before[0], before[1], before[3]]);
    expect(after[2]).not.toEqual(before[2]);
    expect(cert(made.client.cert).verify(ca.publicKey)).toBe(true);
  });
});

(skipBecause ? describe.skip : describe)(
  skipBecause ? `the Temporal server of a cluster (skipped: ${skipBecause})` : 'the Temporal server of a cluster',
  () => {
    let dir: string;
    let pg: PgServer;
    let cluster: Cluster;
    let stranger: ClusterTls;
    const log: string[] = [];
    beforeAll(async () => {
      const started = Date.now();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'silver-cluster-tls-'));
      pg = await createPgServer(await freePortRun(1));
      const dataDir = path.join(dir, 'cluster');
      try {
        cluster = await startCluster({
          postgresUrl: pg.url,
          name: 'silver',
          apis: 1,
          workers: 1,
          apiPort: await freePortRun(1),
          temporalPort: await freePortRun(9, MAX_FRONTEND_PORT),
          dataDir,
          env: { LOG_LEVEL: 'warn' },
          say: (line) => log.push(line),
        });
      } catch (err) {
        // The folder goes with afterAll: what the server said goes with the failure.
        const serverLog = path.join(dataDir, 'logs', 'temporal-server.log');
        const tail = fs.existsSync(serverLog) ? fs.readFileSync(serverLog, 'utf8').slice(-3000) : '';
        throw new Error(`${(err as Error).message}\n${log.join('\n')}\n${tail}`, { cause: err });
      }
      stranger = ensureClusterTls(path.join(dir, 'stranger'), () => undefined);
      console.log(`cluster started in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }, 900_000);
    afterAll(async () => {
      await cluster?.stop();
      await pg?.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    test('only the cluster client certificate describes the namespace', async () => {
      const address = cluster.temporalAddress;
      const own = clientTlsConfig(cluster.tls);
      // Each refused client waits out its connect timeout: side by side.
      const refused = await Promise.all([
        describeNamespace(address, undefined),
        describeNamespace(address, { ...own, clientCertPair: undefined }),
        describeNamespace(address, { ...own, clientCertPair: clientTlsConfig(stranger).clientCertPair }),
      ]);
      expect(refused.filter((outcome) => outcome === 'ok')).toEqual([]);
      expect(await describeNamespace(address, own)).toBe('ok');
    });

    test('the frontend refuses the handshake without a certificate of the cluster CA, on gRPC and on its HTTP API', async () => {
      const grpc = Number(cluster.temporalAddress.split(':')[1]);
      const t = cluster.tls;
      expect(await grpcHandshake(grpc, t.ca.cert)).toMatch(/alert certificate required/);
      expect(await grpcHandshake(grpc, t.ca.cert, stranger.client)).toMatch(/alert unknown ca/);
      expect(await grpcHandshake(grpc, t.ca.cert, t.client)).toBe('speaks');
      const http = grpc + 1;
      expect(await httpApi(http, t)).toMatch(/alert certificate required/);
      expect(await httpApi(http, t, stranger.client)).toMatch(/alert unknown ca/);
      expect(await httpApi(http, t, t.client)).toBe(200);
    });

    test('the internode port answers the internode certificate only, not the client one', async () => {
      const history = Number(cluster.temporalAddress.split(':')[1]) + 2;
      const t = cluster.tls;
      expect(await grpcHandshake(history, t.internodeCa.cert, t.client)).toMatch(/alert unknown ca/);
      expect(await grpcHandshake(history, t.internodeCa.cert, t.internode)).toBe('speaks');
    });

    test('the temporal CLI needs the --tls flags', async () => {
      const home = path.join(dir, 'home');
      fs.mkdirSync(home, { recursive: true });
      const cli = (flags: string[]) =>
        execFileAsync(
          TEMPORAL_CLI,
          ['operator', 'namespace', 'describe', '-n', 'default', '--address', cluster.temporalAddress, ...flags],
          {
            env: { PATH: process.env.PATH, HOME: home },
            timeout: 30_000,
          },
        ).then(
          (r) => r.stdout,
          (err: Error) => `failed: ${err.message}`,
        );
      const t = cluster.tls;
      expect(await cli(['--command-timeout', '5s'])).toMatch(/^failed/);
      const described = await cli([
        '--tls-cert-path',
        t.client.cert,
        '--tls-key-path',
        t.client.key,
        '--tls-ca-path',
        t.ca.cert,
        '--tls-server-name',
        t.serverName,
      ]);
      expect(described).toMatch(/NamespaceInfo\.Name\s+default/);
    });

    test('the API process connects with the certificate and is ready', async () => {
      const res = await fetch(`${cluster.apiUrls[0]}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ checks: { database: 'ok', temporal: 'ok' } });
    });
  },
);
