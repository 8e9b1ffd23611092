import { deployObservabilityStack, loadStackConfig } from "@observability-stack/pulumi";

// Everything, wired together, from this stack's `observability:` config (Pulumi.dev.yaml): the
// namespaces, Prometheus and Alertmanager, Loki and Alloy, the collector and Tempo, Grafana, and
// the demo services. The config is checked whole before anything is registered, and every object
// goes through one provider bound to `cluster.kubeContext`, never the ambient kube-context.
export = async () => {
  const stack = deployObservabilityStack(await loadStackConfig());
  return {
    grafanaUrl: stack.grafanaUrl,
    grafanaAdminUser: stack.grafanaAdminUser,
    grafanaAdminPassword: stack.grafanaAdminPassword,
    prometheusUrl: stack.prometheusLocalUrl,
    zipkinEndpoint: stack.zipkinLocalEndpoint,
    otlpHttpEndpoint: stack.otlpHttpLocalEndpoint,
    appTracingConfigMap: stack.appTracingConfigMap,
  };
};
