import { execFileSync } from "child_process";
import * as path from "path";

const BUILD_SCRIPT = path.resolve(__dirname, "../scripts/tools/build.sh");

export type GoTool =
  | "kube-validate"
  | "prometheus"
  | "alertmanager"
  | "loki"
  | "otelcol"
  | "alloy-syntax"
  | "otlp-sink"
  | "kubernetes"
  | "etcd"
  | "kwok";

/**
 * Builds the Go test tool tools/<name> once per source version (cached outside the repo,
 * see scripts/tools/build.sh) and returns the directory holding its binaries.
 */
export function toolDirectory(name: GoTool): string {
  return execFileSync("bash", [BUILD_SCRIPT, name], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}
