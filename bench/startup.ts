/**
 * `npm run bench:startup`: `npm start` as a user runs it, on free ports and a fresh temporary
 * SILVER_DATA_DIR. For a first start (empty data dir) and a second one on the same data dir:
 * time until GET /readyz answers 200, resident memory of the whole process tree (npm, tsx, node,
 * the embedded Temporal server, ...) at ready and after some idle seconds, then the time from
 * SIGTERM (sent to the npm process, as a process manager would) until every process has exited.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { alive, freePorts, printJson, printTable, processTree, ROOT, round, run, sleep, tempDir, treeRss } from './support';

const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 5000);

interface StartFigures {
  start: string;
  readySeconds: number;
  rssAtReadyMb: number;
  rssIdleMb: number;
  /** The tree's proportional set size: shared pages counted once (bench/support.ts, treeRss). */
  pssIdleMb: number;
  processes: number;
  rssByProcess: Record<string, number>;
  stopSeconds: number;
  /** How npm itself ended: it re-raises the signal its script died of. */
  npmExit: string;
  stoppedCleanly: boolean;
  leftovers: number;
}

async function startAndStop(label: string, dataDir: string, ports: number[], logFile: string): Promise<StartFigures> {
  const [port, temporalPort, uiPort] = ports;
  const out = fs.openSync(logFile, 'a');
  fs.writeSync(out, `\n===== ${label} start =====\n`);
  const t0 = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      SILVER_DATA_DIR: dataDir,
      SILVER_TEMPORAL_PORT: String(temporalPort),
      SILVER_TEMPORAL_UI_PORT: String(uiPort),
      // Never an outside database or cluster, whatever the caller's environment says.
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
    },
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  const pid = child.pid!;
  let npmExit: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      npmExit = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    }),
  );
  // Whatever happens, leave no process of ours behind.
  let seen = new Set<number>();
  const killAll = () => {
    for (const p of seen) if (alive(p)) process.kill(p, 'SIGKILL');
  };

  try {
    let readySeconds = NaN;
    for (;;) {
      if (npmExit !== undefined) throw new Error(`npm start exited (${npmExit}) before it was ready; see ${logFile}`);
      if (performance.now() - t0 > READY_TIMEOUT_MS) throw new Error(`not ready within ${READY_TIMEOUT_MS / 1000} s; see ${logFile}`);
      seen = new Set([...seen, ...processTree(pid).map((p) => p.pid)]);
      const status = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) {
        readySeconds = round((performance.now() - t0) / 1000, 2);
        break;
      }
      await sleep(50);
    }
    const atReady = treeRss(pid);
    await sleep(IDLE_MS);
    const idle = treeRss(pid);
    seen = new Set([...seen, ...idle.pids]);

    const t1 = performance.now();
    // To the process group npm leads, as Ctrl-C or a process manager stopping a service does.
    // (SIGTERM to the npm process alone leaves the system running: see the report.)
    process.kill(-pid, 'SIGTERM');
    const deadline = t1 + STOP_TIMEOUT_MS;
    const tree = [...seen];
    while ((npmExit === undefined || tree.some(alive)) && performance.now() < deadline) await sleep(20);
    const stopSeconds = round((performance.now() - t1) / 1000, 2);
    const leftovers = tree.filter(alive).length;
    await Promise.race([exited, sleep(1000)]);
    const log = fs.readFileSync(logFile, 'utf8');
    const section = log.slice(log.lastIndexOf(`===== ${label} start =====`));
    return {
      start: label,
      readySeconds,
      rssAtReadyMb: atReady.totalMb,
      rssIdleMb: idle.totalMb,
      pssIdleMb: idle.pssMb,
      processes: idle.pids.length,
      rssByProcess: idle.byName,
      stopSeconds: npmExit === undefined || leftovers > 0 ? NaN : stopSeconds,
      npmExit: npmExit ?? 'still running',
      stoppedCleanly: section.includes('stopped cleanly'),
      leftovers,
    };
  } finally {
    seen = new Set([...seen, ...processTree(pid).map((p) => p.pid)]);
    killAll();
  }
}

async function main() {
  const dataDir = tempDir('startup');
  const logFile = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.log`);
  const ports = await freePorts(3);
  console.error(`npm start on ports ${ports.join(', ')}, data in ${dataDir}, output in ${logFile}`);
  const results: StartFigures[] = [];
  try {
    results.push(await startAndStop('first (fresh data dir)', dataDir, ports, logFile));
    results.push(await startAndStop('second (same data dir)', dataDir, ports, logFile));
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  printTable(
    `npm start: ready = GET /readyz 200; RSS = sum over the process tree; PSS = the same with shared pages counted once; stop = SIGTERM to npm's process group until every process exited; clean = "stopped cleanly" logged`,
    [
      ...results.map((r) => ({
        start: r.start,
        'ready (s)': r.readySeconds,
        'RSS at ready (MiB)': r.rssAtReadyMb,
        [`RSS idle +${IDLE_MS / 1000}s (MiB)`]: r.rssIdleMb,
        [`PSS idle +${IDLE_MS / 1000}s (MiB)`]: r.pssIdleMb,
        processes: r.processes,
        'stop (s)': r.stopSeconds,
        'npm exit': r.npmExit,
        'clean stop': r.stoppedCleanly && r.leftovers === 0 ? 'yes' : `NO (${r.leftovers} left)`,
      })),
    ],
  );
  printTable(
    'RSS by process (MiB, idle)',
    [...new Set(results.flatMap((r) => Object.keys(r.rssByProcess)))].map((name) => ({
      process: name,
      ...Object.fromEntries(results.map((r) => [r.start, r.rssByProcess[name] ?? NaN])),
    })),
  );
  printJson('startup', { idleMs: IDLE_MS, starts: results });
  if (results.every((r) => r.stoppedCleanly && r.leftovers === 0)) fs.rmSync(logFile, { force: true });
  else console.error(`a stop was not clean: output kept in ${logFile}`);
}

run(main);
