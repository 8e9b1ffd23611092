// `npm run licences`: the licence gate. Lists every package linked into every Go tool of tools/ and
// the Go program the tests build (examples/go),
// every npm package of package-lock.json and every PyPI distribution the PyPI tools install, each
// with its licence (scripts/licences/), refuses the AGPL, SSPL, BUSL, the Commons Clause and no
// licence but for licences/exceptions.json, and writes docs/licences.md. `-- --check` writes
// nothing and fails when the gate refuses something or the committed page differs (but for its
// PyPI rows, which depend on what pip resolved). It needs every
// tool's modules (downloaded by `go list` when missing) and the PyPI tools installed, so CI runs it
// as its own step; npm test checks the page's inputs digest and the gate on fixtures.
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../render/renderStack";
import { checkovExecutable, pulumiPythonVirtualenv, toolDirectory, toolsCache } from "../tests/kit/tools";
import { licenceClassifier } from "./licences/classifier";
import { readExceptions } from "./licences/exceptions";
import { Licensed, licenceVerdict } from "./licences/gate";
import { Classify, GoPackage, goPackageLicences } from "./licences/goPackages";
import { GO_PROGRAMS, goProgramListing, goToolListing, goToolNames } from "./licences/goTools";
import { npmPackageLicences } from "./licences/npmPackages";
import {
  EXCEPTIONS_FILE,
  LICENCES_PAGE,
  checkedPart,
  filesUnder,
  inputsDigest,
  licenceInputs,
  licencesPage,
} from "./licences/page";
import { PypiPackage, pypiPackageLicences } from "./licences/pypiPackages";

const PYPI_TOOLS: Readonly<Record<string, () => string>> = {
  checkov: checkovExecutable,
  // The Pulumi Python SDK and pulumi-kubernetes' (the engine tier's Python programs), by the
  // virtualenv's interpreter, whose directory's parent is the virtualenv like the others'.
  "pulumi-python": () => path.join(pulumiPythonVirtualenv(), "bin", "python"),
};

function run(check: boolean): void {
  const started = Date.now();
  const classify = licenceClassifier(path.join(toolDirectory("licensecheck"), "licensecheck"));
  const go = goPackages(classify);
  const npm = npmPackageLicences(PROJECT_ROOT, classify);
  const pypi = new Map<string, PypiPackage[]>(
    Object.entries(PYPI_TOOLS).map(([tool, executable]) => [
      tool,
      pypiPackageLicences(tool, path.dirname(path.dirname(executable())), classify),
    ]),
  );
  const items: Licensed[] = [
    ...[...go.entries()].flatMap(([tool, packages]) =>
      packages.map((p) => ({
        ecosystem: "go" as const,
        tool,
        name: p.module,
        item: p.importPath,
        licence: p.licence,
      })),
    ),
    ...npm.map((p) => ({
      ecosystem: "npm" as const,
      name: p.name,
      item: `${p.name}@${p.version}`,
      licence: p.licence,
    })),
    ...[...pypi.values()].flat().map((p) => ({
      ecosystem: "pypi" as const,
      tool: p.tool,
      name: p.name,
      item: `${p.name}@${p.version}`,
      licence: p.licence,
    })),
  ];
  const exceptions = readExceptions(path.join(PROJECT_ROOT, EXCEPTIONS_FILE));
  const verdict = licenceVerdict(items, exceptions);
  const page = licencesPage(inputsDigest(PROJECT_ROOT), { go, npm, pypi }, exceptions, verdict);
  const file = path.join(PROJECT_ROOT, LICENCES_PAGE);
  const problems = [...verdict.problems];
  if (check) {
    const committed = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (checkedPart(committed) !== checkedPart(page)) {
      problems.push(`${LICENCES_PAGE} is stale: run npm run licences and commit it`);
    } else if (committed !== page) {
      process.stderr.write(
        `licences: the PyPI tools' dependencies resolved differently here than in ${LICENCES_PAGE} (not a failure)\n`,
      );
    }
  } else {
    fs.writeFileSync(file, page);
    process.stdout.write(`wrote ${LICENCES_PAGE}\n`);
  }
  process.stderr.write(
    `licences: ${items.length} listed in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  if (problems.length > 0) {
    process.stderr.write(`the licence gate refuses:\n${problems.map((p) => `- ${p}`).join("\n")}\n`);
    process.exit(1);
  }
}

/**
 * Every package linked into each Go tool and Go program, with its licence. It follows from the
 * inputs the page's digest covers (go.sum fixes each module's files) and from the Go release that
 * lists them (its standard library), so it is kept in the tool cache under both and listed again
 * only when one changes: listing the tools' packages is most of the gate's time.
 */
function goPackages(classify: Classify): Map<string, GoPackage[]> {
  // And the generated Go SDK the Go programs replace its module with, which the page's digest
  // leaves out: it changes with every change to the components' API, and what it imports with none.
  const sdk = filesUnder(PROJECT_ROOT, "sdks/go").sort();
  const inputs = inputsDigest(PROJECT_ROOT, [...licenceInputs(PROJECT_ROOT), ...sdk]);
  const go = execFileSync("go", ["env", "GOVERSION", "GOOS", "GOARCH"], { encoding: "utf8" });
  const key = createHash("sha256").update(inputs).update(go).digest("hex").slice(0, 16);
  const cached = path.join(toolsCache(), "licences", `go-packages-${key}.json`);
  if (fs.existsSync(cached)) {
    process.stderr.write(
      `licences: the Go packages of every tool, as listed before for these inputs (${cached})\n`,
    );
    return new Map(
      Object.entries(JSON.parse(fs.readFileSync(cached, "utf8")) as Record<string, GoPackage[]>),
    );
  }
  const toolsDir = path.join(PROJECT_ROOT, "tools");
  const packages = new Map<string, GoPackage[]>();
  for (const tool of goToolNames(toolsDir)) {
    const listing = goToolListing(toolsDir, tool, () => path.join(toolDirectory("ocb"), "builder"));
    try {
      packages.set(tool, goPackageLicences(listing, classify));
    } finally {
      if (listing.scratch !== undefined) fs.rmSync(listing.scratch, { recursive: true, force: true });
    }
    process.stderr.write(`licences: tools/${tool}: ${packages.get(tool)?.length} packages\n`);
  }
  for (const program of GO_PROGRAMS) {
    packages.set(program, goPackageLicences(goProgramListing(PROJECT_ROOT, program), classify));
    process.stderr.write(`licences: ${program}: ${packages.get(program)?.length} packages\n`);
  }
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  const partial = `${cached}.${process.pid}`;
  fs.writeFileSync(partial, JSON.stringify(Object.fromEntries(packages)));
  fs.renameSync(partial, cached);
  return packages;
}

const args = process.argv.slice(2);
if (args.some((a) => a !== "--check")) {
  process.stderr.write(
    `npm run licences: unknown argument ${args.find((a) => a !== "--check")} (allowed: --check)\n`,
  );
  process.exit(2);
}
run(args.includes("--check"));
