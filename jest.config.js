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
  // What the Pulumi SDK loads at start-up and this program never uses: not loaded (the resolver says which).
  resolver: "<rootDir>/jest.resolver.js",
  setupFiles: ["<rootDir>/tests/support/plainConsole.ts"],
  globalSetup: "<rootDir>/tests/globalSetup.ts",
  globalTeardown: "<rootDir>/tests/globalTeardown.ts",
  testTimeout: 60000,
  // Much of the suite waits on real servers and child processes: two workers keep both cores busy.
  maxWorkers: 2,
};
