/**
 * `npm test` runs every test on the embedded PGlite. When TEST_DATABASE_URL names a PostgreSQL
 * server (as in CI), the tests that touch the database run a second time against it.
 */
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs', ignoreDynamic: true } },
];
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // .tools/ holds the Go module cache of the cluster's Temporal server (tens of thousands of files):
  // jest would crawl it on every run.
  modulePathIgnorePatterns: ['<rootDir>/.tools/'],
};

const projects = [{ ...base, displayName: 'pglite', testMatch: ['<rootDir>/test/**/*.test.ts'] }];
if (process.env.TEST_DATABASE_URL) {
  projects.push({
    ...base,
    displayName: 'postgres',
    testMatch: [
      '<rootDir>/test/api/**/*.test.ts',
      '<rootDir>/test/db/**/*.test.ts',
      '<rootDir>/test/console/perimeter.test.ts',
      '<rootDir>/test/console/passkeys.test.ts',
      '<rootDir>/test/console/search.test.ts',
      '<rootDir>/test/console/text-and-safety.test.ts',
    ],
    setupFiles: ['<rootDir>/test/support/use-postgres.js'],
  });
}

module.exports = {
  projects,
  maxWorkers: 2,
  // A worker that has run many suites holds what the SDK's native runtime and PGlite never give
  // back (a full run reached 3.4 GB in one worker and died of it): past this, it is replaced.
  workerIdleMemoryLimit: '1GB',
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // The Temporal SDK's native runtime keeps threads alive after every environment is torn down.
  forceExit: true,
};
