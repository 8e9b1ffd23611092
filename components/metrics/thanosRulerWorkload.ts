import * as pulumi from "@pulumi/pulumi";
import { withMatcher } from "../../config/promql/matchers";
import { spreadAcrossNodes } from "../common/disruption";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { clusterUrl } from "../common/serviceUrl";
import { deployWorkload } from "../common/workload";
import { toYaml } from "../common/yaml";
import { configReloaderContainer, reloadedVolumes } from "./configReloader";
import { externalUrls } from "./externalUrls";
import { POD_NAME_ENV, RULER_REPLICA_LABEL, THANOS_PATHS, THANOS_QUERY, THANOS_RULER } from "./names";
import { CLUSTER_LABEL } from "./objectStorage";
import { alertmanagerTargets, prometheusRemoteWriteUrls } from "./prometheusConfig";
import { RulerRuleFile } from "./ruleEvaluators";
import { MetricsSettings } from "./settings";

/** Two rulers: one may restart, roll or lose its node while the other evaluates. */
const REPLICAS = 2;

const WATCHED = [{ volume: "rules", mountPath: THANOS_PATHS.rulesDir }];

/**
 * The ruler's rule files, by ConfigMap key. On a hub, whose Thanos Query reads other clusters too,
 * every selector names this cluster: what the ruler records is this cluster's.
 */
export function rulerFiles(
  config: MetricsSettings,
  files: Readonly<Record<string, RulerRuleFile>>,
): Record<string, string> {
  const hub = (config.metrics.objectStorage?.hub?.stores.length ?? 0) > 0;
  const own = (expr: string) => (hub ? withMatcher(expr, `${CLUSTER_LABEL}="${config.cluster.name}"`) : expr);
  return Object.fromEntries(
    Object.entries(files).map(([file, { groups }]) => [
      file,
      toYaml({
        groups: groups.map((group) => ({
          ...group,
          rules: group.rules.map((rule) => ({ ...rule, expr: own(rule.expr) })),
        })),
      }),
    ]),
  );
}

/**
 * Thanos Ruler, two replicas in stateless mode: each evaluates the rules that read further back than
 * Prometheus keeps (ruleEvaluators.ts) over Thanos Query, so over the bucket's history, writes what
 * they record into every Prometheus replica by remote write, whose sidecars upload it with
 * everything else (the dashboards and the bucket read it there, and no second bucket writer or role
 * is needed), and sends its alerts to every Alertmanager. The replicas' series differ by
 * `rule_replica`, which Thanos Query deduplicates; their alerts drop it, so Alertmanager receives the
 * same alert twice and notifies once. A group's queries abort when a store does not answer: that
 * evaluation fails and writes nothing, rather than a ratio of part of the window.
 */
export function deployThanosRuler(
  name: string,
  config: MetricsSettings,
  files: Readonly<Record<string, RulerRuleFile>>,
  opts: pulumi.CustomResourceOptions,
) {
  const namespace = config.namespaces.observability;
  const id = { name: THANOS_RULER.name, component: "metrics", image: config.images.thanosRuler };
  const remoteWrite = {
    remote_write: prometheusRemoteWriteUrls(namespace, config.metrics.replicas).map((url) => ({ url })),
  };
  const alertmanagers = {
    alertmanagers: [
      {
        api_version: "v2",
        static_configs: alertmanagerTargets(namespace, config.metrics.alertmanagerReplicas),
      },
    ],
  };
  const label = (name: string, value: string) => `--label=${name}="${value}"`;
  return deployWorkload(
    name,
    {
      spec: THANOS_RULER,
      component: id.component,
      image: id.image,
      namespace,
      settings: config,
      placement: "thanosRuler",
      configMaps: [{ name: "thanos-ruler-rules", volume: "rules", data: rulerFiles(config, files) }],
      container: {
        name: THANOS_RULER.name,
        args: [
          "rule",
          `--http-address=0.0.0.0:${THANOS_RULER.ports.http.port}`,
          `--grpc-address=0.0.0.0:${THANOS_RULER.ports.grpc.port}`,
          `--data-dir=${THANOS_PATHS.data}`,
          `--rule-file=${THANOS_PATHS.rulesDir}/*.yaml`,
          `--eval-interval=${config.metrics.evaluationInterval}`,
          `--query=${new URL(clusterUrl(THANOS_QUERY.name, namespace, THANOS_QUERY.ports.http.port)).host}`,
          `--remote-write.config=${toYaml(remoteWrite)}`,
          `--alertmanagers.config=${toYaml(alertmanagers)}`,
          `--alert.query-url=${externalUrls(config).prometheus}`,
          // The labels Prometheus' alerts carry, so that routes and inhibitions treat both alike.
          label("cluster", config.cluster.name),
          label("env", config.cluster.env),
          label("region", config.cluster.region),
          label(RULER_REPLICA_LABEL, `$(${POD_NAME_ENV})`),
          `--alert.label-drop=${RULER_REPLICA_LABEL}`,
          // A restarted ruler restores its alerts' pending time from either replica's ALERTS_FOR_STATE.
          `--restore-ignored-label=${RULER_REPLICA_LABEL}`,
        ],
        env: [{ name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
        resources: config.resources.thanosRuler,
        volumeMounts: [{ name: "rules", mountPath: THANOS_PATHS.rulesDir, readOnly: true }],
        // The remote-write queue's write-ahead log: what Prometheus has not taken yet.
        scratchPaths: [THANOS_PATHS.data],
        livenessProbe: httpProbe("http", "/-/healthy", { failureThreshold: LIVENESS_FAILURES }),
        readinessProbe: httpProbe("http", "/-/ready", { periodSeconds: 5 }),
      },
      sidecars: [
        configReloaderContainer(config, `http://127.0.0.1:${THANOS_RULER.ports.http.port}/-/reload`, WATCHED),
      ],
      readsLive: reloadedVolumes("Thanos Ruler", WATCHED),
      pod: { topologySpreadConstraints: spreadAcrossNodes(id) },
      controller: { kind: "Deployment", replicas: REPLICAS },
      services: [{}],
      wiring: config.wiring,
    },
    opts,
  );
}
