// The packages linked into a Go tool's binary, as `go list -deps` lists them with the tool's build
// tags, each with the licence that covers it: the nearest licence file up its folder tree (within
// its module; the project's own for the tool's own module) or the folder list of a LICENSING.md at
// its module's root, whichever is nearer.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Classification, licenceOf } from "./classifier";
import { moduleFolderLicences } from "./folderLicences";

export interface GoPackage {
  readonly importPath: string;
  /** The module path, or "std" for Go's standard library. */
  readonly module: string;
  readonly version: string;
  /** An SPDX expression, or "" when no licence covers the package. */
  readonly licence: string;
  /** Where the licence comes from, relative to the module's root (or GOROOT). */
  readonly source: string;
}

export interface GoListing {
  /** The directory to run `go list` in (a module's root). */
  readonly dir: string;
  readonly pattern: string;
  readonly tags: string;
  readonly env?: Readonly<Record<string, string>>;
  /** A go.mod to list with in place of the directory's own (`-modfile`), as the tool's build does. */
  readonly modfile?: string;
  /** A directory the listing wrote (generated sources, a module's copy), removed once listed. */
  readonly scratch?: string;
  /** Where the walk up from the listed module's own packages stops: the repository's root. */
  readonly ownRoot: string;
  /** Modules of the project besides the main one, which the repository's licence covers. */
  readonly ownModules?: readonly string[];
}

interface ListedPackage {
  ImportPath: string;
  Dir?: string;
  Standard?: boolean;
  Module?: {
    Path: string;
    Version?: string;
    Dir?: string;
    Main?: boolean;
    Replace?: { Dir?: string; Version?: string };
  };
}

/** A licence file's name (LICENSE, LICENSE.md, LICENSE-APACHE, COPYING, MIT-LICENSE), not source code. */
const LICENCE_FILE = /^([a-z0-9]+[-_])?(licen[cs]e|copying|unlicense)([-._].*)?$/i;
const SOURCE_FILE = /\.(go|s|c|h|proto|js|ts|py|json|ya?ml|tmpl|html)$/i;

/** `go list -deps -json` of a listing: every package linked into the binary. */
export function listPackages(listing: GoListing): ListedPackage[] {
  const output = execFileSync(
    "go",
    [
      "list",
      "-deps",
      "-tags",
      listing.tags,
      ...(listing.modfile === undefined ? [] : ["-modfile", listing.modfile]),
      "-json=ImportPath,Dir,Standard,Module",
      listing.pattern,
    ],
    {
      cwd: listing.dir,
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
      env: { ...process.env, CGO_ENABLED: "0", ...listing.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return output
    .split(/\n(?=\{)/)
    .filter((chunk) => chunk.trim() !== "")
    .map((chunk) => JSON.parse(chunk) as ListedPackage);
}

const filesByDir = new Map<string, string[]>();
const foldersByModule = new Map<string, Map<string, string>>();

/** Licence files directly in a directory. */
function licenceFiles(dir: string): string[] {
  const known = filesByDir.get(dir);
  if (known !== undefined) return known;
  const files = readLicenceFiles(dir);
  filesByDir.set(dir, files);
  return files;
}

function readLicenceFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && LICENCE_FILE.test(entry.name) && !SOURCE_FILE.test(entry.name))
      .map((entry) => path.join(dir, entry.name))
      .sort();
  } catch {
    return [];
  }
}

export type Classify = (files: readonly string[]) => Map<string, Classification>;

/** What covers a package directory: the nearest licence files or LICENSING.md folder entry. */
interface Cover {
  readonly files?: readonly string[];
  readonly folder?: { readonly licence: string; readonly entry: string };
  readonly root: string;
}

function coverOf(dir: string, moduleRoot: string, stopAt: string): Cover | undefined {
  const folders = foldersByModule.get(moduleRoot) ?? moduleFolderLicences(moduleRoot);
  foldersByModule.set(moduleRoot, folders);
  for (let level = dir; ; level = path.dirname(level)) {
    const files = licenceFiles(level);
    if (files.length > 0) return { files, root: moduleRoot };
    const relative = path.relative(moduleRoot, level);
    const folder = folders.get(relative);
    if (relative !== "" && folder !== undefined)
      return { folder: { licence: folder, entry: relative }, root: moduleRoot };
    if (level === stopAt || path.dirname(level) === level || !level.startsWith(stopAt)) return undefined;
  }
}

/** The Go tool's linked packages with their licences. */
export function goPackageLicences(listing: GoListing, classify: Classify): GoPackage[] {
  const listed = listPackages(listing);
  const goroot = execFileSync("go", ["env", "GOROOT"], { encoding: "utf8" }).trim();
  const covers = listed.map((p) => {
    if (p.Standard === true) return { p, cover: coverOf(goroot, goroot, goroot), module: "std", version: "" };
    const module = p.Module;
    if (module === undefined || p.Dir === undefined) {
      throw new Error(
        `go list gave ${p.ImportPath} no module or directory: is the tool's module downloaded?`,
      );
    }
    const root = module.Replace?.Dir ?? module.Dir ?? p.Dir;
    // The tool's own module is the project's: in the repository, or generated from it elsewhere (the
    // collector's sources, which the builder writes from tools/otelcol/manifest.yaml); so are the
    // listing's other modules of the project (a Go program's generated SDK, sdks/go).
    const own = module.Main === true || (listing.ownModules ?? []).includes(module.Path);
    const inRepository = p.Dir.startsWith(`${listing.ownRoot}${path.sep}`);
    return {
      p,
      cover: own
        ? coverOf(inRepository ? p.Dir : listing.ownRoot, listing.ownRoot, listing.ownRoot)
        : coverOf(p.Dir, root, root),
      module: module.Path,
      version: module.Replace?.Version ?? module.Version ?? "",
    };
  });
  const classified = classify(covers.flatMap(({ cover }) => cover?.files ?? []));
  return covers.map(({ p, cover, module, version }) => {
    if (cover === undefined)
      return { importPath: p.ImportPath, module, version, licence: "", source: "none" };
    if (cover.folder !== undefined) {
      return {
        importPath: p.ImportPath,
        module,
        version,
        licence: cover.folder.licence,
        source: `LICENSING.md: ${cover.folder.entry}/`,
      };
    }
    const files = cover.files ?? [];
    const ids = [...new Set(files.flatMap((file) => classified.get(file)?.ids ?? []))];
    return {
      importPath: p.ImportPath,
      module,
      version,
      licence: licenceOf({ ids, percent: 0 }),
      source: files.map((file) => path.relative(cover.root, file)).join(", "),
    };
  });
}
