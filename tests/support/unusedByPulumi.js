// At start-up @pulumi/pulumi loads npm's Arborist and the TypeScript compiler, for serializing
// closures to code and for its experimental provider analyzer, neither of which this program or its
// tests use; loading them is most of the SDK's start-up. Required from inside @pulumi/pulumi, each
// is to be the module that exports nothing (notLoaded.js), so any use of it fails at once; anywhere
// else (the demo's transpiler, the schema reader) `typescript` is the real compiler. Jest's
// resolver (jestResolver.js) and the engine tests' programs (programPreload.js) both apply it.
const path = require("path");

const PULUMI = `${path.sep}node_modules${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
const UNUSED_BY_PULUMI = new Set(["@npmcli/arborist", "typescript"]);

/** The module that exports nothing. */
const NOT_LOADED = path.join(__dirname, "notLoaded.js");

/** Whether `request`, required from a file in `directory`, is one the SDK loads and never uses here. */
const unusedByPulumi = (request, directory) =>
  UNUSED_BY_PULUMI.has(request) && `${directory}${path.sep}`.includes(PULUMI);

module.exports = { NOT_LOADED, unusedByPulumi };
