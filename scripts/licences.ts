// `npm run licences`: the licence gate. Lists every package linked into every Go tool of tools/ and
// the Go program the tests build (examples/go),
// every npm package of package-lock.json and every PyPI distribution the PyPI tools install, each
// with its licence (scripts/licences/), refuses the AGPL, SSPL, BUSL, the Commons Clause and no
// licence but for licences/exceptions.json, and writes docs/licences.md. `-- --check` writes
// nothing and fails when the gate refuses something or the committed page differs (but for its
// PyPI rows, which depend on what pip resolved). It needs every
// tool's modules (downloaded by `go list` when missing) and the PyPI tools installed, so CI runs it
// as its own step; npm test checks the page's inputs digest and the gate on fixtures.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../render/renderStack";
import { checkovExecutable, pulumiPythonVirtualenv, toolDirectory } from "../tests/kit/tools";
import { licenceClassifier } from "./licences/classifier";
import { readExceptions } from "./licences/exceptions";
import { Licensed, licenceVerdict } from "./licences/gate";
import { GoPackage, goPackageLicences } from "./licences/goPackages";
import { GO_PROGRAMS, goProgramListing, goToolListing, goToolNames } from "./licences/goTools";
import { npmPackageLicences } from "./licences/npmPackages";
import { EXCEPTIONS_FILE, LICENCES_PAGE, checkedPart, inputsDigest, licencesPage } from "./licences/page";
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
  const toolsDir = path.join(PROJECT_ROOT, "tools");
  const go = new Map<string, GoPackage[]>();
  for (const tool of goToolNames(toolsDir)) {
    const listing = goToolListing(toolsDir, tool, () => path.join(toolDirectory("ocb"), "builder"));
    try {
      go.set(tool, goPackageLicences(listing, classify));
    } finally {
      if (listing.scratch !== undefined) fs.rmSync(listing.scratch, { recursive: true, force: true });
    }
    process.stderr.write(`licences: tools/${tool}: ${go.get(tool)?.length} packages\n`);
  }
  for (const program of GO_PROGRAMS) {
    go.set(program, goPackageLicences(goProgramListing(PROJECT_ROOT, program), classify));
    process.stderr.write(`licences: ${program}: ${go.get(program)?.length} packages\n`);
  }
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

const args = process.argv.slice(2);
if (args.some((a) => a !== "--check")) {
  process.stderr.write(
    `npm run licences: unknown argument ${args.find((a) => a !== "--check")} (allowed: --check)\n`,
  );
  process.exit(2);
}
run(args.includes("--check"));
