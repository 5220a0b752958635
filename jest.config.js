/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The tarball test installs the packed package into a new app (slow, needs the npm cache that
  // `npm ci` fills): `npm run test:tarball`, which .ci/run runs.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/tarball/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  reporters: ['default', '<rootDir>/test/support/skip-reporter.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};
