/**
 * The Temporal server a cluster runs (not the dev server): no package registry ships its binary,
 * so it is built once from its Go module, at a pinned version, into .tools/cluster/ (git-ignored),
 * with its SQL schema tool and the schema files that tool applies. GOPATH and GOCACHE live there
 * too and are removed after a successful build (3 GB that only a rebuild would use).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../system/paths';

export const TEMPORAL_SERVER_VERSION = 'v1.32.2';
/** The server's go.mod needs a newer Go than Debian ships; the go command fetches this one itself. */
export const GO_TOOLCHAIN = 'go1.27.3';

export const CLUSTER_TOOLS_DIR = path.join(PROJECT_ROOT, '.tools', 'cluster');
export const TEMPORAL_SERVER_BIN = path.join(CLUSTER_TOOLS_DIR, 'bin', 'temporal-server');
export const TEMPORAL_SQL_TOOL = path.join(CLUSTER_TOOLS_DIR, 'bin', 'temporal-sql-tool');
/** schema/postgresql/v12/{temporal,visibility}/versioned, copied from the module source. */
export const TEMPORAL_SCHEMA_DIR = path.join(CLUSTER_TOOLS_DIR, 'schema', 'postgresql', 'v12');
const stamp = () => path.join(CLUSTER_TOOLS_DIR, `.built-${TEMPORAL_SERVER_VERSION}-${GO_TOOLCHAIN}`);

/** Whether this version is built, so that starting a cluster takes seconds, not minutes. */
export function temporalServerBuilt(): boolean {
  return [stamp(), TEMPORAL_SERVER_BIN, TEMPORAL_SQL_TOOL, TEMPORAL_SCHEMA_DIR].every((p) => fs.existsSync(p));
}

/** Builds the server and its SQL tool unless this version is already built. Takes minutes the first time. */
export function ensureTemporalServer(log: (msg: string) => void = (m) => console.error(m)): void {
  if (temporalServerBuilt()) return;
  log(`Building the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool from the Go module proxy (a few minutes, once) ...`);
  const work = path.join(CLUSTER_TOOLS_DIR, 'build');
  const gobin = path.join(work, 'bin');
  const env = {
    ...process.env,
    GOTOOLCHAIN: GO_TOOLCHAIN,
    GOPATH: path.join(work, 'go'),
    GOCACHE: path.join(work, 'cache'),
    GOBIN: gobin,
    // Module files are written read-only by default, which would stop the clean-up below.
    GOFLAGS: '-modcacherw',
  };
  const module = 'go.temporal.io/server';
  try {
    execFileSync(
      'go',
      ['install', `${module}/cmd/server@${TEMPORAL_SERVER_VERSION}`, `${module}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`],
      {
        env,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
  } catch (err) {
    throw new Error(
      `Could not build the Temporal server with "go install" (${(err as Error).message}). ` +
        'Go 1.21 or later is needed once (Debian: apt-get install golang-go), with access to the Go module proxy.',
      { cause: err },
    );
  }
  const source = path.join(env.GOPATH, 'pkg', 'mod', `${module}@${TEMPORAL_SERVER_VERSION}`);
  fs.rmSync(path.join(CLUSTER_TOOLS_DIR, 'bin'), { recursive: true, force: true });
  fs.mkdirSync(path.join(CLUSTER_TOOLS_DIR, 'bin'), { recursive: true });
  fs.renameSync(path.join(gobin, 'server'), TEMPORAL_SERVER_BIN);
  fs.renameSync(path.join(gobin, 'sql'), TEMPORAL_SQL_TOOL);
  fs.rmSync(TEMPORAL_SCHEMA_DIR, { recursive: true, force: true });
  fs.cpSync(path.join(source, 'schema', 'postgresql', 'v12'), TEMPORAL_SCHEMA_DIR, { recursive: true });
  fs.rmSync(work, { recursive: true, force: true });
  fs.writeFileSync(stamp(), new Date().toISOString());
  log(`Built ${TEMPORAL_SERVER_BIN}`);
}
