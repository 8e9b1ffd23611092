// The binaries the tests run: Go tools built from tools/<name> (scripts/tools/build.sh) and Checkov
// (scripts/tools/checkov.sh), each once per version into a cache outside the repo. A jest global
// setup gets them and hands their paths to the test files through the environment.
import { execFileSync } from "child_process";
import * as path from "path";

const INSTALL_SCRIPTS = path.resolve(__dirname, "../scripts/tools");

export type GoTool =
  | "kube-validate"
  | "prometheus"
  | "alertmanager"
  | "loki"
  | "lokitool"
  | "otelcol"
  | "alloy"
  | "otlp-sink"
  | "kubernetes"
  | "etcd"
  | "kwok";

/** Runs a script of scripts/tools (its progress goes to stderr) and returns the path it prints. */
function install(script: string, ...args: string[]): string {
  return execFileSync("bash", [path.join(INSTALL_SCRIPTS, script), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

/** Builds tools/<name> unless its version is cached, and returns the directory holding its binaries. */
export function toolDirectory(name: GoTool): string {
  return install("build.sh", name);
}

/** Installs Checkov unless its version is cached, and returns its executable. */
export function checkovExecutable(): string {
  return install("checkov.sh");
}

function fromSetup(variable: string, binary: string): string {
  const dir = process.env[variable];
  if (dir === undefined) {
    throw new Error(
      `${variable} is not set: run the tests through jest (tests/globalSetup.ts builds the tools)`,
    );
  }
  return path.join(dir, binary);
}

export const tools = {
  kubeValidate: () => fromSetup("KUBE_VALIDATE_DIR", "kube-validate"),
  promtool: () => fromSetup("PROMETHEUS_DIR", "promtool"),
  prometheus: () => fromSetup("PROMETHEUS_DIR", "prometheus"),
  amtool: () => fromSetup("ALERTMANAGER_DIR", "amtool"),
  alertmanager: () => fromSetup("ALERTMANAGER_DIR", "alertmanager"),
  // Built by the component tests' setup (tests/components/globalSetup.ts) only.
  loki: () => fromSetup("LOKI_DIR", "loki"),
  // Loki's rule-file validator (LogQL included), built apart from Loki so npm test need not build Loki.
  lokitool: () => fromSetup("LOKITOOL_DIR", "lokitool"),
  otelcol: () => fromSetup("OTELCOL_DIR", "otelcol"),
  otlpSink: () => fromSetup("OTLP_SINK_DIR", "otlp-sink"),
  alloy: () => fromSetup("ALLOY_DIR", "alloy"),
  // Built by the cluster tests' setup (tests/cluster/globalSetup.ts) only.
  etcd: () => fromSetup("ETCD_DIR", "server"),
  kubeApiserver: () => fromSetup("KUBERNETES_DIR", "kube-apiserver"),
  kubeControllerManager: () => fromSetup("KUBERNETES_DIR", "kube-controller-manager"),
  kubeScheduler: () => fromSetup("KUBERNETES_DIR", "kube-scheduler"),
  kwok: () => fromSetup("KWOK_DIR", "kwok"),
  checkov: () => {
    const executable = process.env.CHECKOV;
    if (executable === undefined) {
      throw new Error("CHECKOV is not set: run the tests through jest (tests/globalSetup.ts installs it)");
    }
    return executable;
  },
};
