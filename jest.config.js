/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // The component tests boot real servers and run on their own: npm run test:components.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/live/", "<rootDir>/tests/cluster/"],
  transform: { "^.+\\.ts$": "ts-jest" },
  globalSetup: "<rootDir>/tests/globalSetup.ts",
  globalTeardown: "<rootDir>/tests/globalTeardown.ts",
  testTimeout: 60000,
  // Much of the suite waits on real servers and child processes: two workers keep both cores busy.
  maxWorkers: 2,
};
