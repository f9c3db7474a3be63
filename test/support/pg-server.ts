/**
 * A PostgreSQL server of our own, in a temporary folder on a port of its own, for tests that stop
 * and start the database: the shared server on 5432 serves other test runs at the same time and is
 * never stopped. Needs the PostgreSQL server binaries (Debian's `postgresql` package); as root, the
 * server runs as the `postgres` user, since PostgreSQL refuses to run as root.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface PgServer {
  /** postgresql://postgres@127.0.0.1:PORT/postgres (trust authentication, loopback only). */
  url: string;
  port: number;
  /** Stops it (fast shutdown: open sessions are ended, as in an outage). */
  stop(): Promise<void>;
  start(): Promise<void>;
  running(): boolean;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

/** The folder of PostgreSQL's server binaries (initdb, pg_ctl), the newest installed. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv) return fromEnv;
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const versions = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], 'bin') : undefined;
}

export async function createPgServer(port: number, settings: Record<string, string> = {}): Promise<PgServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found (install Debian package "postgresql" or set PG_BIN_DIR)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'silver-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  fs.chmodSync(dir, 0o755);
  const run = async (tool: string, args: string[]) => {
    const [cmd, all] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
    await execFileAsync(cmd, all, { cwd: dir });
  };
  await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  // Durability is not what these tests are about; the outage is.
  const options = Object.entries({ listen_addresses: '127.0.0.1', fsync: 'off', max_connections: '300', ...settings })
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  let up = false;
  const server: PgServer = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await run('pg_ctl', [
        '-D',
        data,
        '-o',
        `-p ${port} -k ${dir} ${options}`,
        '-l',
        path.join(dir, 'server.log'),
        '-w',
        '-t',
        '60',
        'start',
      ]);
      up = true;
    },
    async stop() {
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      up = false;
    },
    running: () => up,
    async destroy() {
      if (up) await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
