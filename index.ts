import * as k8s from "@pulumi/kubernetes";
import { loadStackConfig } from "./config/load";
import { DEPLOYED_VOLUMES_OUTPUT, deployedVolumes } from "./config/deployedVolumes";
import { PROJECT_ROOT } from "./config/projectRoot";
import { componentConfigChecks, otherScrapeJobs } from "./components/configChecks";
import { platformSettings } from "./components/common/settings";
import { readExtraDashboards } from "./components/grafana/extraDashboards";
import { Demo } from "./components/demo";
import { DEMO_NAMESPACE } from "./components/demo/names";
import { firstLook } from "./components/grafana/firstLook";
import { Grafana } from "./components/grafana";
import { Logs } from "./components/logs";
import { Metrics } from "./components/metrics";
import { Namespaces } from "./components/namespaces";
import { Tracing } from "./components/tracing";
import { wiringGraph } from "./components/wiring/graph";
import { metricsAccess } from "./components/metrics/metricsExposure";
import { APP_TRACING_CONFIGMAP } from "./components/tracing/names";
import { awsRoleServiceAccounts } from "./components/wiring/awsRoles";

/**
 * The program. Config is validated before anything is registered, and every Kubernetes object
 * goes through one explicit provider bound to the configured context (the stack files disable
 * the default provider), so nothing can land in whatever cluster kubectl currently points at.
 */
async function main() {
  const config = await loadStackConfig(componentConfigChecks(PROJECT_ROOT));
  const extraDashboards = readExtraDashboards(config, PROJECT_ROOT);

  const provider = new k8s.Provider("kubernetes", {
    context: config.cluster.kubeContext,
    ...(config.cluster.kubeconfig === undefined ? {} : { kubeconfig: config.cluster.kubeconfig }),
  });

  // Who talks to whom: built once; every NetworkPolicy comes from it.
  const wiring = wiringGraph(config);
  const namespaces = new Namespaces(
    "namespaces",
    {
      ...config.namespaces,
      profile: config.profile,
      apps: config.apps.namespaces,
      createApps: config.apps.createNamespaces,
      wiring,
      ...(config.demo.enabled ? { demo: DEMO_NAMESPACE } : {}),
      ...(config.images.registryCredentials === undefined
        ? {}
        : { registryCredentials: config.images.registryCredentials }),
    },
    { provider },
  );
  const inNamespaces = { provider, dependsOn: [namespaces] };

  // Each component reads its own sections of the config and what the others expose. Prometheus and
  // Alertmanager come first, as everything else sends to them.
  const platform = platformSettings(config);
  const metrics = new Metrics(
    "metrics",
    {
      ...platform,
      metrics: config.metrics,
      alerting: config.alerting,
      exposure: config.exposure,
      wiring,
      scrapeJobs: otherScrapeJobs(config),
    },
    inNamespaces,
  );
  const logs = new Logs(
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
  const tracing = new Tracing(
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
  const grafana = new Grafana(
    "grafana",
    {
      ...platform,
      grafana: config.grafana,
      exposure: config.exposure,
      metrics: config.metrics,
      wiring,
      extraDashboards: extraDashboards.folders,
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

  // After Tracing: the demo pods read its ConfigMap in their namespace.
  if (config.demo.enabled) {
    new Demo(
      "demo",
      { images: config.images, demo: config.demo, wiring },
      { provider, dependsOn: [namespaces, tracing] },
    );
  }

  const access = metricsAccess(config);
  return {
    profile: config.profile,
    grafanaUrl: grafana.url,
    grafanaAdminUser: grafana.adminUser,
    grafanaAdminPassword: grafana.adminPassword,
    // Printed at the end of `npm run up`: where to click first.
    firstLook: firstLook({
      grafanaUrl: grafana.url,
      adminUser: grafana.adminUser,
      profile: config.profile,
      demo: config.demo.enabled,
    }).join("\n"),
    ...(grafana.oauthRedirectUrl === undefined ? {} : { grafanaOAuthRedirectUrl: grafana.oauthRedirectUrl }),
    kubeContext: config.cluster.kubeContext,
    observabilityNamespace: namespaces.observability,
    nodeNamespace: namespaces.node,
    appNamespaces: namespaces.apps,
    [DEPLOYED_VOLUMES_OUTPUT]: deployedVolumes(config),
    prometheusUrl: metrics.prometheusUrl,
    alertmanagerUrl: metrics.alertmanagerUrl,
    prometheusAccess: access.prometheus,
    alertmanagerAccess: access.alertmanager,
    // What a platform team sets up next: the IAM roles to create, the ConfigMap apps `envFrom`.
    awsRoleServiceAccounts: awsRoleServiceAccounts(config),
    appTracingConfigMap: { name: APP_TRACING_CONFIGMAP, namespaces: config.apps.namespaces },
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
