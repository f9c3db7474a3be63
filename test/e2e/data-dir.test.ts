/**
 * The data dir is readable by its owner only at every start, also when the system is started on a
 * folder someone made open to others, and everything written in it (the embedded database's and
 * Temporal server's files, the keys) stays so while the system runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../system/config';
import { startSystem, type RunningSystem } from '../../system/runtime';
import { callApi, freshRequest, npmStartEnv } from '../support/system';

let dataDir: string;
let outside: string;
let env: Record<string, string>;
let system: RunningSystem | undefined;
let umaskBefore: number;

beforeAll(async () => {
  umaskBefore = process.umask();
  ({ dataDir, env } = await npmStartEnv('data-dir', 86400));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'silver-outside-'));
});
afterAll(async () => {
  await system?.stop();
  process.umask(umaskBefore);
  for (const dir of [dataDir, outside]) fs.rmSync(dir, { recursive: true, force: true });
});

/** Every path under `dir` (itself included) with its permission bits, symbolic links left out. */
function modesUnder(dir: string): Map<string, number> {
  const modes = new Map<string, number>([[dir, fs.statSync(dir).mode & 0o777]]);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const at = path.join(entry.parentPath, entry.name);
    // The running Temporal server's journal comes and goes.
    const stat = fs.lstatSync(at, { throwIfNoEntry: false });
    if (stat && !stat.isSymbolicLink()) modes.set(at, stat.mode & 0o777);
  }
  return modes;
}
const openToOthers = (modes: Map<string, number>) =>
  [...modes].filter(([, mode]) => mode & 0o077).map(([at, mode]) => `${path.relative(dataDir, at) || '.'} ${mode.toString(8)}`);

test('started on an existing 0755 folder holding files open to others, everything in it ends up readable by its owner only', async () => {
  // A folder made by hand (or by an older version) with a permissive umask.
  const umask = process.umask(0o022);
  try {
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'kept by an operator', { mode: 0o666 });
    fs.chmodSync(path.join(dataDir, 'notes.txt'), 0o666);
    fs.mkdirSync(path.join(dataDir, 'old'), { mode: 0o755 });
    fs.writeFileSync(path.join(dataDir, 'old', 'export.csv'), 'a,b\n', { mode: 0o644 });
    fs.writeFileSync(path.join(outside, 'shared.txt'), 'not the system’s', { mode: 0o644 });
    fs.symlinkSync(path.join(outside, 'shared.txt'), path.join(dataDir, 'link-to-shared'));
  } finally {
    process.umask(umask);
  }

  const warnings: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg) });
  system = await startSystem(loadConfig(env), 'all', log, () => undefined);
  expect(warnings).toEqual([
    expect.stringMatching(/^4 paths in the data dir .* were open to others \(\., notes\.txt, old, old\/export\.csv\)/),
  ]);
  const admin = fs.readFileSync(path.join(dataDir, 'admin-key'), 'utf8').trim();
  // Writes reach the embedded database's files while it runs.
  expect(
    (
      await callApi(system.apiUrl, 'PUT', '/v1/pilot', admin, {
        participants: ['IT', 'FR'],
        quotaTotal: 10,
        recipientsLimitedToParticipants: false,
      })
    ).status,
  ).toBe(200);
  const italy = (await callApi(system.apiUrl, 'POST', '/v1/api-keys', admin, { role: 'NCB', country: 'IT' })).body.key as string;
  expect((await callApi(system.apiUrl, 'POST', '/v1/notices', italy, freshRequest())).status).toBe(201);

  const running = modesUnder(dataDir);
  expect(openToOthers(running)).toEqual([]);
  expect(running.get(dataDir)).toBe(0o700);
  for (const part of ['pglite', 'temporal', 'admin-key', 'payload-keys', 'notes.txt', path.join('old', 'export.csv')])
    expect(running.has(path.join(dataDir, part))).toBe(true);
  expect([...running.keys()].filter((at) => at.startsWith(path.join(dataDir, 'pglite', ''))).length).toBeGreaterThan(100);

  await system.stop();
  system = undefined;
  expect(openToOthers(modesUnder(dataDir))).toEqual([]);
  // A link is not followed: what it points to outside the data dir is not the system's to change.
  expect(fs.statSync(path.join(outside, 'shared.txt')).mode & 0o777).toBe(0o644);
});

test('at the next start, a file someone opened up in the meantime is made owner-only again', async () => {
  await system?.stop();
  const opened = path.join(dataDir, 'pglite', 'PG_VERSION');
  fs.chmodSync(opened, 0o644);
  fs.chmodSync(dataDir, 0o755);
  system = await startSystem(loadConfig(env), 'all', pino({ level: 'silent' }), () => undefined);
  expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
  expect(fs.statSync(opened).mode & 0o777).toBe(0o600);
  expect(openToOthers(modesUnder(dataDir))).toEqual([]);
});
