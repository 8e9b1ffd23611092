// The SDKs a Python, Go or .NET program installs (sdks/), generated from provider/schema.json by
// `npm run schema`: current with the committed schema; the Python one packed as the wheel
// `npm run build:wheel` makes, with every component and the plugin's name and version; the Go one
// type-checked against the Pulumi Go SDK. The schema itself is held to the TypeScript in
// schema.test.ts. The tier's setup builds the CLI and the code generators (tests/kit/tierTools.json).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GO_SDK_MODULE } from "../../provider/components";
import { generateSdks } from "../../scripts/package/sdks";
import { tools } from "../kit/tools";

const ROOT = path.resolve(__dirname, "../..");
const SDKS = path.join(ROOT, "sdks");
const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  version: string;
};

/** The components a Python program imports from the package (examples/python uses the first five). */
const PYTHON_CLASSES = [
  "MetricsStack",
  "LogsStack",
  "TracingStack",
  "GrafanaStack",
  "StackNamespaces",
  "KialiStack",
  "DemoStack",
];

/** Every file under `dir`, by path relative to it. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "observability-sdks-"));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

test("sdks/ is current (npm run schema)", () => {
  const out = path.join(scratch, "generated");
  generateSdks(path.join(ROOT, "provider", "schema.json"), out, tools.sdkGenerators());
  const generated = filesUnder(out);
  const committed = filesUnder(SDKS);
  const stale = [
    ...generated.filter((f) => !committed.includes(f)).map((f) => `${f} (missing)`),
    ...committed.filter((f) => !generated.includes(f)).map((f) => `${f} (npm run schema does not write it)`),
    ...generated.filter(
      (f) =>
        committed.includes(f) &&
        !fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(SDKS, f))),
    ),
  ].map((f) => `sdks/${f}`);
  if (stale.length > 0) {
    throw new Error(`sdks/ is stale: run \`npm run schema\`\n  ${stale.join("\n  ")}`);
  }
  expect(generated).toEqual(
    expect.arrayContaining([
      "python/pyproject.toml",
      "go/observability/metricsStack.go",
      "dotnet/MetricsStack.cs",
    ]),
  );
});

test("the wheel (npm run build:wheel) installs the package observability_stack, every component and the plugin's name and version", () => {
  const wheel = execFileSync(
    "bash",
    [path.join(ROOT, "scripts", "buildWheel.sh"), path.join(scratch, "wheel")],
    {
      encoding: "utf8",
    },
  ).trim();
  expect(path.basename(wheel)).toBe(`observability_stack-${version}-py3-none-any.whl`);
  const target = path.join(scratch, "site-packages");
  execFileSync(
    "python3",
    [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "--no-deps",
      "--target",
      target,
      wheel,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const installed = path.join(target, "observability_stack");
  expect(JSON.parse(fs.readFileSync(path.join(installed, "pulumi-plugin.json"), "utf8"))).toEqual({
    resource: true,
    name: "observability",
    version,
  });
  // What `import observability_stack` exposes: the public classes of each module the package's
  // __init__.py star-imports. Read with Python's own parser, since importing it needs the Pulumi
  // Python SDK, which this tier does not install (the cluster tier runs examples/python).
  const exposed = execFileSync(
    "python3",
    [
      "-c",
      `import ast, json, pathlib, sys
pkg = pathlib.Path(sys.argv[1])
init = ast.parse((pkg / "__init__.py").read_text())
starred = [n.module for n in init.body if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module and any(a.name == "*" for a in n.names)]
classes = sorted(c.name for m in starred for c in ast.parse((pkg / (m + ".py")).read_text()).body if isinstance(c, ast.ClassDef) and not c.name.startswith("_"))
print(json.dumps(classes))`,
      installed,
    ],
    { encoding: "utf8" },
  );
  expect(JSON.parse(exposed)).toEqual(expect.arrayContaining(PYTHON_CLASSES));
});

test("the Go SDK type-checks (go vet) with the Pulumi Go SDK of the code generators' own modules", () => {
  // sdks/go has no go.mod: the module is given the one tools/pulumi-codegen builds with
  // (sdk/v3 v3.215.0), under the module path its import paths name, and may not add a module
  // (-mod=readonly), so it reads only modules the tier's tool build already fetched.
  const module = path.join(scratch, "go");
  fs.cpSync(path.join(SDKS, "go"), module, { recursive: true });
  const codegen = path.join(ROOT, "tools", "pulumi-codegen");
  fs.writeFileSync(
    path.join(module, "go.mod"),
    fs.readFileSync(path.join(codegen, "go.mod"), "utf8").replace(/^module .*$/m, `module ${GO_SDK_MODULE}`),
  );
  fs.copyFileSync(path.join(codegen, "go.sum"), path.join(module, "go.sum"));
  const start = Date.now();
  // With scripts/tools/build.sh's flags (no cgo, -trimpath), the Pulumi SDK's packages the tool
  // build compiled are reused: 17 s the first time after a cold tool build instead of 80 s, 1 s after.
  execFileSync("go", ["vet", "-trimpath", "./..."], {
    cwd: module,
    env: { ...process.env, GOFLAGS: "-mod=readonly", CGO_ENABLED: "0" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  console.log(`go vet ./... of sdks/go: ${((Date.now() - start) / 1000).toFixed(1)} s`);
});
