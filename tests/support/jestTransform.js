// Jest's TypeScript transform for every tier: sucrase only strips the types and turns imports into
// requires, which costs less than a TypeScript compiler on a fresh clone's empty cache. Types are
// checked once, by `npm run build` (tsconfig.json covers the tests).
const { createHash } = require("crypto");
const { transform } = require("sucrase");
const { version } = require("sucrase/package.json");

module.exports = {
  process(source, filePath) {
    const { code, sourceMap } = transform(source, {
      transforms: ["typescript", "imports"],
      filePath,
      sourceMapOptions: { compiledFilename: filePath },
      production: true,
    });
    return { code, map: sourceMap };
  },
  getCacheKey(source, filePath) {
    return createHash("sha256").update(version).update(filePath).update(source).digest("hex");
  },
};
