/**
 * The data dir holds the embedded database, the embedded Temporal server's files, the keys and the
 * logs: all of it readable by its owner only, whatever the folder and its files were when the
 * system was started on it.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Group and other permission bits: none of them on anything in the data dir. */
const GROUP_AND_OTHER = 0o077;

export interface Tightened {
  /** Paths that were open to group or others and are now owner-only. */
  tightened: string[];
  /** Paths that could not be changed (another owner's), with the reason. */
  refused: string[];
}

/**
 * Takes group and other permissions off `dir` and everything under it. Symbolic links are left as
 * they are and never followed: what they point to is not the system's to change.
 */
export function makeOwnerOnly(dir: string): Tightened {
  const result: Tightened = { tightened: [], refused: [] };
  const tighten = (at: string, stat: fs.Stats) => {
    const mode = stat.mode & 0o777;
    if (!(mode & GROUP_AND_OTHER)) return;
    try {
      fs.chmodSync(at, mode & 0o700);
      result.tightened.push(at);
    } catch (err) {
      if (!gone(err)) result.refused.push(`${at} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  tighten(dir, fs.statSync(dir));
  const pending = [dir];
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    for (const entry of entriesOf(folder)) {
      if (entry.isSymbolicLink()) continue;
      const at = path.join(folder, entry.name);
      const stat = statOf(at);
      if (!stat) continue;
      tighten(at, stat);
      if (stat.isDirectory()) pending.push(at);
    }
  }
  return result;
}

/** A server still running from an earlier start (stopped later in this one) may remove its files as they are walked. */
const gone = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

function entriesOf(folder: string): fs.Dirent[] {
  try {
    return fs.readdirSync(folder, { withFileTypes: true });
  } catch (err) {
    if (gone(err)) return [];
    throw err;
  }
}

function statOf(at: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(at);
  } catch (err) {
    if (gone(err)) return undefined;
    throw err;
  }
}

/**
 * Prepares the data dir at every start: from here on this process and the servers it starts create
 * their files owner-only (umask 077), and the folder, made if missing, is owner-only with all it
 * already holds, be it left by an older version or opened up by hand. The umask is the process's
 * own because the embedded servers keep writing new files for as long as they run.
 */
export function prepareDataDir(dir: string, warn: (msg: string) => void): void {
  process.umask(GROUP_AND_OTHER);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  reportTightened(dir, makeOwnerOnly(dir), warn);
}

function reportTightened(dir: string, { tightened, refused }: Tightened, warn: (msg: string) => void): void {
  if (tightened.length) {
    const some = tightened
      .map((at) => path.relative(dir, at) || '.')
      .sort()
      .slice(0, 5);
    warn(
      `${tightened.length} paths in the data dir ${dir} were open to others (${some.join(', ')}${tightened.length > some.length ? ', ...' : ''}); ` +
        'they are now readable by their owner only',
    );
  }
  if (refused.length)
    warn(`${refused.length} paths in the data dir ${dir} are open to others and could not be changed: ${refused.slice(0, 5).join(', ')}`);
}
