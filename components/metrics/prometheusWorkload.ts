import * as pulumi from "@pulumi/pulumi";
import { spreadAcrossNodes } from "../common/disruption";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployWorkload } from "../common/workload";
import { toYaml, toYamlInput } from "../common/yaml";
import { externalUrls } from "./externalUrls";
import { scrapeCredentials } from "./extraScrapeJobs";
import { POD_NAME_ENV, PROMETHEUS, PROMETHEUS_PATHS, PROMETHEUS_PEERS_SERVICE } from "./names";
import { prometheusConfig } from "./prometheusConfig";
import { replicaLabel, thanosQueryRuns } from "./queryEndpoint";
import { thanosSidecarContainer } from "./thanosSidecar";
import { ObjectStoreMount, bucketConfigOptions } from "./objectStorage";
import { ScrapeConfig } from "../common/prometheusTypes";
import { placedRuleFiles } from "./ruleFiles";
import { MetricsSettings } from "./settings";

interface PrometheusWorkloadArgs {
  readonly config: MetricsSettings;
  readonly jobs: readonly ScrapeConfig[];
  /** The bucket the sidecars upload the replicas' blocks to (metrics.objectStorage). */
  readonly objectStore?: ObjectStoreMount;
}

/**
 * Thanos uploads only blocks Prometheus will not compact again: with equal block durations every
 * block stays a 2-hour block, and the compactor does the rest in the bucket.
 */
const UPLOADED_BLOCK_DURATION = "2h";

/**
 * How often Prometheus compares its config file and rule files with what it loaded
 * (auto-reload-config), and reloads them when they differ: a config edit takes effect without a
 * restart, a sidecar, or the lifecycle API that would also let a caller `POST /-/quit`.
 */
export const PROMETHEUS_CONFIG_CHECK = "30s";
/** The rendered prometheus.yml and rule files, by ConfigMap key. */
export function prometheusFiles(config: MetricsSettings, jobs: readonly ScrapeConfig[]) {
  const rules = placedRuleFiles(config).prometheus;
  return {
    config: {
      "prometheus.yml": toYamlInput(prometheusConfig({ config, jobs, ruleFiles: Object.keys(rules) })),
    },
    rules: Object.fromEntries(Object.entries(rules).map(([file, content]) => [file, toYaml(content)])),
  };
}

/**
 * Prometheus as a StatefulSet: one ReadWriteOnce volume per replica holding TSDB and WAL (a pod
 * is replaced, never doubled, on update), its own config reload instead of restarts, and the
 * remote-write receiver on for the Collector's span metrics and service graph. Pushing them keeps
 * one scrape job fewer and makes no difference once metrics go to Amazon Managed Prometheus.
 */
export function deployPrometheus(
  name: string,
  args: PrometheusWorkloadArgs,
  opts: pulumi.CustomResourceOptions,
) {
  const { config, objectStore } = args;
  const namespace = config.namespaces.observability;
  const id = { name: PROMETHEUS.name, component: "metrics", image: config.images.prometheus };
  const files = prometheusFiles(config, args.jobs);
  const remoteWrite = config.metrics.remoteWrite;
  const replicas = config.metrics.replicas;
  // Teams' scrape credentials: a Secret mounted as files the jobs point at, never in the ConfigMap.
  const credentials = scrapeCredentials(config.metrics.extraScrapeConfigs);
  const hasCredentials = Object.keys(credentials).length > 0;
  const nodePort = config.exposure.mode === "nodePort";
  deployWorkload(
    name,
    {
      spec: PROMETHEUS,
      component: id.component,
      image: id.image,
      namespace,
      settings: config,
      placement: "prometheus",
      serviceAccount: {
        // IRSA: with remote write to Amazon Managed Prometheus, the pods sign as this role.
        roleArn: remoteWrite?.roleArn ?? config.metrics.objectStorage?.roleArn,
        // Read-only discovery of what Prometheus scrapes, plus kubelet metrics; no secrets, no proxy.
        clusterRules: [
          { apiGroups: [""], resources: ["nodes", "services", "pods"], verbs: ["get", "list", "watch"] },
          { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
          { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
          { nonResourceURLs: ["/metrics"], verbs: ["get"] },
        ],
      },
      configMaps: [
        { name: "prometheus-config", volume: "config", data: files.config },
        { name: "prometheus-rules", volume: "rules", data: files.rules },
      ],
      secrets: hasCredentials
        ? [{ name: "prometheus-scrape-credentials", volume: "scrape-credentials", stringData: credentials }]
        : [],
      ...(objectStore === undefined ? {} : bucketConfigOptions(objectStore)),
      container: {
        name: "prometheus",
        args: [
          `--config.file=${PROMETHEUS_PATHS.configFile}`,
          `--storage.tsdb.path=${PROMETHEUS_PATHS.data}`,
          `--storage.tsdb.retention.time=${config.metrics.retentionTime}`,
          `--storage.tsdb.retention.size=${config.metrics.retentionSize}`,
          ...(objectStore === undefined
            ? []
            : [
                `--storage.tsdb.min-block-duration=${UPLOADED_BLOCK_DURATION}`,
                `--storage.tsdb.max-block-duration=${UPLOADED_BLOCK_DURATION}`,
              ]),
          "--web.enable-remote-write-receiver",
          // extra-scrape-metrics: scrape_sample_limit beside each target's
          // scrape_samples_post_metric_relabeling, which the scrape-limit alerts compare
          // (Prometheus 3.5 writes it only with this feature). One flag, so a review reads the list.
          "--enable-feature=exemplar-storage,extra-scrape-metrics,auto-reload-config",
          `--config.auto-reload-interval=${PROMETHEUS_CONFIG_CHECK}`,
          `--web.listen-address=:${PROMETHEUS.ports.http.port}`,
          // Alerts' generatorURL opens where people reach Prometheus; the API and probes stay at the root.
          `--web.external-url=${externalUrls(config).prometheus}`,
          "--web.route-prefix=/",
        ],
        // The replica's external label (see replicaLabel) is its pod name.
        ...(replicaLabel(config.metrics) === undefined
          ? {}
          : { env: [{ name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] }),
        resources: config.resources.prometheus,
        volumeMounts: [
          { name: "config", mountPath: PROMETHEUS_PATHS.configDir, readOnly: true },
          { name: "rules", mountPath: PROMETHEUS_PATHS.rulesDir, readOnly: true },
          { name: "data", mountPath: PROMETHEUS_PATHS.data },
          ...(hasCredentials
            ? [{ name: "scrape-credentials", mountPath: PROMETHEUS_PATHS.secretsDir, readOnly: true }]
            : []),
        ],
        livenessProbe: httpProbe("http", "/-/healthy", {
          initialDelaySeconds: 15,
          failureThreshold: LIVENESS_FAILURES,
        }),
        readinessProbe: httpProbe("http", "/-/ready", { initialDelaySeconds: 5, periodSeconds: 5 }),
        // WAL replay after a crash (605 s budget). Measured with the real binary
        // (tests/servers/startup.test.ts): 53,312 samples replayed in 33–199 ms, ready in under 1 s;
        // at that speed two hours of a prod replica's 500k series (240 M samples) take about
        // 150 s, and the budget leaves four times that.
        startupProbe: httpProbe("http", "/-/ready", {
          initialDelaySeconds: 5,
          periodSeconds: 10,
          failureThreshold: 60,
        }),
      },
      containerPortNames: ["http"],
      sidecars: thanosQueryRuns(config.metrics) ? [thanosSidecarContainer(config, objectStore)] : [],
      readsLive: {
        ...Object.fromEntries(
          ["config", "rules"].map((volume) => [
            volume,
            `Prometheus reloads it itself within ${PROMETHEUS_CONFIG_CHECK}, no restart`,
          ]),
        ),
        ...(hasCredentials ? { "scrape-credentials": "Prometheus reads the files at each scrape" } : {}),
      },
      pod: {
        ...(replicas > 1 ? { topologySpreadConstraints: spreadAcrossNodes(id) } : {}),
        terminationGracePeriodSeconds: 600, // lets the TSDB finish writing its head block
      },
      controller: {
        kind: "StatefulSet",
        replicas,
        serviceName: PROMETHEUS_PEERS_SERVICE,
        storageSize: config.metrics.storageSize,
        holdsHistory: true,
      },
      services: [
        nodePort ? { nodePorts: { http: config.exposure.nodePorts.prometheus } } : {},
        // Stable per-replica names (prometheus-0.prometheus-peers...) for remote writers and Thanos Query.
        { name: PROMETHEUS_PEERS_SERVICE, headless: true },
      ],
      wiring: config.wiring,
    },
    opts,
  );
}
