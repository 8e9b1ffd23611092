// What tests/support/unusedByPulumi.js resolves a dependency of the Pulumi SDK this program never
// uses to (it says which and why). Any use of it fails: it exports nothing.
module.exports = {};
