/**
 * The certificates of a cluster's mutual TLS, kept in its data dir (`tls/`): the frontend of its
 * Temporal server only talks to a client that shows a certificate of the cluster's CA, and its
 * services talk among themselves only with a certificate of a second CA, the internode one, that no
 * client holds (so the client certificate, which every API and worker process has, cannot reach
 * the history or matching service around the frontend). Made on first start, reused afterwards;
 * a certificate that is missing, no longer matches its CA or key, or is near its end is issued
 * again from the kept CA.
 *
 * `openssl` issues them: Node's crypto reads certificates but cannot write one. Debian ranks the
 * `openssl` package optional, but `ca-certificates` (standard) depends on it, and the cluster's Go
 * build cannot reach the module proxy without `ca-certificates`: a machine that can build the
 * server has `openssl`.
 */
import { execFileSync } from 'node:child_process';
import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { PROJECT_ROOT } from '../system/paths';
import { readSecretFile, writeSecretFile } from '../system/secrets';

/** The name clients check the frontend's certificate against (its SANs: localhost and 127.0.0.1). */
export const CLUSTER_TLS_SERVER_NAME = 'localhost';
const OPENSSL_CONFIG = path.join(PROJECT_ROOT, 'temporal', 'cluster', 'openssl.cnf');
const CA_DAYS = 3650;
const LEAF_DAYS = 397;
/** A certificate with less left than this is issued again at start. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface CertAndKey {
  cert: string;
  key: string;
}

/** Paths of the PEM files. */
export interface ClusterTls {
  dir: string;
  /** The cluster's CA: clients trust it for the frontend's certificate, the frontend trusts it for clients'. */
  ca: CertAndKey;
  /** The frontend's. */
  server: CertAndKey;
  /** For the API and worker processes, the server's own system worker and an operator's CLI. */
  client: CertAndKey;
  /** The internode CA and the one certificate the server's services present to each other. */
  internodeCa: CertAndKey;
  internode: CertAndKey;
  serverName: string;
}

export function clusterTlsPaths(dir: string): ClusterTls {
  const pair = (name: string) => ({ cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) });
  return {
    dir,
    ca: pair('ca'),
    server: pair('server'),
    client: pair('client'),
    internodeCa: pair('internode-ca'),
    internode: pair('internode'),
    serverName: CLUSTER_TLS_SERVER_NAME,
  };
}

/** Makes what is missing or unusable in `dir`, keeps the rest; `say` hears what was made. */
export function ensureClusterTls(dir: string, say: (line: string) => void): ClusterTls {
  const tls = clusterTlsPaths(dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const made: string[] = [];
  const ca = authority(tls.ca, 'Silver Notice cluster CA', say, made);
  leaf(tls.server, ca, 'server', 'Silver Notice Temporal frontend', say, made);
  leaf(tls.client, ca, 'client', 'Silver Notice cluster client', say, made);
  const internodeCa = authority(tls.internodeCa, 'Silver Notice cluster internode CA', say, made);
  leaf(tls.internode, internodeCa, 'internode', 'Silver Notice Temporal internode', say, made);
  if (made.length) say(`TLS certificates made in ${dir}: ${made.join(', ')}`);
  return tls;
}

/** The Temporal client's TLS options with the cluster's client certificate. */
export function clientTlsConfig(tls: ClusterTls): TLSConfig {
  return {
    serverNameOverride: tls.serverName,
    serverRootCACertificate: fs.readFileSync(tls.ca.cert),
    clientCertPair: { crt: fs.readFileSync(tls.client.cert), key: fs.readFileSync(tls.client.key) },
  };
}

/** The environment of the system's own processes (system/config.ts reads it) for the same. */
export function clientTlsEnv(tls: ClusterTls): Record<string, string> {
  return {
    TEMPORAL_TLS: 'true',
    TEMPORAL_TLS_CERT: tls.client.cert,
    TEMPORAL_TLS_KEY: tls.client.key,
    TEMPORAL_TLS_CA: tls.ca.cert,
    TEMPORAL_TLS_SERVER_NAME: tls.serverName,
  };
}

interface Loaded {
  files: CertAndKey;
  cert: X509Certificate;
}

function authority(files: CertAndKey, name: string, say: (line: string) => void, made: string[]): Loaded {
  const kept = load(files, say);
  if (kept?.cert.ca && kept.cert.checkIssued(kept.cert) && kept.cert.verify(kept.cert.publicKey) && lastsLongEnough(kept.cert)) return kept;
  newKey(files);
  const pem = openssl(['req', '-new', '-x509', '-key', files.key, '-subj', `/CN=${name}`, '-days', String(CA_DAYS), '-extensions', 'ca']);
  return { files, cert: written(files, pem, made) };
}

function leaf(
  files: CertAndKey,
  ca: Loaded,
  profile: 'server' | 'client' | 'internode',
  name: string,
  say: (line: string) => void,
  made: string[],
): void {
  const kept = load(files, say);
  if (kept && kept.cert.checkIssued(ca.cert) && kept.cert.verify(ca.cert.publicKey) && lastsLongEnough(kept.cert)) return;
  newKey(files);
  const csr = openssl(['req', '-new', '-key', files.key, '-subj', `/CN=${name}`]);
  // A random serial: a certificate issued again must not repeat one its CA already used.
  const serial = `0x${crypto.randomBytes(16).toString('hex').replace(/^./, '1')}`;
  const pem = openssl(
    [
      'x509',
      '-req',
      '-CA',
      ca.files.cert,
      '-CAkey',
      ca.files.key,
      '-set_serial',
      serial,
      '-days',
      String(LEAF_DAYS),
      '-extfile',
      OPENSSL_CONFIG,
      '-extensions',
      profile,
    ],
    csr,
  );
  written(files, pem, made);
}

/** The certificate and key when both are there and belong together. */
function load(files: CertAndKey, say: (line: string) => void): Loaded | undefined {
  if (!fs.existsSync(files.cert)) return undefined;
  const key = readSecretFile(files.key, say);
  if (key === undefined) return undefined;
  try {
    const cert = new X509Certificate(fs.readFileSync(files.cert));
    return cert.checkPrivateKey(crypto.createPrivateKey(key)) ? { files, cert } : undefined;
  } catch {
    return undefined;
  }
}

function lastsLongEnough(cert: X509Certificate): boolean {
  return Date.parse(cert.validFrom) <= Date.now() && Date.parse(cert.validTo) - Date.now() > RENEW_BEFORE_MS;
}

/** A new P-256 key, written owner-only from the start (openssl's own -out would follow the umask). */
function newKey(files: CertAndKey): void {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  fs.rmSync(files.key, { force: true });
  fs.rmSync(files.cert, { force: true });
  writeSecretFile(files.key, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
}

function written(files: CertAndKey, pem: string, made: string[]): X509Certificate {
  fs.writeFileSync(files.cert, pem, { mode: 0o600 });
  made.push(path.basename(files.cert));
  return new X509Certificate(pem);
}

function openssl(args: string[], input?: string): string {
  try {
    return execFileSync('openssl', [...args, ...(args[0] === 'x509' ? [] : ['-config', OPENSSL_CONFIG])], {
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(
        'The cluster makes its TLS certificates with the openssl command, which is missing (Debian: apt-get install openssl)',
        {
          cause: err,
        },
      );
    }
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}
