// How each Go tool of tools/ is listed as scripts/tools/build.sh builds it: the packages its
// go.mod's `tool` lines name (with its build-tags), or its main package; Alloy without the checksum
// database (as built); the Kubernetes provider's command; the collector from the sources the OpenTelemetry Collector Builder generates
// from tools/otelcol/manifest.yaml (the builder's own module resolution, without compiling).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GoListing } from "./goPackages";

/** The builder's settings for the collector's modules, as scripts/tools/build.sh runs it. */
const COLLECTOR_ENV = {
  GONOSUMDB: "go.opentelemetry.io/collector,github.com/open-telemetry/opentelemetry-collector-contrib",
};

const PULUMI_KUBERNETES_PROVIDER = "github.com/pulumi/pulumi-kubernetes/provider/v4";

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
    return { dir: path.join(work, "build"), pattern: ".", tags: "", env: COLLECTOR_ENV, ownRoot };
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
  const tags = read("build-tags");
  const env = name === "alloy" ? { GOSUMDB: "off" } : undefined;
  return { dir, pattern: /^tool /m.test(read("go.mod")) ? "tool" : ".", tags, env, ownRoot };
}
