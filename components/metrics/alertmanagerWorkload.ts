import * as pulumi from "@pulumi/pulumi";
import { UNDELIVERED_CRITICAL, criticalAlertDestinations } from "../../config/alerting/criticalAlerts";
import * as path from "path";
import { spreadAcrossNodes } from "../common/disruption";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployWorkload } from "../common/workload";
import { workloadUrl } from "../common/workloadSpec";
import { toYaml } from "../common/yaml";
import { alertmanagerConfig, receiverSecrets } from "./alertmanagerConfig";
import { externalUrls } from "./externalUrls";
import { notificationTemplates } from "./notificationTemplates";
import { configReloaderContainer, reloadedVolumes } from "./configReloader";
import { ALERTMANAGER, ALERTMANAGER_PATHS, ALERTMANAGER_PEERS_SERVICE } from "./names";
import { MetricsSettings } from "./settings";

/** What Alertmanager's config reloader watches: its config and the receivers' credentials. */
const WATCHED = [
  { volume: "config", mountPath: ALERTMANAGER_PATHS.configDir },
  { volume: "receivers", mountPath: ALERTMANAGER_PATHS.secretsDir },
];
/** Silences and the notification log are small; this volume only has to outlive restarts. */
const DATA_SIZE = "1Gi";

function peerArgs(namespace: string, replicas: number): string[] {
  if (replicas === 1) {
    return ["--cluster.listen-address="]; // a single replica gossips with nobody
  }
  return [
    `--cluster.listen-address=0.0.0.0:${ALERTMANAGER.ports["mesh-tcp"].port}`,
    `--cluster.advertise-address=$(POD_IP):${ALERTMANAGER.ports["mesh-tcp"].port}`,
    ...Array.from(
      { length: replicas },
      (_, i) =>
        `--cluster.peer=${ALERTMANAGER.name}-${i}.${ALERTMANAGER_PEERS_SERVICE}.${namespace}.svc:${ALERTMANAGER.ports["mesh-tcp"].port}`,
    ),
  ];
}

/**
 * Alertmanager as a StatefulSet. With more than one replica the pods form a gossip cluster
 * through a headless Service, so each alert is notified once; Prometheus sends to every pod.
 * Receiver credentials live in a Secret mounted as files that the config points at.
 */
export function deployAlertmanager(
  name: string,
  config: MetricsSettings,
  opts: pulumi.CustomResourceOptions,
) {
  const namespace = config.namespaces.observability;
  const replicas = config.metrics.alertmanagerReplicas;
  // A production stack is refused before this (config/alerting/criticalAlerts.ts); elsewhere, said once.
  if (criticalAlertDestinations(config.alerting).length === 0) {
    void pulumi.log.warn(UNDELIVERED_CRITICAL, opts.parent);
  }
  const id = { name: ALERTMANAGER.name, component: "alerting", image: config.images.alertmanager };
  const urls = externalUrls(config);
  deployWorkload(
    name,
    {
      spec: ALERTMANAGER,
      component: id.component,
      image: id.image,
      namespace,
      settings: config,
      placement: "alertmanager",
      configMaps: [
        {
          name: "alertmanager-config",
          volume: "config",
          data: {
            "alertmanager.yml": toYaml(alertmanagerConfig(config.alerting, config.metrics.slos)),
            [path.basename(ALERTMANAGER_PATHS.templatesFile)]: notificationTemplates(urls.grafana),
          },
        },
      ],
      secrets: [
        { name: "alertmanager-receivers", volume: "receivers", stringData: receiverSecrets(config.alerting) },
      ],
      container: {
        name: "alertmanager",
        args: [
          `--config.file=${ALERTMANAGER_PATHS.configFile}`,
          `--storage.path=${ALERTMANAGER_PATHS.data}`,
          `--web.listen-address=:${ALERTMANAGER.ports.http.port}`,
          // Silence links open where people reach Alertmanager; the API and probes stay at the root.
          `--web.external-url=${urls.alertmanager}`,
          "--web.route-prefix=/",
          ...peerArgs(namespace, replicas),
        ],
        env: [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
        resources: config.resources.alertmanager,
        volumeMounts: [
          { name: "config", mountPath: ALERTMANAGER_PATHS.configDir, readOnly: true },
          { name: "receivers", mountPath: ALERTMANAGER_PATHS.secretsDir, readOnly: true },
          { name: "data", mountPath: ALERTMANAGER_PATHS.data },
        ],
        livenessProbe: httpProbe("http", "/-/healthy", { failureThreshold: LIVENESS_FAILURES }),
        readinessProbe: httpProbe("http", "/-/ready", { initialDelaySeconds: 3, periodSeconds: 5 }),
        // Silences and the notification log load from the volume, and peers settle, before ready.
        startupProbe: httpProbe("http", "/-/ready", {
          initialDelaySeconds: 0,
          periodSeconds: 5,
          failureThreshold: 24,
        }),
      },
      sidecars: [
        configReloaderContainer(config, `http://127.0.0.1:${ALERTMANAGER.ports.http.port}/-/reload`, WATCHED),
      ],
      readsLive: reloadedVolumes("Alertmanager", WATCHED),
      pod: replicas > 1 ? { topologySpreadConstraints: spreadAcrossNodes(id) } : {},
      controller: {
        kind: "StatefulSet",
        replicas,
        serviceName: ALERTMANAGER_PEERS_SERVICE,
        storageSize: DATA_SIZE,
        holdsHistory: true,
      },
      services: [
        {},
        // Stable per-pod DNS names for peers and for Prometheus; not-ready pods must still gossip.
        {
          name: ALERTMANAGER_PEERS_SERVICE,
          headless: true,
          publishNotReadyAddresses: true,
          portNames: ["http", "mesh-tcp", "mesh-udp"],
        },
      ],
      wiring: config.wiring,
    },
    opts,
  );
  return { url: workloadUrl(ALERTMANAGER, namespace, "http") };
}
