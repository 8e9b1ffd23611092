// The binaries the tests run: Go tools built from tools/<name> (scripts/tools/build.sh), Checkov
// (scripts/tools/checkov.sh) and the Pulumi Python SDK's virtualenv (scripts/tools/pulumi-python.sh),
// each once per version into a cache outside the repo. A jest global setup gets them and hands
// their paths to the test files through the environment.
import { execFileSync } from "child_process";
import * as os from "os";
import * as path from "path";
import tierTools from "./tierTools.json";

const INSTALL_SCRIPTS = path.resolve(__dirname, "../../scripts/tools");

export type GoTool =
  | "kube-validate"
  | "prometheus"
  | "alertmanager"
  | "otelcol"
  | "alloy"
  | "otlp-sink"
  | "kubernetes"
  | "etcd"
  | "kwok"
  | "kube-state-metrics"
  | "kube-rbac-proxy"
  | "thanos"
  | "gofakes3"
  | "sloth"
  | "oslo"
  | "actionlint"
  | "licensecheck"
  | "ocb"
  | "pulumi"
  | "pulumi-language-nodejs"
  | "pulumi-language-python"
  | "pulumi-language-go"
  | "pulumi-language-yaml"
  | "pulumi-kubernetes"
  | "pulumi-codegen";

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

/** The cache outside the repo that the tools' builds and installs are kept in, as scripts/tools/build.sh has it. */
export function toolsCache(): string {
  return (
    process.env.OBSERVABILITY_TOOLS_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "observability-tools")
  );
}

/** Installs Checkov unless its version is cached, and returns its executable. */
export function checkovExecutable(): string {
  return install("checkov.sh");
}

/**
 * Installs the Pulumi Python SDK and pulumi-kubernetes' Python SDK unless their versions are
 * cached, and returns the virtualenv's directory.
 */
export function pulumiPythonVirtualenv(): string {
  return install("pulumi-python.sh");
}

/** The environment variable through which a jest global setup hands each tool's directory to the test files. */
const DIRECTORY_VARIABLES: Readonly<Record<GoTool, string>> = {
  "kube-validate": "KUBE_VALIDATE_DIR",
  prometheus: "PROMETHEUS_DIR",
  alertmanager: "ALERTMANAGER_DIR",
  otelcol: "OTELCOL_DIR",
  alloy: "ALLOY_DIR",
  "otlp-sink": "OTLP_SINK_DIR",
  kubernetes: "KUBERNETES_DIR",
  etcd: "ETCD_DIR",
  kwok: "KWOK_DIR",
  "kube-state-metrics": "KUBE_STATE_METRICS_DIR",
  "kube-rbac-proxy": "KUBE_RBAC_PROXY_DIR",
  thanos: "THANOS_DIR",
  gofakes3: "GOFAKES3_DIR",
  sloth: "SLOTH_DIR",
  oslo: "OSLO_DIR",
  actionlint: "ACTIONLINT_DIR",
  licensecheck: "LICENSECHECK_DIR",
  // The collector builder: built for the collector, and run by the licence gate to list its modules.
  ocb: "OCB_DIR",
  pulumi: "PULUMI_DIR",
  "pulumi-language-nodejs": "PULUMI_LANGUAGE_NODEJS_DIR",
  "pulumi-language-python": "PULUMI_LANGUAGE_PYTHON_DIR",
  "pulumi-language-go": "PULUMI_LANGUAGE_GO_DIR",
  "pulumi-language-yaml": "PULUMI_LANGUAGE_YAML_DIR",
  "pulumi-kubernetes": "PULUMI_KUBERNETES_DIR",
  "pulumi-codegen": "PULUMI_CODEGEN_DIR",
};

export type TestTier = keyof typeof tierTools;

/** The Go tools each test tier runs, from tests/kit/tierTools.json, which scripts/steps.sh reads too. */
export function toolsOfTier(tier: TestTier): GoTool[] {
  return tierTools[tier].map((tool) => {
    if (!(tool in DIRECTORY_VARIABLES)) {
      throw new Error(`tests/kit/tierTools.json: ${tier} lists ${tool}, which is not a tool of tools/`);
    }
    return tool as GoTool;
  });
}

/**
 * The environment of a Go test tool that runs once and exits, such as `promtool test rules`: its
 * collector runs a quarter as often (GOGC=400), less processor time for memory this machine has to
 * spare. Never for a server whose memory a test reads.
 */
export function batchToolEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, GOGC: process.env.GOGC ?? "400" };
}

/** A tier's jest global setup: builds (or finds in the cache) its tools and hands their directories on. */
export function setUpTierTools(tier: TestTier): void {
  for (const tool of toolsOfTier(tier)) {
    process.env[DIRECTORY_VARIABLES[tool]] = toolDirectory(tool);
  }
  // The Python language host runs programs with the SDK's virtualenv.
  if (toolsOfTier(tier).includes("pulumi-language-python")) {
    process.env[PULUMI_PYTHON_VARIABLE] = pulumiPythonVirtualenv();
  }
}

function fromSetup(tool: GoTool, binary: string): string {
  const variable = DIRECTORY_VARIABLES[tool];
  const dir = process.env[variable];
  if (dir === undefined) {
    throw new Error(
      `${variable} is not set: run the tests through jest (tests/unit/globalSetup.ts builds the tools)`,
    );
  }
  return path.join(dir, binary);
}

/** The variable through which the cluster tests' global setup hands on the Pulumi Python SDK's virtualenv. */
export const PULUMI_PYTHON_VARIABLE = "PULUMI_PYTHON_VIRTUALENV";

/** An executable a jest global setup installed and handed on in `variable`. */
function installedBySetup(variable: string, setup: string): string {
  const executable = process.env[variable];
  if (executable === undefined) {
    throw new Error(`${variable} is not set: run the tests through jest (${setup} installs it)`);
  }
  return executable;
}

export const tools = {
  promtool: () => fromSetup("prometheus", "promtool"),
  actionlint: () => fromSetup("actionlint", "actionlint"),
  // The licence gate's classifier (github.com/google/licensecheck; scripts/licences/).
  licensecheck: () => fromSetup("licensecheck", "licensecheck"),
  prometheus: () => fromSetup("prometheus", "prometheus"),
  amtool: () => fromSetup("alertmanager", "amtool"),
  alertmanager: () => fromSetup("alertmanager", "alertmanager"),
  // Built by the server tests' setup (tests/servers/globalSetup.ts) only.
  otelcol: () => fromSetup("otelcol", "otelcol"),
  otlpSink: () => fromSetup("otlp-sink", "otlp-sink"),
  alloy: () => fromSetup("alloy", "alloy"),
  thanos: () => fromSetup("thanos", "thanos"),
  // The S3-compatible store Thanos is given as its bucket (tests/kit/objectStore.ts).
  s3Server: () => fromSetup("gofakes3", "gofakes3"),
  // The SLO generator the SLO engine is compared with (tests/servers/slothPeer.test.ts).
  sloth: () => fromSetup("sloth", "sloth"),
  // OpenSLO's own validator, the judge of what is a valid OpenSLO document (tests/servers/osloCorpus.test.ts).
  oslo: () => fromSetup("oslo", "oslo"),
  // Built by the cluster tests' setup (tests/cluster/globalSetup.ts) only.
  etcd: () => fromSetup("etcd", "server"),
  kubeApiserver: () => fromSetup("kubernetes", "kube-apiserver"),
  kubeControllerManager: () => fromSetup("kubernetes", "kube-controller-manager"),
  kubeScheduler: () => fromSetup("kubernetes", "kube-scheduler"),
  kwok: () => fromSetup("kwok", "kwok"),
  kubeStateMetrics: () => fromSetup("kube-state-metrics", "kube-state-metrics"),
  kubeRbacProxy: () => fromSetup("kube-rbac-proxy", "kube-rbac-proxy"),
  // The engine (tests/kit/engine/): the CLI, the Node.js, Python, Go and YAML language hosts, the
  // Kubernetes provider; each a directory the engine finds its programs in on PATH.
  pulumiDirectories: () =>
    (
      [
        "pulumi",
        "pulumi-language-nodejs",
        "pulumi-language-python",
        "pulumi-language-go",
        "pulumi-language-yaml",
        "pulumi-kubernetes",
      ] as const
    ).map((tool) => fromSetup(tool, ".")),
  pulumiLanguageNodejs: () => fromSetup("pulumi-language-nodejs", "pulumi-language-nodejs"),
  // The virtualenv with the Pulumi Python SDK the Python language host runs programs with.
  pulumiPythonVirtualenv: () => installedBySetup(PULUMI_PYTHON_VARIABLE, "tests/cluster/globalSetup.ts"),
  // The CLI and pkg/v3's code generators that `pulumi package gen-sdk` writes the SDKs with
  // (scripts/package/sdks.ts), built by the examples tier's setup for tests/examples/sdks.test.ts.
  sdkGenerators: () => ({ pulumi: fromSetup("pulumi", "."), codegen: fromSetup("pulumi-codegen", ".") }),
  checkov: () => installedBySetup("CHECKOV", "tests/unit/globalSetup.ts"),
};
