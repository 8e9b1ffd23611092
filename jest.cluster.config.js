/**
 * `npm run test:cluster`: the stack applied to a real kube-apiserver, scheduler and controller
 * manager with kwok nodes, on 127.0.0.1, as the Pulumi Kubernetes provider would apply it.
 * One file at a time: each starts its own cluster.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests/cluster"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "<rootDir>/jest.transform.js" },
  globalSetup: "<rootDir>/tests/cluster/globalSetup.ts",
  globalTeardown: "<rootDir>/tests/cluster/globalTeardown.ts",
  testTimeout: 600000,
  maxWorkers: 1,
  verbose: true,
};
