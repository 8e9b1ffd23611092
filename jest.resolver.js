// Jest's module resolution, with one exception: at start-up @pulumi/pulumi loads npm's Arborist and
// the TypeScript compiler, for serializing closures to code and for its experimental provider
// analyzer, neither of which this program or its tests use. Loading them was most of every test
// file's start-up. Required from inside @pulumi/pulumi, each is the module that exports nothing
// (tests/support/notLoaded.ts), so any use of it fails at once; anywhere else (the demo's
// transpiler, the schema reader) `typescript` is the real compiler.
const path = require("path");

const PULUMI = `${path.sep}node_modules${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
const UNUSED_BY_PULUMI = new Set(["@npmcli/arborist", "typescript"]);
const NOT_LOADED = path.join(__dirname, "tests", "support", "notLoaded.ts");

module.exports = (request, options) =>
  UNUSED_BY_PULUMI.has(request) && `${options.basedir}${path.sep}`.includes(PULUMI)
    ? NOT_LOADED
    : options.defaultResolver(request, options);
