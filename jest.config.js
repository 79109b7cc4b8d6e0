/**
 * Tests sit beside the code they test. The transform only strips types (esbuild, jest.transform.js): the
 * type check runs once, separately, as `npm run typecheck` (part of `npm test`), which is several times
 * faster than type-checking inside every jest worker.
 * @type {import('jest').Config}
 */
module.exports = {
  // Node, plus an object shared by the test files of one worker (jest.environment.js says why).
  testEnvironment: "<rootDir>/jest.environment.js",
  // Jest's runtime, but the evaluator's packages are loaded once per worker (jest.runtime.js says why).
  runtime: "<rootDir>/jest.runtime.js",
  testMatch: ["<rootDir>/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/tools/"],
  modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/tools/"],
  transform: {
    "^.+\\.ts$": "<rootDir>/jest.transform.js",
  },
  // The mock-runtime syntheses import @pulumi/aws (about 0.8 s per worker); two workers fit the 2-core machine.
  maxWorkers: 2,
  // The Lambda bundle, built once per run for every synthesis (jest.global-setup.ts).
  globalSetup: "<rootDir>/jest.global-setup.ts",
  // Corpus suites first on a fresh clone (jest.sequencer.js says why).
  testSequencer: "<rootDir>/jest.sequencer.js",
  testTimeout: 60000,
};
