/**
 * `npm run test:examples`: the package as users get it. Packs the tarball once, installs each
 * program of examples/ from it and the registry into a directory outside the repository,
 * type-checks and renders each under mocks with its own Pulumi.yaml, stack file and project root,
 * and holds each render to the main stacks' checks; checks the tarball's contents and that
 * docs/api/ is current.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests/examples"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "<rootDir>/jest.transform.js" },
  globalSetup: "<rootDir>/tests/examples/globalSetup.ts",
  globalTeardown: "<rootDir>/tests/examples/globalTeardown.ts",
  testTimeout: 600000,
  // Installs wait on the network and the disk: two files at once keep both cores busy.
  maxWorkers: 2,
  verbose: true,
};
