/**
 * `npm run test:scenarios`: whole scenarios replayed through the real CLIs, each taking seconds:
 * every alert's cases and a healthy hour under promtool, the SLO burn rates and indicator forms,
 * every day-two edit reviewed on both stacks, and the review CLI on a git worktree. Same tools and
 * shared renders as the unit tier; apart from it so that `npm test` stays under a minute.
 * @type {import('jest').Config}
 */
module.exports = {
  ...require("./jest.config"),
  displayName: "scenarios",
  roots: ["<rootDir>/tests/scenarios"],
  testPathIgnorePatterns: ["/node_modules/"],
};
