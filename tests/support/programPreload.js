// Preloaded (`--require`) into each program the engine tests run, after Sucrase: the modules
// @pulumi/pulumi loads and the program never uses resolve to one that exports nothing, as in jest
// (tests/support/unusedByPulumi.js).
const Module = require("module");
const path = require("path");
const { NOT_LOADED, unusedByPulumi } = require("./unusedByPulumi");

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  return typeof parent?.filename === "string" && unusedByPulumi(request, path.dirname(parent.filename))
    ? NOT_LOADED
    : resolve.call(this, request, parent, ...rest);
};
