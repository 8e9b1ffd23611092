/**
 * `npm run test:cluster`: the stack applied to a real kube-apiserver, scheduler and controller
 * manager with kwok nodes, on 127.0.0.1, deployed by the real pulumi engine and Kubernetes provider.
 * One file at a time: each starts its own cluster.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests/cluster"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "<rootDir>/jest.transform.js" },
  setupFiles: ["<rootDir>/tests/support/plainConsole.ts"],
  globalSetup: "<rootDir>/tests/cluster/globalSetup.ts",
  globalTeardown: "<rootDir>/tests/cluster/globalTeardown.ts",
  testTimeout: 600000,
  // One file at a time runs in jest's own process: a test that fails mid-way and leaves a timer
  // running would otherwise keep it, and the CI lane, alive after the teardown.
  forceExit: true,
  maxWorkers: 1,
  verbose: true,
};
