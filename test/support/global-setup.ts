/**
 * Once per `npm test`: bundle the workflow code (webpack takes seconds; every test file reuses
 * the bundle) and make sure the Temporal binaries are installed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalBinaries } from '../../temporal/toolchain';
import { WORKFLOWS_PATH } from '../../temporal/worker';

export const TEST_BUNDLE_PATH = path.resolve(__dirname, '../../node_modules/.cache/silver-notice/workflow-bundle.js');

export default async function globalSetup(): Promise<void> {
  ensureTemporalBinaries();
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  fs.mkdirSync(path.dirname(TEST_BUNDLE_PATH), { recursive: true });
  fs.writeFileSync(TEST_BUNDLE_PATH, code);
}
