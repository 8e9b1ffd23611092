// A Pulumi program outside this repository that uses the package as npm installs it: the packed
// tarball, installed with its dependencies from the registry into the program's own node_modules,
// type-checked by the program's TypeScript. The package's own testing module renders it.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const REPOSITORY = path.resolve(__dirname, "../..");

/** The package's name, as a consumer's package.json depends on it. */
export const PACKAGE_NAME = (
  JSON.parse(fs.readFileSync(path.join(REPOSITORY, "package.json"), "utf8")) as { name: string }
).name;

/** The tarball `npm pack` writes, with what npm reports of it. */
export interface PackedPackage {
  readonly tarball: string;
  /** Every file in it, by path inside the package. */
  readonly files: readonly string[];
  /** Bytes of the gzipped tarball. */
  readonly size: number;
  readonly unpackedSize: number;
  /** Bytes of its declaration files (`.d.ts`), unpacked. */
  readonly declarationSize: number;
}

/** Runs `npm pack` in the repository (its prepack script builds dist/) and writes the tarball into `destination`. */
export function packPackage(destination: string): PackedPackage {
  const report = execFileSync("npm", ["pack", "--json", "--pack-destination", destination], {
    cwd: REPOSITORY,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [packed] = JSON.parse(report) as {
    filename: string;
    files: { path: string; size: number }[];
    size: number;
    unpackedSize: number;
  }[];
  return {
    tarball: path.join(destination, packed.filename),
    files: packed.files.map((f) => f.path),
    size: packed.size,
    unpackedSize: packed.unpackedSize,
    declarationSize: packed.files.filter((f) => f.path.endsWith(".d.ts")).reduce((sum, f) => sum + f.size, 0),
  };
}

/** Runs a command in `cwd`; on failure, an error with everything it printed. */
function run(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

/** The installs of consumer programs made so far, by the dependencies each program's package.json asks for. */
export type ConsumerInstalls = Map<string, string>;

/**
 * Copies the program in `source` (without its node_modules or lockfile) to `destination`, points its
 * dependency on the package at `tarball` and runs `npm install` there: the package and everything
 * else come as they would on the user's machine, from the tarball and the registry. A program
 * asking for exactly the dependencies of one in `installs` gets the tree npm installed for that
 * one, hard-linked into its own node_modules, instead of a second install of the same tree.
 * Returns the directory whose install it got (`destination`, or the earlier program's).
 */
export function installConsumerProgram(
  source: string,
  destination: string,
  tarball: string,
  installs: ConsumerInstalls = new Map(),
): string {
  fs.cpSync(source, destination, {
    recursive: true,
    filter: (file) => !["node_modules", "package-lock.json"].includes(path.basename(file)),
  });
  const manifest = path.join(destination, "package.json");
  const pkg = JSON.parse(fs.readFileSync(manifest, "utf8")) as {
    dependencies: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  if (pkg.dependencies[PACKAGE_NAME] === undefined) {
    throw new Error(`${source}/package.json does not depend on ${PACKAGE_NAME}`);
  }
  pkg.dependencies[PACKAGE_NAME] = `file:${tarball}`;
  fs.writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
  const sorted = (deps: Record<string, string> = {}) =>
    Object.entries(deps).sort(([a], [b]) => a.localeCompare(b));
  const asked = JSON.stringify([sorted(pkg.dependencies), sorted(pkg.devDependencies)]);
  const installed = installs.get(asked);
  if (installed !== undefined) {
    run(
      "cp",
      ["-al", path.join(installed, "node_modules"), path.join(destination, "node_modules")],
      destination,
    );
    return installed;
  }
  run("npm", ["install", "--no-audit", "--no-fund"], destination);
  installs.set(asked, destination);
  return destination;
}

/** Type-checks the program with its own TypeScript and tsconfig.json, as `pulumi up` would before running it. */
export function typeCheckConsumerProgram(dir: string): void {
  run(path.join(dir, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", dir], dir);
}
