// Preloaded (`--require`) into the programs and stand-in providers the engine tests run, in place of
// `sucrase/register/ts`: the same transform (Sucrase strips the types and turns imports into
// requires, with an inline source map), kept on disk by the source's hash, so that of the ~300
// program runs of a test run only the first pays for transforming the ~200 modules it loads
// (a third of loading them) and the others read the result.
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");
const Module = require("module");

const CACHE =
  process.env.OBSERVABILITY_TRANSPILE_CACHE ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "observability-transpile");
const OPTIONS = { transforms: ["imports", "typescript"] };

let sucrase;
function transform(source, filename) {
  sucrase ??= require("sucrase");
  const { code, sourceMap } = sucrase.transform(source, {
    ...OPTIONS,
    filePath: filename,
    sourceMapOptions: { compiledFilename: filename },
  });
  const map = Buffer.from(JSON.stringify(sourceMap)).toString("base64");
  return `${code}\n${SOURCE_MAP_COMMENT}${map}`;
}

// Built from two parts: source-map-support, which maps the stack traces of these processes, reads
// every file on a stack for the last line that starts such a comment. Written whole here, this
// file's own line would be read as the map of any stack through a module being loaded, and its
// template as base64 decodes to bytes that are not JSON.
const SOURCE_MAP_COMMENT = "//# " + "sourceMappingURL=data:application/json;charset=utf-8;base64,";

// The key covers what determines the output: Sucrase's version (read from its package.json without
// loading it), the options, the file's path (in the source map) and its source.
const sucraseVersion = JSON.parse(fs.readFileSync(require.resolve("sucrase/package.json"), "utf8")).version;

Module._extensions[".ts"] = function (module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = crypto
    .createHash("sha256")
    .update(`${sucraseVersion}\0${JSON.stringify(OPTIONS)}\0${filename}\0`)
    .update(source)
    .digest("hex");
  const cached = path.join(CACHE, `${key}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, "utf8");
  } catch {
    code = transform(source, filename);
    // Written whole, then renamed into place: a concurrent program reads either nothing or all of it.
    fs.mkdirSync(CACHE, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  }
  module._compile(code, filename);
};
