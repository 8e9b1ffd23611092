// Preloaded (`--require`) into each program the engine tests run, after Sucrase: the modules
// @pulumi/pulumi loads and the program never uses resolve to one that exports nothing, as in jest
// (tests/support/unusedByPulumi.js); and so does the SDK runner's `source-map-support/register`.
// The SDK takes a stack trace for every resource and every promise it makes, and mapping each
// through source maps was a sixth of a program run's CPU; Sucrase keeps every line where it was, so
// an unmapped trace still names the TypeScript file and line.
const Module = require("module");
const path = require("path");
const { NOT_LOADED, unusedByPulumi } = require("./unusedByPulumi");

const SOURCE_MAPS = "source-map-support/register";

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const from = typeof parent?.filename === "string" ? path.dirname(parent.filename) : undefined;
  return from !== undefined && (unusedByPulumi(request, from) || request === SOURCE_MAPS)
    ? NOT_LOADED
    : resolve.call(this, request, parent, ...rest);
};
