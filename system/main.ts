/**
 * Entry point: `npm start` (everything in one process), `npm run api`, `npm run worker`.
 * SIGINT / SIGTERM stop the API first, then drain the worker, then Temporal and the database.
 */
import { spawn } from 'node:child_process';
import { openPreparedDatabase } from '../prisma/migrate';
import { ConfigError, loadConfig } from './config';
import { releaseStartupMemory } from './memory';
import { createLogger, startSystem, StartupError, type Mode } from './runtime';

/** The mode in which this file only makes the embedded database, then exits (see StartOptions). */
const PREPARE_DATABASE = 'prepare-database';

async function prepareDatabase(pgliteDir: string): Promise<void> {
  // Stopped with the start that asked for it, whatever signal that one died of.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && process.exit(1), 500).unref();
  const { db } = await openPreparedDatabase({ pgliteDir });
  await db.close();
}

/** This same program in PREPARE_DATABASE mode, with the same Node options and environment. */
function prepareDatabaseApart(pgliteDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], PREPARE_DATABASE, pgliteDir], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new StartupError(`Making the embedded database failed (${signal ?? `exit code ${code}`}): see above`)),
    );
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === PREPARE_DATABASE) {
    await prepareDatabase(process.argv[3]);
    process.exit(0);
  }
  const mode = (process.argv[2] ?? 'all') as Mode;
  if (!['all', 'api', 'worker'].includes(mode)) throw new ConfigError(`Unknown mode "${mode}": use all, api or worker`);
  const config = loadConfig();
  const log = createLogger(config);
  const system = await startSystem(config, mode, log, undefined, { prepareNewEmbeddedDatabase: prepareDatabaseApart });
  const stopTrimming = releaseStartupMemory(log);

  let stopping = false;
  let stoppingAt = 0;
  const shutdown = (signal: string) => {
    if (stopping) {
      // One Ctrl-C can arrive twice: sent to the whole process group and relayed by npm.
      if (Date.now() - stoppingAt < 2000) return;
      log.warn('second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    stoppingAt = Date.now();
    log.info({ signal }, 'shutting down');
    stopTrimming();
    system.stop().then(
      () => {
        log.info('stopped cleanly');
        process.exit(0);
      },
      (err) => {
        log.error({ err }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // `npm start` killed outright (or its terminal gone) leaves this process orphaned, adopted by
  // another parent: stop cleanly with it rather than hold the ports on our own.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutdown('parent exited');
  }, 1000).unref();
}

main().catch((err: Error) => {
  // Expected start-up problems get their message alone, not a stack trace.
  const known = [
    'ConfigError',
    'StartupError',
    'PortInUseError',
    'DatabaseOpenError',
    'TemporalStartError',
    'SecretFileError',
    'TelemetryError',
  ].includes(err?.constructor?.name);
  console.error(`\nSilver Notice could not start: ${known ? err.message : (err?.stack ?? String(err))}\n`);
  process.exit(1);
});
