// The tarball `npm pack` makes, as the registry would serve it: the compiled library and its
// testing module (with the checks, the policy pack's rules and the mocks that one runs), their
// declarations, the demo's program as JavaScript, package.json and the README, and nothing of the
// repository's tests, test kit, tools, fixtures, scripts or examples.
import { execFileSync } from "child_process";
import { demoProgram } from "../../components/demo/demoProgram";
import { tierPackage } from "./packedPackage";

/** What may ship besides dist/: what npm always includes, and the provider plugin's launcher. */
const ALWAYS_SHIPPED = /^(package\.json|README\.md|LICENSE(\.\w+)?|bin\/pulumi-resource-observability)$/;

/** Folders of the repository that are not the library. */
const NOT_THE_LIBRARY = ["tests", "tools", "scripts", "examples", "review", "kind", "docs"];

test("only dist/, package.json, the README, the license and the plugin's launcher", () => {
  const { files } = tierPackage();
  expect(files.filter((file) => !file.startsWith("dist/") && !ALWAYS_SHIPPED.test(file))).toEqual([]);
  expect(files).toContain("package.json");
  expect(files).toContain("README.md");
  expect(files).toContain("LICENSE");
  expect(files).toEqual(
    expect.arrayContaining([
      "bin/pulumi-resource-observability",
      "dist/provider/main.js",
      "dist/provider/schema.json",
    ]),
  );
});

test("dist/ holds the library alone: no tests, test kit, tools, fixtures, scripts or examples", () => {
  const { files } = tierPackage();
  const dist = files.filter((file) => file.startsWith("dist/"));
  expect(dist.filter((file) => NOT_THE_LIBRARY.includes(file.split("/")[1]))).toEqual([]);
  expect(dist.filter((file) => /\.test\.|fixture|\.tsbuildinfo$/.test(file))).toEqual([]);
  expect(dist).toEqual(expect.arrayContaining(["dist/lib.js", "dist/lib.d.ts"]));
});

test("the testing module ships with what it runs: its process, the checks, and kube-validate's sources", () => {
  const { files } = tierPackage();
  expect(files).toEqual(
    expect.arrayContaining([
      "dist/testing/index.js",
      "dist/testing/index.d.ts",
      "dist/testing/programProcess.js",
      "dist/policy/rules.js",
      "dist/testing/kube-validate/go.mod",
      "dist/testing/kube-validate/go.sum",
      "dist/testing/kube-validate/main.go",
    ]),
  );
  // The policy pack itself needs @pulumi/policy, which a program does not install.
  expect(files).not.toContain("dist/policy/index.js");
});

/** The demo's program: what the demo's pods run, which DemoStack reads as text; no module of the library. */
const DEMO_PROGRAM = "dist/demo/demoService.js";

test("every module has its declarations", () => {
  const { files } = tierPackage();
  const modules = files
    .filter((file) => file.endsWith(".js") && file !== DEMO_PROGRAM)
    .map((file) => file.slice(0, -".js".length));
  expect(modules.filter((module) => !files.includes(`${module}.d.ts`))).toEqual([]);
});

test("the demo's program ships as the JavaScript the repository's render puts in its ConfigMap, and alone", () => {
  const { files, tarball } = tierPackage();
  expect(files.filter((file) => file.startsWith("dist/demo/"))).toEqual([DEMO_PROGRAM]);
  const shipped = execFileSync("tar", ["-xOzf", tarball, `package/${DEMO_PROGRAM}`], { encoding: "utf8" });
  expect(shipped).toBe(demoProgram());
});

test("its size: declarations within their budget, so that declarations spelling the config schema out again show, and the package within its own", () => {
  const { files, size, unpackedSize, declarationSize } = tierPackage();
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  console.log(
    `${files.length} files, ${kib(size)} packed, ${kib(unpackedSize)} unpacked, of which ${kib(declarationSize)} declarations`,
  );
  // Declarations that name the schemas' types: 0.6 MB on 2026-11-29. Spelled out at every use, they
  // took the whole package from 1.3 MB to 5.9 MB.
  expect(declarationSize).toBeLessThan(1024 * 1024);
  // The JavaScript, declarations and schema came to 2.0 MB on 2026-11-29.
  expect(unpackedSize).toBeLessThan(3 * 1024 * 1024);
});
