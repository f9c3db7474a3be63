/**
 * Where the project's own files are (migrations, the Temporal pins, workflow sources, tools).
 * Found from the nearest package.json rather than from each module's `__dirname`, because the
 * same modules run from their sources (tests, tsx) and from one bundle in dist/ (`npm start`).
 */
import fs from 'node:fs';
import path from 'node:path';

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'prisma', 'schema.prisma'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No project root above ${from}`);
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);
