/**
 * The embedded Temporal server: `temporal server start-dev`, a complete single-process Temporal
 * server persisting to SQLite under the data dir, so running workflows survive a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TEMPORAL_CLI, ensureTemporalBinaries } from './toolchain';

export interface DevServer {
  address: string;
  uiUrl: string;
  /** The SQLite file holding the server's whole state. */
  dbFile: string;
  stop(): Promise<void>;
}

export class PortInUseError extends Error {}
export class TemporalStartError extends Error {}

export async function assertPortFree(port: number, what: string, variable: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new PortInUseError(`Port ${port} (${what}) is already in use. Stop whatever uses it or set ${variable} to another port.`)
          : err,
      ),
    );
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve()));
  });
}

export async function startDevServer(opts: {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  log: (msg: string) => void;
}): Promise<DevServer> {
  ensureTemporalBinaries(opts.log);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  stopLeftoverServer(path.join(opts.dataDir, 'server.pid'), opts.log);
  await assertPortFree(opts.port, 'embedded Temporal server', 'SILVER_TEMPORAL_PORT');
  await assertPortFree(opts.uiPort, 'Temporal Web UI', 'SILVER_TEMPORAL_UI_PORT');
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const logFile = path.join(opts.dataDir, 'temporal.log');
  const dbFile = path.join(opts.dataDir, 'temporal.sqlite');
  const out = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    '/bin/sh',
    [
      '-c',
      LIFELINE,
      'temporal-dev-server',
      TEMPORAL_CLI,
      'server',
      'start-dev',
      '--db-filename',
      dbFile,
      '--ip',
      '127.0.0.1',
      '--port',
      String(opts.port),
      '--ui-port',
      String(opts.uiPort),
      '--namespace',
      opts.namespace,
      '--log-level',
      'warn',
    ],
    // Its own process group: a Ctrl-C in the terminal reaches us, and we stop it in order. Its
    // stdin is the lifeline: a pipe only this process writes to.
    { stdio: ['pipe', out, out], detached: true },
  );
  fs.closeSync(out);
  const pidFile = path.join(opts.dataDir, 'server.pid');
  fs.writeFileSync(pidFile, String(child.pid));
  const killOnExit = () => killGroup(child.pid!, 'SIGKILL');
  process.once('exit', killOnExit);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const address = `127.0.0.1:${opts.port}`;

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
      throw new TemporalStartError(`The embedded Temporal server exited during start-up. Its log (${logFile}) ends with:\n${tail}`);
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        killGroup(child.pid!, 'SIGKILL');
        throw new TemporalStartError(
          `The embedded Temporal server did not become ready in 60 s (${(err as Error).message}); see ${logFile}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  return {
    address,
    uiUrl: `http://127.0.0.1:${opts.uiPort}`,
    dbFile,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 10_000);
        await exitPromise;
        clearTimeout(timer);
      }
      child.stdin?.destroy();
      process.off('exit', killOnExit);
      fs.rmSync(pidFile, { force: true });
    },
  };
}

/**
 * Runs the server ("$@") and stops it when this process goes, however it goes. A process killed
 * outright (SIGKILL) runs no exit handler, and the server, in its own process group, would outlive
 * it holding its ports; but the kernel closes the killed process's end of the stdin pipe, and the
 * watcher below sees end of file. SIGTERM from a normal stop is passed on, and the shell waits for
 * the server to finish.
 */
export const LIFELINE = [
  'exec 3<&0 0</dev/null',
  '"$@" & server=$!',
  '( cat <&3 >/dev/null 2>&1; kill -TERM "$server" 2>/dev/null ) &',
  'trap \'kill -TERM "$server" 2>/dev/null\' TERM INT',
  'wait "$server"; code=$?',
  'while kill -0 "$server" 2>/dev/null; do wait "$server"; code=$?; done',
  'exit "$code"',
].join('\n');

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/**
 * A server left by a start whose whole process group was killed at once (the lifeline stops it in
 * every other case) still holds the port and the SQLite file: stop it before starting anew.
 */
function stopLeftoverServer(pidFile: string, log: (msg: string) => void): void {
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  fs.rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return;
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return; // not running any more
  }
  if (!cmdline.includes('start-dev')) return; // the pid was reused by something else
  log(`Stopping a Temporal server left running by an earlier start (pid ${pid})`);
  killGroup(pid, 'SIGKILL');
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}
