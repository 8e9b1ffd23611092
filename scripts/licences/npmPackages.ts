// Every npm package of package-lock.json with its licence: the `license` field of the installed
// package's package.json (or the lockfile's, for a package not installed on this platform), or,
// where neither names one, what licensecheck reads in the package's licence files.
import * as fs from "fs";
import * as path from "path";
import { Classify } from "./goPackages";
import { licenceOf } from "./classifier";

export interface NpmPackage {
  readonly name: string;
  readonly version: string;
  readonly licence: string;
  readonly source: string;
}

interface LockEntry {
  version?: string;
  license?: string;
  link?: boolean;
}

interface Manifest {
  license?: string | { type?: string };
  licenses?: ({ type?: string } | string)[];
}

const LICENCE_FILE = /^(licen[cs]e|copying)([-._].*)?$/i;

/** A package.json's licence field as an SPDX expression, legacy forms included. */
function manifestLicence(manifest: Manifest): string {
  const field = manifest.license;
  if (typeof field === "string") return field;
  if (field?.type !== undefined) return field.type;
  const legacy = (manifest.licenses ?? []).map((l) => (typeof l === "string" ? l : (l.type ?? "")));
  return legacy.filter((l) => l !== "").join(" OR ");
}

export function npmPackageLicences(projectRoot: string, classify: Classify): NpmPackage[] {
  const lock = JSON.parse(fs.readFileSync(path.join(projectRoot, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const entries = Object.entries(lock.packages).filter(
    ([where, entry]) => where !== "" && entry.link !== true,
  );
  const found = entries.map(([where, entry]) => {
    const dir = path.join(projectRoot, where);
    const manifestFile = path.join(dir, "package.json");
    const manifest = fs.existsSync(manifestFile)
      ? (JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Manifest)
      : undefined;
    const declared = manifest === undefined ? (entry.license ?? "") : manifestLicence(manifest);
    // npm's way of pointing at a licence that is no SPDX ID: "SEE LICENSE IN <file>".
    const seeFile = /^SEE LICEN[CS]E IN (.+)$/i.exec(declared.trim())?.[1];
    const field = seeFile === undefined ? declared : "";
    const files =
      seeFile !== undefined
        ? [path.join(dir, seeFile)].filter((f) => fs.existsSync(f))
        : field === "" && fs.existsSync(dir)
          ? fs
              .readdirSync(dir)
              .filter((f) => LICENCE_FILE.test(f))
              .map((f) => path.join(dir, f))
          : [];
    const name = where.slice(where.lastIndexOf("node_modules/") + "node_modules/".length);
    return { name, version: entry.version ?? "", field, files, installed: manifest !== undefined };
  });
  const classified = classify(found.flatMap((f) => f.files));
  const packages = found.map(({ name, version, field, files, installed }) => {
    if (field !== "") {
      return { name, version, licence: field, source: installed ? "package.json" : "package-lock.json" };
    }
    const ids = [...new Set(files.flatMap((file) => classified.get(file)?.ids ?? []))];
    return {
      name,
      version,
      licence: licenceOf({ ids, percent: 0 }),
      source: files.length === 0 ? "none" : files.map((f) => path.basename(f)).join(", "),
    };
  });
  // A package the lockfile holds at several places is listed once per version.
  const unique = new Map(packages.map((p) => [`${p.name}@${p.version}`, p]));
  return [...unique.values()].sort((a, b) =>
    a.name === b.name ? a.version.localeCompare(b.version) : a.name < b.name ? -1 : 1,
  );
}
