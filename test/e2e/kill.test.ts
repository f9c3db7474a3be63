/**
 * `npm start` killed outright (SIGKILL, no chance to clean up) must not leave anything running: no
 * API, no embedded Temporal server holding its ports until some later start in the same data dir.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from '../support/system';

const ROOT = path.resolve(__dirname, '../..');

interface Started {
  npmPid: number;
  ports: { api: number; temporal: number; ui: number };
  dataDir: string;
}

async function startNpm(o: { dataDir?: string; ready?: boolean } = {}): Promise<Started> {
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'silver-kill-'));
  const ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(ports.api),
      SILVER_TEMPORAL_PORT: String(ports.temporal),
      SILVER_TEMPORAL_UI_PORT: String(ports.ui),
      SILVER_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  if (o.ready === false) return { npmPid: child.pid!, ports, dataDir };
  await waitFor(
    () =>
      fetch(`http://127.0.0.1:${ports.api}/readyz`).then(
        (r) => r.status,
        () => 0,
      ),
    (s) => s === 200,
    'npm start to be ready',
    90_000,
  );
  return { npmPid: child.pid!, ports, dataDir };
}

function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const ppid = Number(fields[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    for (const c of parents.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

const cmdline = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};
const alive = (pid: number) => {
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(state);
  } catch {
    return false;
  }
};
const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

async function expectAllGone(pids: number[], ports: Started['ports']): Promise<void> {
  await waitFor(
    async () => ({
      running: pids.filter(alive).map((p) => `${p} ${cmdline(p).slice(0, 120)}`),
      open: (await Promise.all(Object.values(ports).map(async (p) => ((await portOpen(p)) ? p : 0)))).filter(Boolean),
    }),
    (s) => s.running.length === 0 && s.open.length === 0,
    'every process of the killed start to end and free its ports',
    30_000,
  );
}

const started: Started[] = [];
afterAll(() => {
  for (const s of started) {
    for (const pid of [s.npmPid, ...descendants(s.npmPid)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
});

test('kill -9 of npm start stops the API and the embedded Temporal server', async () => {
  const s = await startNpm();
  started.push(s);
  // npm start runs the compiled bundle in dist/: the files it serves are still found.
  for (const file of ['/assets/console.css', '/sign-in']) {
    expect((await fetch(`http://127.0.0.1:${s.ports.api}${file}`)).status).toBe(200);
  }
  const tree = descendants(s.npmPid);
  expect(tree.some((p) => cmdline(p).includes('start-dev'))).toBe(true);
  process.kill(s.npmPid, 'SIGKILL');
  await expectAllGone(tree, s.ports);
}, 180_000);

test('kill -9 of the system process itself stops the embedded Temporal server', async () => {
  const s = await startNpm();
  started.push(s);
  const tree = descendants(s.npmPid);
  const server = tree.filter((p) => cmdline(p).includes('start-dev'));
  const main = tree.filter((p) => cmdline(p).includes('dist/main.js'));
  expect(server.length).toBeGreaterThan(0);
  expect(main).toHaveLength(1);
  process.kill(main[0], 'SIGKILL');
  await expectAllGone([main[0], ...server], s.ports);
}, 180_000);

test('a first start killed while it makes the database leaves nothing the next start trips on', async () => {
  const first = await startNpm({ ready: false });
  started.push(first);
  // A new embedded database is made by a process of its own, in a folder of its own.
  const maker = await waitFor(
    async () => descendants(first.npmPid).find((p) => cmdline(p).includes('prepare-database')),
    (p) => p !== undefined,
    'the process that makes the database',
    60_000,
  );
  const main = descendants(first.npmPid).filter((p) => cmdline(p).includes('dist/main.js') && p !== maker);
  expect(main).toHaveLength(1);
  process.kill(main[0], 'SIGKILL');
  await expectAllGone([main[0], maker!], first.ports);
  expect(fs.readdirSync(first.dataDir).filter((f) => f.startsWith('pglite'))).toEqual([expect.stringMatching(/^pglite\.making-\d+$/)]);

  const again = await startNpm({ dataDir: first.dataDir });
  started.push(again);
  expect(fs.readdirSync(first.dataDir).filter((f) => f.startsWith('pglite'))).toEqual(['pglite']);
  expect(fs.existsSync(path.join(first.dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
}, 240_000);
