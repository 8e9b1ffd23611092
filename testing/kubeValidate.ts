// The strict Kubernetes decoder (tools/kube-validate, a Go program): the one check of a render that
// needs a binary. The package ships its sources, so a program's tests can build it where Go is.
import { createHash } from "crypto";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The decoder's sources: beside this module in the package, under tools/ in the repository. */
function sourcesDir(): string {
  const shipped = path.join(__dirname, "kube-validate");
  return fs.existsSync(path.join(shipped, "go.mod"))
    ? shipped
    : path.join(__dirname, "..", "tools", "kube-validate");
}

/** Where a build of these sources goes: the repository's tool cache, keyed as scripts/tools/build.sh keys it. */
function cachedBinary(sources: string): string {
  const files = [
    "go.mod",
    "go.sum",
    ...fs
      .readdirSync(sources)
      .filter((f) => f.endsWith(".go"))
      .sort(),
  ];
  const key = createHash("sha256")
    .update(Buffer.concat(files.map((f) => fs.readFileSync(path.join(sources, f)))))
    .digest("hex")
    .slice(0, 16);
  const cache =
    process.env.OBSERVABILITY_TOOLS_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "observability-tools");
  return path.join(cache, `kube-validate-${key}`, "kube-validate");
}

const onPath = (command: string): string | undefined => {
  const found = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).stdout.trim();
  return found === "" ? undefined : found;
};

/**
 * The kube-validate binary: in `$KUBE_VALIDATE_DIR`, on PATH, built before into the tool cache, or
 * built now from the shipped sources with Go (once: a minute or two, fetching Kubernetes' modules).
 * Without any of those, why it is not there.
 */
export function kubeValidate(): { readonly binary: string } | { readonly unavailable: string } {
  const dir = process.env.KUBE_VALIDATE_DIR;
  if (dir !== undefined) {
    return { binary: path.join(dir, "kube-validate") };
  }
  const found = onPath("kube-validate");
  if (found !== undefined) {
    return { binary: found };
  }
  const sources = sourcesDir();
  const binary = cachedBinary(sources);
  if (fs.existsSync(binary)) {
    return { binary };
  }
  if (onPath("go") === undefined) {
    return {
      unavailable:
        "no kube-validate: set KUBE_VALIDATE_DIR to a directory holding it, put it on PATH, or install Go (https://go.dev/doc/install) to build it from the sources the package ships",
    };
  }
  const building = `${path.dirname(binary)}.tmp`;
  fs.rmSync(building, { recursive: true, force: true });
  execFileSync(
    "go",
    ["build", "-trimpath", "-ldflags", "-s -w", "-o", path.join(building, "kube-validate"), "."],
    {
      cwd: sources,
      env: { ...process.env, CGO_ENABLED: "0" },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  fs.rmSync(path.dirname(binary), { recursive: true, force: true });
  fs.renameSync(building, path.dirname(binary));
  return { binary };
}
