// How each Go tool of tools/ is listed as scripts/tools/build.sh builds it: the packages its
// go.mod's `tool` lines name (with its build-tags), or its main package, with the modules its
// overlay/ replaces in place (scripts/tools/overlay.sh, as built); the Kubernetes provider's
// command; the collector from the sources the OpenTelemetry Collector Builder generates from
// tools/otelcol/manifest.yaml (the builder's own module resolution, without compiling).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GO_SDK_MODULE } from "../../provider/components";
import { GoListing } from "./goPackages";

/** The builder's settings for the collector's modules, as scripts/tools/build.sh runs it. */
const COLLECTOR_ENV = {
  GONOSUMDB: "go.opentelemetry.io/collector,github.com/open-telemetry/opentelemetry-collector-contrib",
};

const PULUMI_KUBERNETES_PROVIDER = "github.com/pulumi/pulumi-kubernetes/provider/v4";

/**
 * The Go programs outside tools/ that the tests build and run: the quickstart in Go, which the
 * engine tier's Go language host builds (tests/cluster/languages.test.ts).
 */
export const GO_PROGRAMS = ["examples/go"] as const;

/** The listing of a Go program of GO_PROGRAMS: its main package, as `go build` builds it. */
export function goProgramListing(root: string, program: string): GoListing {
  return {
    dir: path.join(root, program),
    pattern: ".",
    tags: "",
    ownRoot: root,
    ownModules: [GO_SDK_MODULE],
  };
}

export function goToolNames(toolsDir: string): string[] {
  return fs
    .readdirSync(toolsDir)
    .filter((name) => ["go.mod", "manifest.yaml"].some((f) => fs.existsSync(path.join(toolsDir, name, f))))
    .sort();
}

/** The listing of a tool; `ocb` is the builder's binary (for a manifest.yaml tool). */
export function goToolListing(toolsDir: string, name: string, ocb: () => string): GoListing {
  const dir = path.join(toolsDir, name);
  const ownRoot = path.dirname(toolsDir);
  const read = (file: string) =>
    fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8").trim() : "";
  if (fs.existsSync(path.join(dir, "manifest.yaml"))) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `licences-${name}-`));
    fs.copyFileSync(path.join(dir, "manifest.yaml"), path.join(work, "manifest.yaml"));
    execFileSync(ocb(), ["--config", "manifest.yaml", "--skip-compilation"], {
      cwd: work,
      env: { ...process.env, ...COLLECTOR_ENV, CGO_ENABLED: "0" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    return {
      dir: path.join(work, "build"),
      pattern: ".",
      tags: "",
      env: COLLECTOR_ENV,
      ownRoot,
      scratch: work,
    };
  }
  // The provider's command, which build.sh builds from a copy of the provider's module.
  if (name === "pulumi-kubernetes") {
    return {
      dir,
      pattern: `${PULUMI_KUBERNETES_PROVIDER}/cmd/pulumi-resource-kubernetes`,
      tags: "",
      ownRoot,
    };
  }
  const listing = {
    dir,
    pattern: /^tool /m.test(read("go.mod")) ? "tool" : ".",
    tags: read("build-tags"),
    ownRoot,
  };
  return fs.existsSync(path.join(dir, "overlay")) ? overlaid(listing, name) : listing;
}

/**
 * A tool with an overlay/ as build.sh builds it: with a go.mod that replaces the modules it
 * overlays by copies with its files in place (scripts/tools/overlay.sh), so only what those files
 * keep is linked. Alloy's without the checksum database, as built.
 */
function overlaid(listing: GoListing, name: string): GoListing {
  const env: Record<string, string> = name === "alloy" ? { GOSUMDB: "off" } : {};
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `licences-${name}-`));
  const modfile = execFileSync(path.join(__dirname, "..", "tools", "overlay.sh"), [name, work], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  return { ...listing, env, modfile, scratch: work };
}
