// The repository's release commits: a release is the commit that set package.json's `version` to it.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../render/renderStack";

/** The commit that made `version` package.json's version, or an error naming what git said. */
export function releaseCommit(version: string, repository: string = PROJECT_ROOT): string {
  const commits = execFileSync(
    "git",
    ["log", "--format=%H", `-S"version": "${version}"`, "--", "package.json"],
    { cwd: repository, encoding: "utf8" },
  )
    .trim()
    .split("\n")
    .filter((line) => line !== "");
  const first = commits.at(-1);
  if (first === undefined) {
    throw new Error(`no commit of ${repository} set package.json's version to ${version} (a shallow clone?)`);
  }
  return first;
}

/**
 * The dependencies the checkout at `root` pins that this checkout's node_modules does not hold at
 * that version, as `name@wanted (installed …)`: none, and that checkout's program runs on exactly
 * its own dependencies from here.
 */
export function dependencyMismatches(root: string): string[] {
  const pinned = (
    JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    }
  ).dependencies;
  return Object.entries(pinned ?? {}).flatMap(([name, wanted]) => {
    const manifest = path.join(PROJECT_ROOT, "node_modules", name, "package.json");
    const installed = fs.existsSync(manifest)
      ? (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string }).version
      : "none";
    return satisfies(installed, wanted) ? [] : [`${name}@${wanted} (installed ${installed})`];
  });
}

/** `installed` meets `wanted`: the same version, or for `^x.y.z` (x ≥ 1) the same major and no older. */
function satisfies(installed: string, wanted: string): boolean {
  if (!wanted.startsWith("^")) return installed.replace(/^v/, "") === wanted;
  const [have, want] = [installed.replace(/^v/, ""), wanted.slice(1)].map((v) => v.split(".").map(Number));
  return have[0] === want[0] && (have[1] > want[1] || (have[1] === want[1] && have[2] >= want[2]));
}
