/**
 * Shared pieces of the benchmarks: a bounded request pool, percentiles, free ports, process-tree
 * memory, HTTP and the table / JSON output. (The in-process system is in bench/system.ts.)
 *
 * Every benchmark is bounded in count and talks to 127.0.0.1 only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, freshIban, sampleRequest } from '../test/support/system';

export { freePort, sampleRequest };

export const ROOT = path.resolve(__dirname, '..');

// --- numbers

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const median = (values: number[]) => percentile(values, 50);

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function ratio(a: number, b: number): number {
  return b === 0 ? NaN : round(a / b, 2);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `count` tasks with at most `concurrency` in flight; each task's latency in ms, and the wall
 * time of the whole run.
 */
export async function runPool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<{ results: T[]; latencies: number[]; elapsedMs: number }> {
  const results: T[] = new Array(count);
  const latencies: number[] = new Array(count);
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const t0 = performance.now();
      results[i] = await task(i);
      latencies[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { results, latencies, elapsedMs: performance.now() - started };
}

/** Polls until `check` holds, failing after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// --- output

export type Row = Record<string, string | number>;

export function printTable(title: string, rows: Row[]): void {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | undefined) => (v === undefined ? '' : typeof v === 'number' ? (Number.isNaN(v) ? '-' : String(v)) : v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(columns.map((c) => cell(r[c]))));
}

/** One machine-readable line per benchmark run. */
export function printJson(bench: string, figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench, at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, ...figures }));
}

// --- ports and processes

/** Distinct free ports (each probed then released; good enough on a quiet machine). */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

interface ProcInfo {
  pid: number;
  ppid: number;
  name: string;
  rssKb: number;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (k: string) => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '';
    let name = field('Name');
    if (name === 'node') {
      // Which node: the tsx launcher or the script it runs.
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      name = args.some((a) => a.endsWith('/.bin/tsx')) ? 'node (tsx launcher)' : `node ${args[args.length - 1] ?? ''}`;
    }
    return { pid, ppid: Number(field('PPid')), name, rssKb: parseInt(field('VmRSS') || '0', 10) };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The process and all its descendants (through /proc parent links). */
export function processTree(rootPid: number): ProcInfo[] {
  const all = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is ProcInfo => p !== undefined);
  const children = new Map<number, ProcInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const root = all.find((p) => p.pid === rootPid);
  if (!root) return [];
  const out: ProcInfo[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/**
 * Resident memory of a process tree in MiB, in total and by process name. RSS counts a page shared
 * by several processes in each of them (npm and the system are both node, and share its binary's
 * pages); PSS gives each process its share, so the tree's PSS is the memory it really takes.
 */
export function treeRss(rootPid: number): { totalMb: number; pssMb: number; byName: Record<string, number>; pids: number[] } {
  const tree = processTree(rootPid);
  const byName: Record<string, number> = {};
  for (const p of tree) byName[p.name] = round((byName[p.name] ?? 0) + p.rssKb / 1024);
  const pssKb = tree.reduce((sum, p) => sum + proportionalKb(p.pid), 0);
  return { totalMb: round(tree.reduce((s, p) => s + p.rssKb, 0) / 1024), pssMb: round(pssKb / 1024), byName, pids: tree.map((p) => p.pid) };
}

function proportionalKb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return 0; // gone since the tree was read
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return fs.existsSync(`/proc/${pid}`) && !/^State:\s*Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `silver-bench-${prefix}-`));
}

// --- HTTP

const REQUEST_TIMEOUT_MS = 60_000;

export interface Answer {
  status: number;
  body: any;
}

export function client(baseUrl: string) {
  return async function call(method: string, urlPath: string, key?: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${urlPath}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // A request that hangs fails the benchmark instead of stalling it.
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** Fails the benchmark loudly on an unexpected answer rather than timing errors. */
export function expectStatus(a: Answer, status: number, what: string): Answer {
  if (a.status !== status) throw new Error(`${what}: expected ${status}, got ${a.status} ${JSON.stringify(a.body).slice(0, 500)}`);
  return a;
}

/** A DIFFUSION (or NOTICE) request whose subject is unique, so screening raises no duplicate flag. */
export function uniqueRequest(tag: string, overrides: Record<string, unknown> = {}): Record<string, any> {
  const body = sampleRequest(overrides);
  body.subject = { ...body.subject, familyName: `BENCH${tag}${crypto.randomBytes(6).toString('hex').toUpperCase()}` };
  // An account of its own: one IBAN shared by every request would link each new request to all
  // the others, and measure that instead.
  if (!('assetsSought' in overrides)) {
    body.assetsSought = body.assetsSought.map((a: Record<string, any>) => ({
      ...a,
      identifiers: { iban: freshIban() },
    }));
  }
  return body;
}

/** A final NO_ASSETS_FOUND answer from a recipient. */
export const finalResponse = { outcome: 'NO_ASSETS_FOUND', final: true } as const;

/** Runs `main`, prints a failure and sets the exit code; always exits (open handles cannot hang it). */
export function run(main: () => Promise<void>): void {
  const started = Date.now();
  main().then(
    () => {
      console.error(`(done in ${round((Date.now() - started) / 1000)} s)`);
      process.exit(0);
    },
    (err) => {
      console.error('benchmark failed:', err);
      process.exit(1);
    },
  );
}
