// Preloaded (`--require`) into each program the engine tests run and each Node.js plugin they start
// (the stand-in providers, the package's provider), after Sucrase: the modules @pulumi/pulumi loads
// and these never use resolve to one that exports nothing, as in jest
// (tests/support/unusedByPulumi.js); and source-map-support, which the SDK's program runner and
// provider server install, to one that installs nothing. The SDK takes a stack trace for every
// resource and every promise it makes, and mapping each through source maps was a sixth of a
// program run's CPU; Sucrase keeps every line where it was, so an unmapped trace still names the
// TypeScript file and line.
const Module = require("module");
const path = require("path");
const { NOT_LOADED, unusedByPulumi } = require("./unusedByPulumi");

const SOURCE_MAPS = new Set(["source-map-support", "source-map-support/register"]);
const NO_SOURCE_MAPS = path.join(__dirname, "noSourceMaps.js");

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (SOURCE_MAPS.has(request)) return NO_SOURCE_MAPS;
  return typeof parent?.filename === "string" && unusedByPulumi(request, path.dirname(parent.filename))
    ? NOT_LOADED
    : resolve.call(this, request, parent, ...rest);
};
