const { availableParallelism } = require('node:os');

// Three kinds of suites, one command (`npm test`):
//  unit            specs beside the code (src/**/*.spec.ts) and static checks (test/static)
//  e2e-embedded    the e2e scenarios against the real app on SQLite, memory cache, local keyring
//  e2e-services    the same scenarios on MariaDB + Redis + OpenBao, plus integration specs
//                  that talk to those services directly (test/integration)
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const base = { testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'], transform };
// E2E hooks sign shops up and log in (scrypt, on purpose slow) against real services
// on a shared two-core machine: seconds, not milliseconds. jest-circus reads
// `testTimeout` only from the top-level config, so the e2e projects set it with
// jest.setTimeout in a setup file instead (unit specs keep the 5 s default).
const e2e = { ...base, setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'] };

/** @type {import('jest').Config} */
module.exports = {
  // At least two suites at a time, even on two cores (Jest's default there is one, in band):
  // much of an e2e suite's time is spent waiting on MariaDB, OpenBao and child
  // processes, and the suites keep to their own shops and databases. Each worker is
  // replaced once it holds more than 1 GB after a suite: the e2e apps leave memory
  // behind (sql.js heaps, compiled modules), and one process carrying all of it grew
  // to 3 GB and ran the later suites at half speed. Measured on two cores: 727 s
  // with one worker, 490 s with two.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  workerIdleMemoryLimit: '1GB',
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/static/**/*.spec.ts'],
    },
    {
      ...e2e,
      displayName: 'e2e-embedded',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/support/profile-embedded.ts'],
    },
    {
      ...e2e,
      displayName: 'e2e-services',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts', '<rootDir>/test/integration/**/*.int-spec.ts'],
      setupFiles: ['<rootDir>/test/support/profile-services.ts'],
      globalSetup: '<rootDir>/test/support/services-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/services-global-teardown.ts',
    },
  ],
};
