/**
 * The test tiers as jest projects, each named by what its tests run against (docs/testing.md):
 *   unit       `npm test`: renders, stand-ins and the fast real CLIs, under a minute;
 *   scenarios  `npm run test:scenarios`: whole scenarios of seconds each through the real CLIs,
 *              with the unit tier's tools and shared renders;
 *   servers    `npm run test:servers`: the real servers booted on 127.0.0.1 with the rendered configs;
 *   cluster    `npm run test:cluster`: a real control plane with kwok nodes, deployed by the engine;
 *   examples   `npm run test:examples`: the packed package, installed by each program of examples/.
 * The npm scripts select a project (and run the servers and cluster tiers one file at a time); a
 * path alone (`npx jest tests/servers/logs.test.ts`) runs with the setup of the project holding it.
 * @type {import('jest').Config}
 */
const tier = (name, settings) => ({
  displayName: name,
  // The node environment, which can also keep each file's processor time (OBSERVABILITY_CPU_LEDGER).
  testEnvironment: "<rootDir>/tests/support/cpuLedgerEnvironment.js",
  roots: [`<rootDir>/tests/${name}`],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "<rootDir>/tests/support/jestTransform.js" },
  ...settings,
});
const plainConsole = ["<rootDir>/tests/support/plainConsole.ts"];
const fast = {
  // What the Pulumi SDK loads at start-up and this program never uses: not loaded (the resolver says which).
  resolver: "<rootDir>/tests/support/jestResolver.js",
  setupFiles: plainConsole,
  globalSetup: "<rootDir>/tests/unit/globalSetup.ts",
  globalTeardown: "<rootDir>/tests/unit/globalTeardown.ts",
};
const ownSetup = (name, timeoutMs) => ({
  globalSetup: `<rootDir>/tests/${name}/globalSetup.ts`,
  globalTeardown: `<rootDir>/tests/${name}/globalTeardown.ts`,
  globals: { TIER_TIMEOUT_MS: timeoutMs },
  setupFilesAfterEnv: ["<rootDir>/tests/support/tierTimeout.ts"],
});
module.exports = {
  projects: [
    tier("unit", fast),
    tier("scenarios", fast),
    tier("servers", ownSetup("servers", 300000)),
    tier("cluster", { ...ownSetup("cluster", 600000), setupFiles: plainConsole }),
    tier("examples", ownSetup("examples", 600000)),
  ],
  // Much of the suite waits on real servers, child processes and installs: two workers keep both
  // cores busy.
  maxWorkers: 2,
  // The unit and scenarios tiers' bound on each test and hook; the others set their own.
  testTimeout: 60000,
};
