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
  const out = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    TEMPORAL_CLI,
    [
      'server',
      'start-dev',
      '--db-filename',
      path.join(opts.dataDir, 'temporal.sqlite'),
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
    // Its own process group: a Ctrl-C in the terminal reaches us, and we stop it in order.
    { stdio: ['ignore', out, out], detached: true },
  );
  fs.closeSync(out);
  const pidFile = path.join(opts.dataDir, 'server.pid');
  fs.writeFileSync(pidFile, String(child.pid));
  // Detached, it would outlive a crash of this process and hold its ports: take it down with us.
  const killOnExit = () => child.kill('SIGKILL');
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
        child.kill('SIGKILL');
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
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(timer);
      process.off('exit', killOnExit);
      fs.rmSync(pidFile, { force: true });
    },
  };
}

/**
 * The server runs in its own process group, so if this process was killed outright the server
 * outlives it and holds the port and the SQLite file; stop such a leftover before starting anew.
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
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
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
