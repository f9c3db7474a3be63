/**
 * Makes a checkout runnable: generates the Prisma client, installs the pinned Temporal binaries
 * and builds the system into one file, dist/main.js, that `npm start`, `npm run api` and
 * `npm run worker` run with plain node. Runs after `npm install` and before `npm start` / `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT as root } from '../system/paths';
import { ensureTemporalBinaries } from '../temporal/toolchain';

const schema = path.join(root, 'prisma', 'schema.prisma');
const generated = path.join(root, 'generated', 'prisma', 'client.ts');

function generatePrismaClient(): void {
  if (fs.existsSync(generated) && fs.statSync(generated).mtimeMs >= fs.statSync(schema).mtimeMs) return;
  console.error('Generating the Prisma client ...');
  // `prisma generate` insists on locating its native schema engine, which cannot be downloaded
  // offline, but never runs it: any existing file satisfies the check.
  execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  });
}

/**
 * Compiled ahead rather than loaded through tsx at run time: the loader and its transpile cache cost
 * the running system about 80 MB of memory and a second of start-up. Packages stay outside the
 * bundle and load from node_modules as usual. Rebuilt every time (about a second), so the bundle can
 * never lag behind the sources. Class names are kept: start-up errors are told apart by them.
 */
function buildSystem(): void {
  buildSync({
    entryPoints: [path.join(root, 'system', 'main.ts')],
    outfile: path.join(root, 'dist', 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    packages: 'external',
    keepNames: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

try {
  generatePrismaClient();
  ensureTemporalBinaries();
  buildSystem();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
