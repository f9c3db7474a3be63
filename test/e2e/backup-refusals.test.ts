/**
 * What `npm run backup` and `npm run restore` refuse, each with one sentence and exit code 1, and
 * without leaving anything half written: no system running, a file already there, a file that is
 * not a backup, a data dir that is not empty. The system side is the real one (serveBackups on a
 * PGlite database and a SQLite file), without the rest of `npm start`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openDatabase, type Database } from '../../prisma/database';
import { serveBackups, sqlite } from '../../system/backup';
import { npmRunBackup } from '../support/system';

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'silver-backup-refusals-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a backup with no system running says so and writes nothing', async () => {
  const dataDir = path.join(dir, 'stopped');
  fs.mkdirSync(dataDir);
  const file = path.join(dir, 'none.tar.gz');
  const res = await npmRunBackup('backup', file, dataDir);
  expect(res).toEqual({ code: 1, out: expect.stringMatching(/^Backup failed: No system is running on .*stopped .*can be copied whole/) });
  expect(fs.existsSync(file)).toBe(false);
});

test('a file that is not a backup is refused, and no data dir is left behind', async () => {
  const file = path.join(dir, 'notes.txt');
  fs.writeFileSync(file, 'not an archive at all\n');
  const dataDir = path.join(dir, 'from-garbage');
  const res = await npmRunBackup('restore', file, dataDir);
  expect(res).toEqual({ code: 1, out: expect.stringMatching(/^Restore failed: .*notes\.txt is not a backup/) });
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('from-garbage'))).toEqual([]);
});

describe('with a system serving backups', () => {
  let db: Database;
  let stopServing: () => Promise<void>;
  const dataDir = () => path.join(dir, 'running');

  beforeAll(async () => {
    fs.mkdirSync(dataDir(), { mode: 0o700 });
    fs.writeFileSync(path.join(dataDir(), 'payload-keys'), 'k1:secret\n', { mode: 0o600 });
    db = await openDatabase({ memory: true });
    await db.prisma.$executeRawUnsafe('CREATE TABLE "_prisma_migrations" (id text)');
    await db.prisma.$executeRawUnsafe(`INSERT INTO "_prisma_migrations" VALUES ('one')`);
    fs.mkdirSync(path.join(dataDir(), 'temporal'));
    const temporalDb = path.join(dataDir(), 'temporal', 'temporal.sqlite');
    const live = new (sqlite().DatabaseSync)(temporalDb);
    live.exec("CREATE TABLE executions (id TEXT); INSERT INTO executions VALUES ('wf-1')");
    live.close();
    // What a process killed in the middle of a backup left behind.
    fs.mkdirSync(path.join(dataDir(), '.backup-left'));
    fs.writeFileSync(path.join(dataDir(), '.backup-left', 'pglite.tar'), 'half');
    stopServing = await serveBackups({ dataDir: dataDir(), db, temporalDb, settle: async () => undefined, log: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await stopServing?.();
    await db?.close();
  });

  test('a backup never replaces a file, and one restored lands in an empty folder only', async () => {
    expect(fs.existsSync(path.join(dataDir(), '.backup-left'))).toBe(false);
    const taken = path.join(dir, 'taken.tar.gz');
    expect((await npmRunBackup('backup', taken, dataDir())).code).toBe(0);
    expect(fs.statSync(taken).mode & 0o777).toBe(0o600);

    const again = await npmRunBackup('backup', taken, dataDir());
    expect(again).toEqual({
      code: 1,
      out: expect.stringMatching(/^Backup failed: .*taken\.tar\.gz exists already: a backup never replaces a file/),
    });

    const occupied = path.join(dir, 'occupied');
    fs.mkdirSync(occupied);
    fs.writeFileSync(path.join(occupied, 'admin-key'), 'kept\n');
    const refused = await npmRunBackup('restore', taken, occupied);
    expect(refused).toEqual({ code: 1, out: expect.stringMatching(/^Restore failed: .*occupied is not empty/) });
    expect(fs.readdirSync(occupied)).toEqual(['admin-key']);

    // An empty folder is taken, and filled with the copy.
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    expect((await npmRunBackup('restore', taken, empty)).code).toBe(0);
    expect(fs.readdirSync(empty).sort()).toEqual(['payload-keys', 'pglite', 'temporal']);
    expect(fs.readFileSync(path.join(empty, 'payload-keys'), 'utf8')).toBe('k1:secret\n');
    const copy = new (sqlite().DatabaseSync)(path.join(empty, 'temporal', 'temporal.sqlite'));
    expect(copy.prepare('SELECT id FROM executions').all()).toEqual([{ id: 'wf-1' }]);
    copy.close();
    const restored = await openDatabase({ pgliteDir: path.join(empty, 'pglite') });
    expect(await restored.prisma.$queryRawUnsafe('SELECT id FROM "_prisma_migrations"')).toEqual([{ id: 'one' }]);
    await restored.close();
  });
});
