/**
 * Backups of the embedded system (`npm start` on PGlite and the Temporal dev server): one archive
 * with the database, Temporal's state and the keys of the data dir, taken while the system runs.
 *
 * Neither copy can be taken from outside the running process: PGlite lives in it and never
 * fsyncs, and the dev server owns its SQLite file. So the running system serves one operation,
 * POST /backup, on a Unix socket in the data dir (reachable by the data dir's owner only, as the
 * folder is 0700), and `npm run backup` asks it there. The process holds every database statement
 * back, dumps PGlite's files, lets the workflow tasks under way reach Temporal, copies Temporal's
 * SQLite with `VACUUM INTO` (SQLite's own locking makes that a consistent read of a live file),
 * then lets statements go on. With no record write between the two copies, nothing the workflows'
 * history says was written can be missing from the record. The record can be ahead, by steps
 * whose workflow task Temporal had not yet taken: an activity's step runs again on the restored
 * system and finds its own write (idempotent by action id); a person's action caught so is the
 * case the README names.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import * as tar from 'tar';
import type { Database } from '../prisma/database';
import { makeOwnerOnly } from './data-dir';

/** The socket, in the data dir, on which the running embedded system takes backups. */
export const CONTROL_SOCKET = 'control.sock';

const FORMAT = 'silver-notice-backup/1';
const MANIFEST = 'manifest.json';
const DATABASE_TAR = 'pglite.tar';
const TEMPORAL_DB = 'temporal.sqlite';
const KEYS = 'keys';
/** Where, in the data dir, a backup is put together before it is sent. */
const STAGING = '.backup-';

interface Manifest {
  format: string;
  takenAt: string;
  /** How long database statements were held back. */
  pausedMs: number;
  /** The files of the data dir's top level (admin key, payload keys...), kept under keys/. */
  keys: string[];
}

export class BackupError extends Error {}

/**
 * Serves POST /backup on the data dir's control socket; the returned function stops serving, once
 * a backup in progress is sent.
 */
export async function serveBackups(o: BackupSources & { log: Logger }): Promise<() => Promise<void>> {
  const socket = path.join(o.dataDir, CONTROL_SOCKET);
  let busy = false;
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/backup') {
      res.writeHead(404).end('POST /backup is the one operation here\n');
      return;
    }
    if (busy) {
      res.writeHead(409).end('A backup is being taken already; try again when it is done\n');
      return;
    }
    busy = true;
    let staged: string | undefined;
    stage(o)
      .then(async ({ dir, manifest }) => {
        staged = dir;
        o.log.info({ pausedMs: manifest.pausedMs }, 'backup taken; sending it');
        res.writeHead(200, { 'content-type': 'application/x-tar', 'x-silver-paused-ms': String(manifest.pausedMs) });
        await pipeline(tar.create({ cwd: dir, portable: true, gzip: true }, [MANIFEST, DATABASE_TAR, TEMPORAL_DB, KEYS]), res);
      })
      .catch((err: Error) => {
        o.log.error({ err }, 'backup failed');
        if (res.headersSent) res.destroy(err);
        else res.writeHead(500).end(`${err.message}\n`);
      })
      .finally(() => {
        if (staged) fs.rmSync(staged, { recursive: true, force: true });
        busy = false;
      });
  });
  // A socket file and copies left by a process killed outright: the first would refuse the listen.
  fs.rmSync(socket, { force: true });
  for (const left of fs.readdirSync(o.dataDir).filter((f) => f.startsWith(STAGING))) {
    fs.rmSync(path.join(o.dataDir, left), { recursive: true, force: true });
  }
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socket, () => resolve());
    });
  } catch (err) {
    o.log.warn({ err, socket }, 'backups cannot be taken while this runs: the control socket could not be opened');
    return async () => undefined;
  }
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
}

interface BackupSources {
  dataDir: string;
  db: Database;
  temporalDb: string;
  /** Waits, with statements held, for the workflow tasks under way to reach Temporal. */
  settle(): Promise<void>;
}

/** Copies the database, Temporal's state and the keys into a new folder in the data dir. */
async function stage(o: BackupSources): Promise<{ dir: string; manifest: Manifest }> {
  if (!o.db.snapshot) throw new BackupError('The database is not the embedded one: back up the PostgreSQL server instead');
  const dir = fs.mkdtempSync(path.join(o.dataDir, STAGING));
  try {
    const queued = performance.now();
    await o.db.snapshot(async (files) => {
      fs.writeFileSync(path.join(dir, DATABASE_TAR), Buffer.from(await files.arrayBuffer()));
      await o.settle();
      copySqlite(o.temporalDb, path.join(dir, TEMPORAL_DB));
    });
    const pausedMs = Math.round(performance.now() - queued);
    fs.mkdirSync(path.join(dir, KEYS));
    const keys = fs
      .readdirSync(o.dataDir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
    for (const name of keys) fs.copyFileSync(path.join(o.dataDir, name), path.join(dir, KEYS, name));
    const manifest: Manifest = { format: FORMAT, takenAt: new Date().toISOString(), pausedMs, keys };
    fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
    return { dir, manifest };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A workflow task that took a step's result (its record write made before the hold) reaches
 * Temporal within milliseconds, but not while PGlite's dump keeps this process's event loop busy.
 * Settled: the worker has had no workflow task in hand for `quietMs` (workflow code does no I/O,
 * so none waits on the held database; steps that do wait are not yet written). Bounded, because a
 * busy worker may never be quiet: the copy is then taken anyway, with what README calls the record
 * ahead of a history.
 */
export function workflowTasksSettled(worker: Pick<Worker, 'getStatus'>, { quietMs = 150, maxMs = 3000, everyMs = 25 } = {}) {
  return async (): Promise<void> => {
    const until = Date.now() + maxMs;
    let quietSince = Date.now();
    while (Date.now() < until && Date.now() - quietSince < quietMs) {
      await new Promise((r) => setTimeout(r, everyMs));
      if (worker.getStatus().numInFlightWorkflowActivations > 0) quietSince = Date.now();
    }
  };
}

interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): { all(): unknown[] };
  close(): void;
}

interface SqliteModule {
  DatabaseSync: new (file: string, options?: { timeout?: number; enableDoubleQuotedStringLiterals?: boolean }) => SqliteDatabase;
}

/** node:sqlite, loaded when needed: Node.js 20, which still runs the rest of the system, has none. */
export function sqlite(): SqliteModule {
  const loaded = (process as unknown as { getBuiltinModule?(id: string): unknown }).getBuiltinModule?.('node:sqlite');
  if (!loaded) throw new BackupError('Backups need Node.js 22.5 or later (node:sqlite)');
  return loaded as SqliteModule;
}

/**
 * SQLite's online copy: `VACUUM INTO` reads the live database in one read transaction, under the
 * same file locks the Temporal server writes with, and writes a compact, consistent file.
 */
function copySqlite(from: string, to: string): void {
  // Temporal's schema writes JSON paths in double quotes, which SQLite reads as strings only with
  // this legacy switch on (the server's SQLite has it; node's is built without) and VACUUM INTO
  // parses the schema again. The timeout waits out the server's writes rather than failing on them.
  const db = new (sqlite().DatabaseSync)(from, { timeout: 30_000, enableDoubleQuotedStringLiterals: true });
  try {
    db.exec(`VACUUM INTO '${to.replace(/'/g, "''")}'`);
  } finally {
    db.close();
  }
}

/** Asks the system running on `dataDir` for a backup and writes it to `file` (mode 0600; never over another file). */
export async function requestBackup(dataDir: string, file: string): Promise<{ bytes: number; pausedMs: number }> {
  const socket = path.join(dataDir, CONTROL_SOCKET);
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request({ socketPath: socket, method: 'POST', path: '/backup' }, resolve);
    req.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        ['ENOENT', 'ECONNREFUSED'].includes(err.code ?? '')
          ? new BackupError(
              `No system is running on ${dataDir} (nothing answers at ${socket}). A backup is taken by the running "npm start"; ` +
                'the data dir of a stopped system is consistent as it is and can be copied whole.',
            )
          : err,
      ),
    );
    req.end();
  });
  if (res.statusCode !== 200) {
    let text = '';
    for await (const chunk of res) text += String(chunk);
    throw new BackupError(`The running system could not take the backup: ${text.trim() || `status ${res.statusCode}`}`);
  }
  let out: fs.WriteStream;
  try {
    out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
    await new Promise((resolve, reject) => out.once('open', resolve).once('error', reject));
  } catch (err) {
    res.destroy();
    const code = (err as NodeJS.ErrnoException).code;
    throw new BackupError(code === 'EEXIST' ? `${file} exists already: a backup never replaces a file` : `Cannot write ${file}: ${code}`);
  }
  try {
    await pipeline(res, out);
  } catch (err) {
    fs.rmSync(file, { force: true });
    throw new BackupError(`The backup was cut off (${(err as Error).message}); nothing was kept`);
  }
  fs.chmodSync(file, 0o600);
  return { bytes: fs.statSync(file).size, pausedMs: Number(res.headers['x-silver-paused-ms']) };
}

export class RestoreError extends Error {}

/**
 * Rebuilds a data dir from a backup: built beside it and moved into place whole, so a restore cut
 * short leaves no half data dir that `npm start` would take for a real one.
 */
export async function restoreBackup(file: string, dataDir: string): Promise<Manifest> {
  if (fs.existsSync(dataDir) && (!fs.statSync(dataDir).isDirectory() || fs.readdirSync(dataDir).length)) {
    throw new RestoreError(
      `${dataDir} is not empty: a backup is restored into an empty or new data dir only, never over one. ` +
        'Set SILVER_DATA_DIR to a new folder, or move this one away first.',
    );
  }
  if (!fs.existsSync(file)) throw new RestoreError(`There is no backup at ${file}`);
  process.umask(0o077);
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const building = fs.mkdtempSync(`${dataDir}.restoring-`);
  try {
    const unpacked = path.join(building, '.unpacked');
    fs.mkdirSync(unpacked);
    try {
      await tar.extract({ file, cwd: unpacked, strict: true });
    } catch (err) {
      throw new RestoreError(`${file} is not a backup (${(err as Error).message})`);
    }
    const manifest = readManifest(path.join(unpacked, MANIFEST), file);
    for (const name of manifest.keys)
      fs.copyFileSync(path.join(unpacked, KEYS, path.basename(name)), path.join(building, path.basename(name)));
    fs.mkdirSync(path.join(building, 'temporal'));
    fs.copyFileSync(path.join(unpacked, TEMPORAL_DB), path.join(building, 'temporal', 'temporal.sqlite'));
    // PGlite unpacks its own dump and opens it: a damaged one is found now, not at the next start.
    const pglite = await PGlite.create(path.join(building, 'pglite'), {
      loadDataDir: new Blob([fs.readFileSync(path.join(unpacked, DATABASE_TAR))]),
    });
    await pglite.query('SELECT count(*) FROM "_prisma_migrations"');
    await pglite.close();
    fs.rmSync(unpacked, { recursive: true, force: true });
    makeOwnerOnly(building);
    if (fs.existsSync(dataDir)) fs.rmdirSync(dataDir);
    fs.renameSync(building, dataDir);
    return manifest;
  } catch (err) {
    fs.rmSync(building, { recursive: true, force: true });
    throw err;
  }
}

function readManifest(at: string, file: string): Manifest {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(at, 'utf8')) as Manifest;
  } catch {
    throw new RestoreError(`${file} is not a backup of this system (no ${MANIFEST})`);
  }
  if (manifest.format !== FORMAT) throw new RestoreError(`${file} is a backup in format ${manifest.format}; this version reads ${FORMAT}`);
  return manifest;
}
