/**
 * Makes a checkout runnable: generates the Prisma client and installs the pinned Temporal binaries.
 * Runs after `npm install` and before `npm start` / `npm test`; does nothing when all is in place.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureTemporalBinaries } from '../temporal/toolchain';

const root = path.resolve(__dirname, '..');
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

try {
  generatePrismaClient();
  ensureTemporalBinaries();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
