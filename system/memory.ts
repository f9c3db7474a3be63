/**
 * Handing back memory the process holds but no longer uses.
 *
 * Start-up is the heaviest moment of a quiet system: V8 compiles PGlite's WebAssembly (its
 * compilers peak at some 600 MB of malloc'd memory), the Temporal SDK and the workflow bundle load,
 * the database is opened and checked. All of that is freed, but neither V8 nor glibc gives it back
 * to the system on its own: V8 keeps its young generation as large as start-up grew it, and glibc
 * keeps freed pages inside its arenas (it only gives back what is free at the top of each).
 * Measured on a later `npm start`, 5 s after ready: node held 445-460 MiB; 369-383 after a
 * last-resort collection; 302-312 after glibc's `malloc_trim` as well.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Logger } from 'pino';

/** How often freed malloc pages are handed back while the system runs: load leaves them too. */
const TRIM_EVERY_MS = 5 * 60_000;

type MallocTrim = (pad: number) => number;
/** The part of koffi (a C function interface) used here: its package is ES-module-typed only. */
interface Koffi {
  load(path: string): { func(signature: string): MallocTrim };
}
let mallocTrim: MallocTrim | null | undefined;

/** glibc's `malloc_trim`, or null where there is none (another C library, another system). */
function loadMallocTrim(): MallocTrim | null {
  if (mallocTrim !== undefined) return mallocTrim;
  mallocTrim = null;
  if (process.platform !== 'linux') return mallocTrim;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const koffi = require('koffi') as Koffi;
    mallocTrim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)');
  } catch {
    // Another C library (musl has no malloc_trim): freed pages then stay with the process.
  }
  return mallocTrim;
}

/**
 * A full collection that also shrinks the young generation, as V8 runs when memory is short.
 * `gc` is taken from a fresh context so that no global changes, and the flag is put back so that
 * contexts made later (the workflow sandbox among them) get no `gc` either. Blocks for about 130 ms.
 */
function collectAllGarbage(): void {
  const exposed = typeof (globalThis as { gc?: unknown }).gc === 'function'; // node --expose-gc: left as it was
  v8.setFlagsFromString('--expose-gc');
  try {
    const gc = vm.runInNewContext('gc') as (options: object) => void;
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } finally {
    if (!exposed) v8.setFlagsFromString('--no-expose-gc');
  }
}

function rssMiB(): number {
  return Math.round(process.memoryUsage.rss() / 1048576);
}

/**
 * Once the system is ready: collect start-up's garbage and hand the freed pages back, then keep
 * handing back what load frees, every few minutes (a trim takes some 10 ms).
 * Returns the stop for the periodic trim.
 */
export function releaseStartupMemory(log: Logger): () => void {
  const before = rssMiB();
  let trim: MallocTrim | null;
  try {
    collectAllGarbage();
    trim = loadMallocTrim();
    trim?.(0);
  } catch (err) {
    // Memory kept is no reason to stop a system that started.
    log.warn({ err }, 'could not release start-up memory');
    return () => undefined;
  }
  log.info({ rssMiB: rssMiB(), beforeMiB: before, mallocTrim: trim !== null }, 'start-up memory released');
  if (!trim) return () => undefined;
  const timer = setInterval(() => trim(0), TRIM_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
