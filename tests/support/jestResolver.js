// Jest's module resolution, with one exception (tests/support/unusedByPulumi.js): the modules
// @pulumi/pulumi loads and neither this program nor its tests use resolve to one that exports nothing.
const { NOT_LOADED, unusedByPulumi } = require("./unusedByPulumi");

module.exports = (request, options) =>
  unusedByPulumi(request, options.basedir) ? NOT_LOADED : options.defaultResolver(request, options);
