// docs/licences.md: every linked package of every Go tool, every npm package of the lockfile and
// every PyPI distribution the tools install, each with its licence, and the exceptions; headed by a
// digest of the inputs it was generated from, so that npm test can tell it is stale without
// downloading every tool's modules.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { GO_PROGRAMS } from "./goTools";
import { LicenceException } from "./exceptions";
import { GoPackage } from "./goPackages";
import { NpmPackage } from "./npmPackages";
import { PypiPackage } from "./pypiPackages";
import { Verdict } from "./gate";

export const LICENCES_PAGE = "docs/licences.md";
export const EXCEPTIONS_FILE = "licences/exceptions.json";

/** Every file under `dir` (relative to `root`), as paths relative to `root`. */
export function filesUnder(root: string, dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? filesUnder(root, path.join(dir, entry.name)) : [path.join(dir, entry.name)],
    );
}

/** What the page is generated from, relative to the project root: a change to any makes it stale. */
export function licenceInputs(root: string): string[] {
  return [
    ...filesUnder(root, "tools"),
    // A Go program's sources too: an import of another package of a module it already requires
    // changes what it links without changing its go.mod.
    ...GO_PROGRAMS.flatMap((program) =>
      filesUnder(root, program).filter((file) => /(^|\/)go\.(mod|sum)$|\.go$/.test(file)),
    ),
    ...filesUnder(root, "scripts/licences"),
    "scripts/licences.ts",
    "package-lock.json",
    "scripts/tools/checkov.sh",
    "scripts/tools/pulumi-python.sh",
    "scripts/tools/pypi-venv.sh",
    EXCEPTIONS_FILE,
  ].sort();
}

export function inputsDigest(root: string, files: readonly string[] = licenceInputs(root)): string {
  const hash = createHash("sha256");
  for (const file of files) {
    hash
      .update(`${file}\0`)
      .update(fs.readFileSync(path.join(root, file)))
      .update("\0");
  }
  return hash.digest("hex");
}

const DIGEST_LINE = /^<!-- inputs sha256:([0-9a-f]{64}) -->$/m;

/** The inputs digest a page records. */
export function recordedDigest(page: string): string | undefined {
  return DIGEST_LINE.exec(page)?.[1];
}

const PYPI_HEADING = "## PyPI distributions";

/**
 * The part of a page `--check` holds to what it would write: all of it but the PyPI rows, which
 * depend on what pip resolved on the machine.
 */
export function checkedPart(page: string): string {
  const at = page.indexOf(`\n${PYPI_HEADING}\n`);
  return at === -1 ? page : page.slice(0, at);
}

export interface Listing {
  readonly go: ReadonlyMap<string, readonly GoPackage[]>;
  readonly npm: readonly NpmPackage[];
  readonly pypi: ReadonlyMap<string, readonly PypiPackage[]>;
}

const cell = (text: string) => text.replace(/\|/g, "\\|") || "none";

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function goSection(tool: string, packages: readonly GoPackage[]): string[] {
  // One row per module, licence and source: the packages it covers, relative to the module's path.
  const rows = new Map<string, { p: GoPackage; items: string[] }>();
  for (const p of packages) {
    const key = `${p.module}\0${p.version}\0${p.licence}\0${p.source}`;
    const row = rows.get(key) ?? { p, items: [] };
    // The standard library's packages vary with the Go release that lists them, its licence does not.
    const relative = p.module === "std" ? "" : p.importPath.slice(p.module.length).replace(/^\//, "") || ".";
    if (relative !== "") row.items.push(relative);
    rows.set(key, row);
  }
  // By module, then by where its licence comes from: a module licensed by folder has a row per folder,
  // in the same order whichever package `go list` named first.
  const sorted = [...rows.values()].sort((a, b) =>
    a.p.module === "std"
      ? -1
      : b.p.module === "std"
        ? 1
        : a.p.module.localeCompare(b.p.module) || a.p.source.localeCompare(b.p.source),
  );
  const modules = packages.filter((p) => p.module !== "std");
  return [
    `### ${(GO_PROGRAMS as readonly string[]).includes(tool) ? tool : `tools/${tool}`}: ${modules.length} linked packages of ${new Set(modules.map((p) => p.module)).size} modules, and Go's standard library`,
    "",
    "| module | version | licence | from | packages |",
    "| --- | --- | --- | --- | --- |",
    ...sorted.map(
      ({ p, items }) =>
        `| ${p.module === "std" ? "std (Go's standard library)" : p.module} | ${cell(p.version)} | ${cell(p.licence)} | ${cell(p.source)} | ${p.module === "std" ? "every standard package the tool links" : items.sort().join(", ")} |`,
    ),
    "",
  ];
}

export function licencesPage(
  digest: string,
  listing: Listing,
  exceptions: readonly LicenceException[],
  verdict: Verdict,
): string {
  const goPackages = [...listing.go.values()].flat().filter((p) => p.module !== "std");
  const standardLicences = [
    ...new Set(
      [...listing.go.values()]
        .flat()
        .filter((p) => p.module === "std")
        .map((p) => p.licence),
    ),
  ];
  const licences = [...goPackages.map((p) => p.licence), ...listing.npm.map((p) => p.licence)];
  return [
    "# Licences",
    "",
    "Generated by `npm run licences` (`scripts/licences.ts`); do not edit. Every package linked into",
    "every Go test tool of `tools/` (`go list -deps` with the tool's build tags, as",
    "`scripts/tools/build.sh` builds it) and the Go program the engine tier builds (`examples/go`), every npm package of `package-lock.json` and every PyPI",
    "distribution the project's PyPI tools install, each with its licence: for Go, the nearest licence",
    "file up the package's folders, read by `github.com/google/licensecheck` (`tools/licensecheck`), or",
    "the folder list of its repository's `LICENSING.md`; for npm, the package's `license` field (else",
    "its licence files); for PyPI, the `License-Expression` (else the licence files, the classifiers, the",
    "`License` field). The gate refuses the AGPL, the SSPL, the Business Source License, the Commons",
    `Clause and no licence at all, but for the exceptions of \`${EXCEPTIONS_FILE}\` below; CI runs`,
    "`npm run licences -- --check` (which fails when anything is refused, or when this page up to its",
    "PyPI section differs from what it would write), and `npm test` checks that this page was generated",
    "from the current inputs (the digest below: every file of `tools/` and `scripts/licences/`, the Go program's modules and sources,",
    "`package-lock.json`, the PyPI tools' install scripts and the exceptions).",
    "",
    `<!-- inputs sha256:${digest} -->`,
    "",
    "## Summary",
    "",
    "| listed | count |",
    "| --- | ---: |",
    `| Go tools | ${listing.go.size} |`,
    `| packages of modules linked into them (a package in several tools counted in each) | ${goPackages.length} |`,
    `| Go's standard library, linked into each, under | ${standardLicences.map(cell).join(", ")} |`,
    `| npm packages (name and version) | ${listing.npm.length} |`,
    `| refused and not excepted | ${verdict.problems.length} |`,
    "",
    "| licence | Go packages | npm |",
    "| --- | ---: | ---: |",
    ...countBy(licences, (l) => l).map(([licence]) => {
      const n = (list: readonly { licence: string }[]) => list.filter((p) => p.licence === licence).length;
      return `| ${cell(licence)} | ${n(goPackages)} | ${n(listing.npm)} |`;
    }),
    "",
    "## Exceptions",
    "",
    "| ecosystem | tool | module or package | reason | lets through |",
    "| --- | --- | --- | --- | --- |",
    ...exceptions.map((e) => {
      const items = verdict.used.get(e) ?? [];
      return `| ${e.ecosystem} | ${e.tool ?? ""} | ${e.name} | ${cell(e.reason)} | ${items.length}: ${items.map((i) => `${i.item} (${cell(i.licence)})`).join(", ")} |`;
    }),
    "",
    ...(verdict.problems.length === 0
      ? []
      : ["## Refused", "", ...verdict.problems.map((p) => `- ${p}`), ""]),
    "## Go tools",
    "",
    ...[...listing.go.entries()].flatMap(([tool, packages]) => goSection(tool, packages)),
    "## npm packages",
    "",
    "| package | version | licence | from |",
    "| --- | --- | --- | --- |",
    ...listing.npm.map((p) => `| ${p.name} | ${p.version} | ${cell(p.licence)} | ${cell(p.source)} |`),
    "",
    PYPI_HEADING,
    "",
    "`pip` resolves the PyPI tools' own dependencies when it builds a virtualenv (only the tools are",
    "pinned), so these rows are those of the virtualenvs on the machine that last generated the page.",
    "",
    ...[...listing.pypi.entries()].flatMap(([tool, packages]) => [
      `### ${tool}: ${packages.length} distributions`,
      "",
      "| distribution | version | licence | from |",
      "| --- | --- | --- | --- |",
      ...packages.map((p) => `| ${p.name} | ${p.version} | ${cell(p.licence)} | ${cell(p.source)} |`),
      "",
    ]),
  ].join("\n");
}
