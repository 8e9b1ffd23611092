import * as path from "path";

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
  otelcol: () => fromSetup("OTELCOL_DIR", "otelcol"),
  otlpSink: () => fromSetup("OTLP_SINK_DIR", "otlp-sink"),
  alloySyntax: () => fromSetup("ALLOY_SYNTAX_DIR", "alloy-syntax"),
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
