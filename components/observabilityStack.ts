import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DEPLOYED_VOLUMES_OUTPUT, deployedVolumes } from "../config/deployedVolumes";
import { DEPLOYED_IMAGES_OUTPUT, deployedImages } from "../config/deployedImages";
import { DEPLOYED_METRICS_HISTORY_OUTPUT, deployedMetricsHistory } from "../config/deployedMetricsHistory";
import type { LoadedStackConfig } from "../config/load";
import { openEgressWarnings } from "../config/openEgress";
import { DemoStack } from "./demoStack";
import { ownEveryField } from "./common/fieldOwnership";
import { firstLook } from "./firstLook";
import { GrafanaStack } from "./grafanaStack";
import { KialiStack } from "./kialiStack";
import { kialiRuns } from "./kiali/flows";
import { thanosQueryFacts } from "./metrics/queryEndpoint";
import { LogsStack } from "./logsStack";
import { metricsAccess } from "./metrics/metricsExposure";
import { MetricsStack } from "./metricsStack";
import { StackNamespaces } from "./stackNamespaces";
import { otherScrapeJobs } from "./stackConfig";
import { TracingStack } from "./tracingStack";
import { awsRoleServiceAccounts } from "./wiring/awsRoles";
import { wiringGraph } from "./wiring/graph";

/**
 * ConfigMaps and Secrets updated in place. Under the provider's defaults a change to their data
 * replaces them, deleting the named object before creating it again, so that for a moment the
 * pods that mount it cannot start; every workload here already rolls (or reloads) on a checksum
 * of what it reads, which is all a replacement would have bought.
 */
const MUTABLE_CONFIG = { enableConfigMapMutable: true, enableSecretMutable: true } as const;

/**
 * The whole stack from a Pulumi stack's config (`loadStackConfig()`): StackNamespaces, the four
 * components and, with `demo.enabled`, DemoStack, each given its sections of the config as args and
 * the others' URLs and pods, all through one explicit `k8s.Provider` bound to `cluster.kubeContext`
 * (never the ambient kube-context) unless `provider` is given. Returns the stack outputs: URLs, the
 * admin user and password (a secret), where to click first, what a platform team sets up next.
 */
export function deployObservabilityStack(
  stack: LoadedStackConfig,
  provider: k8s.Provider = new k8s.Provider("kubernetes", {
    context: stack.config.cluster.kubeContext,
    ...(stack.config.cluster.kubeconfig === undefined ? {} : { kubeconfig: stack.config.cluster.kubeconfig }),
    ...MUTABLE_CONFIG,
  }),
): Record<string, unknown> {
  const { config, args } = stack;
  const demo = config.demo.enabled;
  for (const warning of openEgressWarnings(config)) void pulumi.log.warn(warning);
  // Who talks to whom: built once; every NetworkPolicy comes from it.
  const wiring = wiringGraph(config);
  // With the demo on, each component that observes apps sees it as one, and its SLOs (config/shape.ts).
  const platform = {
    profile: args.profile,
    cluster: args.cluster,
    namespaces: args.namespaces,
    apps: args.apps,
    demo: { enabled: demo },
    storage: args.storage,
    images: args.images,
    placement: args.placement,
    resources: args.resources,
    wiring,
  };
  // Every component's objects, through the one provider, owning every field they set.
  const owned = { provider, transformations: [ownEveryField] };
  const namespaces = new StackNamespaces("namespaces", platform, owned);
  const inNamespaces = { ...owned, dependsOn: [namespaces] };
  const kialiUrl = KialiStack.publicUrl(config);

  // Prometheus and Alertmanager come first, as everything else sends to them.
  const metrics = new MetricsStack(
    "metrics",
    {
      ...platform,
      metrics: args.metrics,
      alerting: args.alerting,
      exposure: args.exposure,
      mesh: args.mesh,
      tracing: { latencyBucketsSeconds: config.tracing.latencyBucketsSeconds },
      grafanaUrl: GrafanaStack.publicUrl(config),
      scrapeJobs: otherScrapeJobs(config),
    },
    inNamespaces,
  );
  const logs = new LogsStack(
    "logs",
    {
      ...platform,
      logs: args.logs,
      metrics: { runbookBaseUrl: config.metrics.runbookBaseUrl },
      alertmanager: { url: metrics.alertmanagerUrl, endpoint: metrics.endpoints.alertmanager },
    },
    inNamespaces,
  );
  const tracing = new TracingStack(
    "tracing",
    {
      ...platform,
      tracing: args.tracing,
      exposure: args.exposure,
      metrics: { slo: args.metrics?.slo },
      mesh: args.mesh,
      prometheusWrites: metrics.prometheusWriteUrls.map((url) => ({
        url,
        endpoint: metrics.endpoints.prometheus,
      })),
    },
    inNamespaces,
  );
  const grafana = new GrafanaStack(
    "grafana",
    {
      ...platform,
      grafana: args.grafana,
      exposure: args.exposure,
      metrics: {
        slo: args.metrics?.slo,
        slos: args.metrics?.slos,
        openSloFiles: args.metrics?.openSloFiles,
        slothFiles: args.metrics?.slothFiles,
        remoteWrite: args.metrics?.remoteWrite,
      },
      prometheus: metrics.prometheusQuery,
      alertmanager: { url: metrics.alertmanagerUrl },
      loki: {
        url: logs.lokiUrl,
        ...(logs.tenant === undefined ? {} : { tenant: logs.tenant }),
        traceIdExpression: logs.traceIdExpression,
      },
      tempo: { url: tracing.tempoUrl },
      spanIngestJob: TracingStack.spanIngestJob,
      mesh: args.mesh,
      ...(kialiUrl === undefined ? {} : { kialiUrl }),
    },
    inNamespaces,
  );
  const kiali = kialiRuns(config)
    ? new KialiStack(
        "kiali",
        {
          ...platform,
          mesh: args.mesh,
          exposure: args.exposure,
          prometheus: {
            url: metrics.prometheusUrl,
            endpoint: metrics.endpoints.query,
            ...thanosQueryFacts(config.metrics),
          },
          tempo: { url: tracing.tempoUrl, endpoint: tracing.endpoints.tempo },
          grafana: { url: grafana.internalUrl, endpoint: grafana.endpoint, publicUrl: grafana.url },
        },
        inNamespaces,
      )
    : undefined;
  // After TracingStack: the demo pods read its ConfigMap in their namespace.
  if (demo) {
    new DemoStack(
      "demo",
      { profile: args.profile, cluster: args.cluster, images: args.images, demo: args.demo, tracing, wiring },
      { ...owned, dependsOn: [namespaces, tracing] },
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
      demo,
    }).join("\n"),
    ...(grafana.oauthRedirectUrl === undefined ? {} : { grafanaOAuthRedirectUrl: grafana.oauthRedirectUrl }),
    kubeContext: config.cluster.kubeContext,
    observabilityNamespace: namespaces.observability,
    nodeNamespace: namespaces.node,
    appNamespaces: namespaces.apps,
    [DEPLOYED_VOLUMES_OUTPUT]: deployedVolumes(config),
    [DEPLOYED_METRICS_HISTORY_OUTPUT]: deployedMetricsHistory(config),
    [DEPLOYED_IMAGES_OUTPUT]: deployedImages(config),
    prometheusUrl: metrics.prometheusUrl,
    alertmanagerUrl: metrics.alertmanagerUrl,
    prometheusAccess: access.prometheus,
    alertmanagerAccess: access.alertmanager,
    // What a platform team sets up next: the IAM roles to create, the ConfigMap apps `envFrom`.
    awsRoleServiceAccounts: awsRoleServiceAccounts(config),
    appTracingConfigMap: { name: tracing.appConfigMap, namespaces: config.apps.namespaces },
    lokiUrl: logs.lokiUrl,
    tempoUrl: tracing.tempoUrl,
    ...(kiali === undefined ? {} : { kialiAccess: kiali.access }),
    ...(config.exposure.mode === "nodePort"
      ? {
          prometheusLocalUrl: `http://localhost:${config.exposure.nodePorts.prometheus}`,
          zipkinLocalEndpoint: `http://localhost:${config.exposure.nodePorts.zipkin}/api/v2/spans`,
          otlpHttpLocalEndpoint: `http://localhost:${config.exposure.nodePorts.otlpHttp}`,
        }
      : {}),
  } satisfies Record<string, pulumi.Input<unknown>>;
}
