/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // The component tests boot real servers and run on their own: npm run test:components. The
  // scenarios take seconds each: npm run test:scenarios. The examples install the packed
  // package: npm run test:examples.
  testPathIgnorePatterns: [
    "/node_modules/",
    "<rootDir>/tests/components/",
    "<rootDir>/tests/cluster/",
    "<rootDir>/tests/scenarios/",
    "<rootDir>/tests/examples/",
  ],
  transform: { "^.+\\.ts$": "<rootDir>/jest.transform.js" },
  // The Pulumi SDK loads npm's Arborist at start-up for serializing closures to code, which this
  // program never does: half of every test file's start-up time.
  moduleNameMapper: { "^@npmcli/arborist$": "<rootDir>/tests/support/notLoaded.ts" },
  setupFiles: ["<rootDir>/tests/support/plainConsole.ts"],
  globalSetup: "<rootDir>/tests/globalSetup.ts",
  globalTeardown: "<rootDir>/tests/globalTeardown.ts",
  testTimeout: 60000,
  // Much of the suite waits on real servers and child processes: two workers keep both cores busy.
  maxWorkers: 2,
};
