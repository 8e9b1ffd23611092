// The tarball `npm pack` makes, as the registry would serve it: the compiled library, its
// declarations, package.json and the README, and nothing of the repository's tests, tools,
// fixtures, scripts or examples.
import { tierPackage } from "./packedPackage";

/** What may ship besides dist/: what npm always includes. */
const ALWAYS_SHIPPED = /^(package\.json|README\.md|LICENSE(\.\w+)?)$/;

/** Folders of the repository that are not the library. */
const NOT_THE_LIBRARY = [
  "tests",
  "testkit",
  "tools",
  "scripts",
  "examples",
  "render",
  "policy",
  "checks",
  "kind",
  "docs",
];

test("only dist/, package.json, the README and the license", () => {
  const { files } = tierPackage();
  expect(files.filter((file) => !file.startsWith("dist/") && !ALWAYS_SHIPPED.test(file))).toEqual([]);
  expect(files).toContain("package.json");
  expect(files).toContain("README.md");
  expect(files).toContain("LICENSE");
});

test("dist/ holds the library alone: no tests, test kit, tools, fixtures, scripts or examples", () => {
  const { files } = tierPackage();
  const dist = files.filter((file) => file.startsWith("dist/"));
  expect(dist.filter((file) => NOT_THE_LIBRARY.includes(file.split("/")[1]))).toEqual([]);
  expect(dist.filter((file) => /\.test\.|fixture|\.tsbuildinfo$/.test(file))).toEqual([]);
  expect(dist).toEqual(expect.arrayContaining(["dist/lib.js", "dist/lib.d.ts"]));
});

test("every module has its declarations", () => {
  const { files } = tierPackage();
  const modules = files.filter((file) => file.endsWith(".js")).map((file) => file.slice(0, -".js".length));
  expect(modules.filter((module) => !files.includes(`${module}.d.ts`))).toEqual([]);
});

test("its size: within a budget, so that declarations spelling the config schema out again show", () => {
  const { files, size, unpackedSize } = tierPackage();
  console.log(
    `${files.length} files, ${(size / 1024).toFixed(0)} KiB packed, ${(unpackedSize / 1024).toFixed(0)} KiB unpacked`,
  );
  // Declarations that name the schemas' types came to 1.3 MB; spelled out at every use, 5.9 MB.
  expect(unpackedSize).toBeLessThan(2 * 1024 * 1024);
});
