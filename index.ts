import * as k8s from "@pulumi/kubernetes";
import { ConfigError, loadStackConfig } from "./config";
import {
  DEPLOYED_VOLUMES_OUTPUT,
  deployedVolumes,
  readDeployedVolumes,
  volumeChangeProblems,
} from "./config/deployedVolumes";
import { PlatformSettings } from "./components/common/settings";
import { GrafanaStack } from "./components/grafanaStack";
import { LogsStack } from "./components/logsStack";
import { MetricsStack } from "./components/metricsStack";
import { StackNamespaces } from "./components/namespaces";
import { TracingStack } from "./components/tracingStack";
import { wiringGraph } from "./components/wiring/graph";

/**
 * The program. Config is validated before anything is registered, and every Kubernetes object
 * goes through one explicit provider bound to the configured context (the stack files disable
 * the default provider), so nothing can land in whatever cluster kubectl currently points at.
 */
async function main() {
  const config = loadStackConfig();
  const volumeProblems = volumeChangeProblems(config, await readDeployedVolumes());
  if (volumeProblems.length > 0) {
    throw new ConfigError(volumeProblems);
  }

  const provider = new k8s.Provider("kubernetes", {
    context: config.cluster.kubeContext,
    ...(config.cluster.kubeconfig === undefined ? {} : { kubeconfig: config.cluster.kubeconfig }),
  });

  // Who talks to whom: built once; every NetworkPolicy comes from it.
  const wiring = wiringGraph(config);
  const namespaces = new StackNamespaces(
    "namespaces",
    {
      ...config.namespaces,
      profile: config.profile,
      apps: config.apps.namespaces,
      createApps: config.apps.createNamespaces,
      wiring,
    },
    { provider },
  );
  const inNamespaces = { provider, dependsOn: [namespaces] };

  // Each stack reads its own sections of the config and what the others expose. Prometheus and
  // Alertmanager come first, as everything else sends to them; the others' scrape jobs depend only
  // on their settings, so Prometheus lists them from the start.
  const { profile, cluster, namespaces: stackNamespaces, apps, storage, images, resources } = config;
  const platform: PlatformSettings = {
    profile,
    cluster,
    namespaces: stackNamespaces,
    apps,
    storage,
    images,
    resources,
  };
  const metrics = new MetricsStack(
    "metrics",
    {
      ...platform,
      metrics: config.metrics,
      alerting: config.alerting,
      exposure: config.exposure,
      wiring,
      scrapeJobs: [
        ...LogsStack.scrapeJobs(config),
        ...TracingStack.scrapeJobs(config),
        ...GrafanaStack.scrapeJobs(config),
      ],
    },
    inNamespaces,
  );
  const logs = new LogsStack(
    "logs",
    {
      ...platform,
      logs: config.logs,
      alertmanagerUrl: metrics.alertmanagerUrl,
      runbookBaseUrl: config.metrics.runbookBaseUrl,
      wiring,
    },
    inNamespaces,
  );
  const tracing = new TracingStack(
    "tracing",
    {
      ...platform,
      tracing: config.tracing,
      exposure: config.exposure,
      slo: config.metrics.slo,
      prometheusWriteUrls: metrics.prometheusWriteUrls,
      wiring,
    },
    inNamespaces,
  );
  const grafana = new GrafanaStack(
    "grafana",
    {
      ...platform,
      grafana: config.grafana,
      exposure: config.exposure,
      metrics: config.metrics,
      wiring,
      backends: {
        prometheus: metrics.prometheusQuery,
        alertmanagerUrl: metrics.alertmanagerUrl,
        lokiUrl: logs.lokiUrl,
        ...(logs.tenant === undefined ? {} : { lokiTenant: logs.tenant }),
        traceIdExpression: logs.traceIdExpression,
        tempoUrl: tracing.tempoUrl,
      },
    },
    inNamespaces,
  );

  return {
    profile: config.profile,
    grafanaUrl: grafana.url,
    grafanaAdminUser: grafana.adminUser,
    grafanaAdminPassword: grafana.adminPassword,
    kubeContext: config.cluster.kubeContext,
    observabilityNamespace: namespaces.observability,
    nodeNamespace: namespaces.node,
    appNamespaces: namespaces.apps,
    [DEPLOYED_VOLUMES_OUTPUT]: deployedVolumes(config),
    prometheusUrl: metrics.prometheusUrl,
    alertmanagerUrl: metrics.alertmanagerUrl,
    lokiUrl: logs.lokiUrl,
    tempoUrl: tracing.tempoUrl,
    ...(config.exposure.mode === "nodePort"
      ? {
          prometheusLocalUrl: `http://localhost:${config.exposure.nodePorts.prometheus}`,
          zipkinLocalEndpoint: `http://localhost:${config.exposure.nodePorts.zipkin}/api/v2/spans`,
          otlpHttpLocalEndpoint: `http://localhost:${config.exposure.nodePorts.otlpHttp}`,
        }
      : {}),
  };
}

export = main;
