/**
 * `npm run test:components`: the real Loki, Alloy, collector, Prometheus and Alertmanager booted on
 * 127.0.0.1 with the configs the program renders. One file at a time: they start servers.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests/live"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "ts-jest" },
  globalSetup: "<rootDir>/tests/live/globalSetup.ts",
  globalTeardown: "<rootDir>/tests/live/globalTeardown.ts",
  testTimeout: 300000,
  maxWorkers: 1,
  verbose: true,
};
