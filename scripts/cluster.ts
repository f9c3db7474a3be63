/**
 * `npm run cluster`: the system as a cluster runs it, on this machine (system/cluster.ts): a real
 * Temporal server on PostgreSQL behind mutual TLS, N API and M worker processes, until Ctrl-C stops
 * all of it.
 *
 *   npm run cluster -- --postgres postgresql://postgres:secret@127.0.0.1:5432/postgres [--apis 2] [--workers 2]
 *        [--api-port 3000] [--temporal-port 7233] [--name silver] [--data-dir data/cluster]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster } from '../system/cluster';
import { MAX_FRONTEND_PORT } from '../temporal/cluster-server';

const USAGE =
  'usage: npm run cluster -- --postgres postgresql://USER:PASSWORD@HOST:PORT/postgres [--apis 2] [--workers 2] ' +
  '[--api-port 3000] [--temporal-port 7233] [--name silver] [--data-dir data/cluster]';

function count(value: string, what: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${what} must be a whole number from ${min} to ${max}\n${USAGE}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      postgres: { type: 'string', default: process.env.CLUSTER_POSTGRES_URL },
      apis: { type: 'string', default: '2' },
      workers: { type: 'string', default: '2' },
      'api-port': { type: 'string', default: '3000' },
      'temporal-port': { type: 'string', default: '7233' },
      name: { type: 'string', default: 'silver' },
      'data-dir': { type: 'string', default: path.join('data', 'cluster') },
    },
  });
  if (!values.postgres || !/^postgres(ql)?:\/\//.test(values.postgres))
    throw new Error(`--postgres (a PostgreSQL server URL) is needed\n${USAGE}`);
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(values.name)) throw new Error('--name must be lower-case letters, digits and _');
  const cluster = await startCluster({
    postgresUrl: values.postgres,
    name: values.name,
    apis: count(values.apis, 'apis', 1, 20),
    workers: count(values.workers, 'workers', 1, 20),
    apiPort: count(values['api-port'], 'api-port', 1, 65535),
    temporalPort: count(values['temporal-port'], 'temporal-port', 1, MAX_FRONTEND_PORT),
    dataDir: path.resolve(values['data-dir']),
  });
  const dataDir = path.resolve(values['data-dir']);
  console.log('');
  console.log('Silver Notice cluster is running');
  for (const url of cluster.apiUrls) console.log(`  API              ${url}   (ready: ${url}/readyz)`);
  console.log(`  Workers          ${cluster.workers.length}`);
  console.log(`  Temporal server  ${cluster.temporalAddress} (PostgreSQL: ${values.name}_temporal, ${values.name}_temporal_visibility)`);
  const { tls } = cluster;
  console.log(`  Mutual TLS       certificates in ${tls.dir}; the temporal CLI needs the client one:`);
  console.log(
    `                   temporal operator namespace describe -n default --address ${cluster.temporalAddress} ` +
      `--tls-cert-path ${tls.client.cert} --tls-key-path ${tls.client.key} --tls-ca-path ${tls.ca.cert} --tls-server-name ${tls.serverName}`,
  );
  console.log(`  Database         ${values.name}`);
  console.log(`  Admin key        kept in ${path.join(dataDir, 'admin-key')}`);
  console.log(`  Logs             ${path.join(dataDir, 'logs')}`);
  console.log('  Ctrl-C stops all of it.');
  console.log('');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the APIs, then the workers, then the Temporal server ...`);
    cluster.stop().then(
      () => {
        console.log('Stopped cleanly.');
        process.exit(0);
      },
      (err) => {
        console.error(`Unclean stop: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  console.error(`\nThe cluster could not start: ${(err as Error).message}\n`);
  process.exit(1);
});
