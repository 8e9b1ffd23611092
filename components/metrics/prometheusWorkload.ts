import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { objectMeta } from "../common/metadata";
import { deployClusterRole, serviceAccountArgs } from "../common/rbac";
import { serviceArgs } from "../common/service";
import { deployWorkloadPolicy } from "../common/flowPolicies";
import { hardenedPodSpec, podTemplate } from "../common/podSpec";
import { podPlatform } from "../common/placement";
import { httpProbe } from "../common/probes";
import { deployDisruptionBudget, spreadAcrossNodes } from "../common/disruption";
import { dataProtection, volumeStatefulSet } from "../common/statefulSet";
import { containerPorts, servicePorts } from "../common/workloadSpec";
import { toYaml } from "../common/yaml";
import { configReloaderContainer } from "./configReloader";
import { externalUrls } from "./externalUrls";
import { scrapeCredentials } from "./extraScrapeJobs";
import {
  POD_NAME_ENV,
  PROMETHEUS,
  PROMETHEUS_PATHS,
  PROMETHEUS_PEERS_SERVICE,
  PROMETHEUS_QUERY_SERVICE,
} from "./names";
import { prometheusConfig } from "./prometheusConfig";
import { queryPodName, queryServiceUrl } from "./queryEndpoint";
import { ScrapeConfig } from "../common/prometheusTypes";
import { ruleFiles } from "./ruleFiles";
import { MetricsSettings } from "./settings";

export interface PrometheusWorkloadArgs {
  readonly config: MetricsSettings;
  readonly jobs: readonly ScrapeConfig[];
}

/** The rendered prometheus.yml and rule files, by ConfigMap key. */
export function prometheusFiles(config: MetricsSettings, jobs: readonly ScrapeConfig[]) {
  const rules = ruleFiles(config);
  return {
    config: { "prometheus.yml": toYaml(prometheusConfig({ config, jobs, ruleFiles: Object.keys(rules) })) },
    rules: Object.fromEntries(Object.entries(rules).map(([file, content]) => [file, toYaml(content)])),
  };
}

/**
 * Prometheus as a StatefulSet: one ReadWriteOnce volume per replica holding TSDB and WAL (a pod
 * is replaced, never doubled, on update), a config reloader instead of restarts, and the
 * remote-write receiver on for the Collector's span metrics and service graph. Pushing them keeps
 * one scrape job fewer and makes no difference once metrics go to Amazon Managed Prometheus.
 */
export function deployPrometheus(
  name: string,
  args: PrometheusWorkloadArgs,
  opts: pulumi.CustomResourceOptions,
) {
  const { config } = args;
  const namespace = config.namespaces.observability;
  const id = { name: PROMETHEUS.name, component: "metrics", image: config.images.prometheus };
  const files = prometheusFiles(config, args.jobs);
  const remoteWrite = config.metrics.remoteWrite;

  // IRSA: with remote write to Amazon Managed Prometheus, the pods sign as this role.
  new k8s.core.v1.ServiceAccount(
    `${name}-prometheus`,
    serviceAccountArgs(id, namespace, remoteWrite?.roleArn),
    opts,
  );
  // Read-only discovery of what Prometheus scrapes, plus kubelet metrics; no secrets, no proxy.
  deployClusterRole(
    `${name}-prometheus`,
    id,
    namespace,
    [
      { apiGroups: [""], resources: ["nodes", "services", "pods"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
      { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
      { nonResourceURLs: ["/metrics"], verbs: ["get"] },
    ],
    opts,
  );

  const configMap = new k8s.core.v1.ConfigMap(
    `${name}-prometheus-config`,
    { metadata: objectMeta(id, namespace, "prometheus-config"), data: files.config },
    opts,
  );
  const rulesMap = new k8s.core.v1.ConfigMap(
    `${name}-prometheus-rules`,
    { metadata: objectMeta(id, namespace, "prometheus-rules"), data: files.rules },
    opts,
  );

  // Teams' scrape credentials: a Secret mounted as files the jobs point at, never in the ConfigMap.
  const credentials = scrapeCredentials(config.metrics.extraScrapeConfigs);
  const credentialsSecret =
    Object.keys(credentials).length === 0
      ? undefined
      : new k8s.core.v1.Secret(
          `${name}-prometheus-scrape-credentials`,
          { metadata: objectMeta(id, namespace, "prometheus-scrape-credentials"), stringData: credentials },
          opts,
        );

  const replicas = config.metrics.replicas;
  const spec = hardenedPodSpec({
    platform: podPlatform(config, "prometheus"),
    serviceAccountName: PROMETHEUS.name,
    ...(replicas > 1 ? { topologySpreadConstraints: spreadAcrossNodes(id) } : {}),
    terminationGracePeriodSeconds: 600, // lets the TSDB finish writing its head block
    containers: [
      {
        name: "prometheus",
        image: config.images.prometheus,
        args: [
          `--config.file=${PROMETHEUS_PATHS.configFile}`,
          `--storage.tsdb.path=${PROMETHEUS_PATHS.data}`,
          `--storage.tsdb.retention.time=${config.metrics.retentionTime}`,
          `--storage.tsdb.retention.size=${config.metrics.retentionSize}`,
          "--web.enable-lifecycle",
          "--web.enable-remote-write-receiver",
          "--enable-feature=exemplar-storage",
          `--web.listen-address=:${PROMETHEUS.ports.http.port}`,
          // Alerts' generatorURL opens where people reach Prometheus; the API and probes stay at the root.
          `--web.external-url=${externalUrls(config).prometheus}`,
          "--web.route-prefix=/",
        ],
        ports: containerPorts(PROMETHEUS),
        // The `__replica__` external label AMP deduplicates by.
        ...(remoteWrite === undefined
          ? {}
          : { env: [{ name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] }),
        resources: config.resources.prometheus,
        volumeMounts: [
          { name: "config", mountPath: PROMETHEUS_PATHS.configDir, readOnly: true },
          { name: "rules", mountPath: PROMETHEUS_PATHS.rulesDir, readOnly: true },
          { name: "data", mountPath: PROMETHEUS_PATHS.data },
          ...(credentialsSecret === undefined
            ? []
            : [{ name: "scrape-credentials", mountPath: PROMETHEUS_PATHS.secretsDir, readOnly: true }]),
        ],
        livenessProbe: httpProbe("http", "/-/healthy", { initialDelaySeconds: 15, periodSeconds: 10 }),
        readinessProbe: httpProbe("http", "/-/ready", { initialDelaySeconds: 5, periodSeconds: 5 }),
        // WAL replay after a crash (605 s budget). Measured with the real binary
        // (tests/components/startup.test.ts): 53,312 samples replayed in 33–199 ms, ready in under 1 s;
        // at that speed two hours of a prod replica's 500k series (240 M samples) take about
        // 150 s, and the budget leaves four times that.
        startupProbe: httpProbe("http", "/-/ready", {
          initialDelaySeconds: 5,
          periodSeconds: 10,
          failureThreshold: 60,
        }),
      },
      configReloaderContainer(config, `http://127.0.0.1:${PROMETHEUS.ports.http.port}/-/reload`, [
        { volume: "config", mountPath: PROMETHEUS_PATHS.configDir },
        { volume: "rules", mountPath: PROMETHEUS_PATHS.rulesDir },
      ]),
    ],
    volumes: [
      { name: "config", configMap: { name: configMap.metadata.name } },
      { name: "rules", configMap: { name: rulesMap.metadata.name } },
      ...(credentialsSecret === undefined
        ? []
        : [
            {
              name: "scrape-credentials",
              secret: { secretName: credentialsSecret.metadata.name, defaultMode: 0o440 },
            },
          ]),
    ],
  });

  const nodePort = config.exposure.mode === "nodePort";
  new k8s.core.v1.Service(
    `${name}-prometheus`,
    serviceArgs({
      id,
      namespace,
      ports: servicePorts(
        PROMETHEUS,
        nodePort ? { nodePorts: { http: config.exposure.nodePorts.prometheus } } : {},
      ),
    }),
    opts,
  );

  // Stable per-replica names (prometheus-0.prometheus-peers...) for remote writers.
  new k8s.core.v1.Service(
    `${name}-prometheus-peers`,
    serviceArgs({
      id,
      namespace,
      name: PROMETHEUS_PEERS_SERVICE,
      headless: true,
      ports: servicePorts(PROMETHEUS),
    }),
    opts,
  );

  // What Grafana queries without remote write: one replica, the same every time.
  new k8s.core.v1.Service(
    `${name}-prometheus-query`,
    serviceArgs({
      id,
      namespace,
      name: PROMETHEUS_QUERY_SERVICE,
      pod: queryPodName(config.metrics),
      ports: servicePorts(PROMETHEUS),
    }),
    opts,
  );

  volumeStatefulSet(
    `${name}-prometheus`,
    {
      id,
      namespace,
      replicas,
      serviceName: PROMETHEUS_PEERS_SERVICE,
      template: podTemplate(id, spec),
      storageClassName: config.storage.className,
      storageSize: config.metrics.storageSize,
    },
    {
      ...opts,
      ...dataProtection(config.profile),
      dependsOn: [configMap, rulesMap, ...(credentialsSecret === undefined ? [] : [credentialsSecret])],
    },
  );
  deployDisruptionBudget(`${name}-prometheus`, id, namespace, replicas, opts);

  deployWorkloadPolicy(`${name}-prometheus`, config.wiring, namespace, id, opts);

  return { url: queryServiceUrl(namespace) };
}
