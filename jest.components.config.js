/**
 * `npm run test:components`: the real Alloy, collector, Prometheus and Alertmanager booted on
 * 127.0.0.1 with the configs the program renders, and the Loki stand-in. One file at a time in each of the two lanes
 * scripts/testComponents.sh runs at once (tests/components/faults/ beside the rest).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests/components"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "<rootDir>/jest.transform.js" },
  globalSetup: "<rootDir>/tests/components/globalSetup.ts",
  globalTeardown: "<rootDir>/tests/components/globalTeardown.ts",
  testTimeout: 300000,
  // One file at a time runs in jest's own process: a test that fails mid-way and leaves traffic or
  // a poll running would otherwise keep it, and the CI lane, alive after the teardown.
  forceExit: true,
  maxWorkers: 1,
  verbose: true,
};
