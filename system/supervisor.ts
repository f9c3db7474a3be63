/**
 * Keeps one process of a cluster running, as an init system or an orchestrator would: started with
 * its own log file, started again when it exits unexpectedly (after a pause that grows while it
 * keeps failing soon after starting), and stopped with SIGTERM (SIGKILL if it does not stop in time).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface SupervisedSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
  /** A line of its output that says it is up. */
  readyLine: RegExp;
}

export interface Supervised {
  readonly name: string;
  /** The running process's pid (undefined between a death and its restart). */
  pid(): number | undefined;
  /** Times it was started again after exiting on its own or being killed. */
  restarts(): number;
  /** Resolves once the current run printed its ready line (rejects if it exits before within `ms`). */
  ready(ms?: number): Promise<void>;
  /** Sends a signal to the current run (the supervisor starts it again unless it is stopping). */
  kill(signal: NodeJS.Signals): boolean;
  /** Stops it for good. */
  stop(graceMs?: number): Promise<void>;
}

const QUICK_FAILURE_MS = 10_000;
const MAX_PAUSE_MS = 10_000;

export function supervise(spec: SupervisedSpec, say: (line: string) => void): Supervised {
  fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
  const log = fs.createWriteStream(spec.logFile, { flags: 'a' });
  let child: ChildProcess | undefined;
  let readyNow: Promise<void> = Promise.resolve();
  let stopping = false;
  let restarts = 0;
  let pauseMs = 500;

  const run = () => {
    const startedAt = Date.now();
    // A process group of its own: a Ctrl-C in the terminal reaches the supervisor alone, which stops
    // the processes in order. Killed outright, the supervisor leaves orphans that stop themselves.
    const proc = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = proc;
    let seen = '';
    readyNow = new Promise<void>((resolve, reject) => {
      const watch = (chunk: Buffer) => {
        log.write(chunk);
        if (seen !== 'ready') {
          seen = (seen + chunk.toString()).slice(-4096);
          if (spec.readyLine.test(seen)) {
            seen = 'ready';
            resolve();
          }
        }
      };
      proc.stdout!.on('data', watch);
      proc.stderr!.on('data', watch);
      proc.once('exit', (code, signal) => {
        if (seen !== 'ready')
          reject(new Error(`${spec.name} exited before it was ready (${signal ?? `code ${code}`}); see ${spec.logFile}`));
        if (child === proc) child = undefined;
        if (stopping) return;
        // A process that keeps dying at once (its database down, say) is retried less often.
        pauseMs = Date.now() - startedAt < QUICK_FAILURE_MS ? Math.min(pauseMs * 2, MAX_PAUSE_MS) : 500;
        say(`${spec.name} exited (${signal ?? `code ${code}`}); starting it again in ${pauseMs} ms`);
        setTimeout(() => {
          if (stopping) return;
          restarts++;
          run();
        }, pauseMs);
      });
    });
    readyNow.catch(() => undefined);
  };
  run();

  return {
    name: spec.name,
    pid: () => child?.pid,
    restarts: () => restarts,
    ready: (ms = 120_000) =>
      Promise.race([
        readyNow,
        new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`${spec.name} not ready within ${ms} ms`)), ms).unref()),
      ]),
    kill: (signal) => Boolean(child?.kill(signal)),
    async stop(graceMs = 20_000) {
      stopping = true;
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const killer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(killer);
      }
      await new Promise<void>((r) => log.end(r));
    },
  };
}
