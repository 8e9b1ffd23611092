import * as pulumi from "@pulumi/pulumi";
import { spreadAcrossNodes } from "../common/disruption";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployWorkload } from "../common/workload";
import { toYaml } from "../common/yaml";
import {
  PROMETHEUS,
  PROMETHEUS_PEERS_SERVICE,
  RULER_REPLICA_LABEL,
  THANOS_PATHS,
  THANOS_QUERY,
  THANOS_REPLICA_LABEL,
} from "./names";
import { MetricsSettings } from "./settings";
import { storeGatewayEndpoints } from "./thanosStoreWorkload";
import { thanosRulerRuns } from "./ruleEvaluators";

/** Two queriers, so that the query path has no single pod either. */
const REPLICAS = 2;
/**
 * How long a query waits for a replica that sends nothing (a node gone without closing its
 * connections) before it answers from the others, with a warning.
 */
const STORE_RESPONSE_TIMEOUT = "10s";
/**
 * How long a replica may fail its health checks before Thanos Query drops its connection and dials
 * afresh every 5 s. The old connection would wait out gRPC's reconnect backoff, which grows to two
 * minutes: a replica back from a long outage stayed unused that long, and a second replica going
 * down then (the next pod of a rolling update) left no replica to answer.
 */
const UNHEALTHY_TIMEOUT = "15s";

/** Every Prometheus replica's sidecar, by its pod's stable name under the peers Service. */
export function sidecarEndpoints(namespace: string, replicas: number): string[] {
  return Array.from(
    { length: replicas },
    (_, i) =>
      `${PROMETHEUS.name}-${i}.${PROMETHEUS_PEERS_SERVICE}.${namespace}.svc.cluster.local:${PROMETHEUS.ports["sidecar-grpc"].port}`,
  );
}

const TLS_FILES = { ca: "ca.crt", certificate: "tls.crt", key: "tls.key" } as const;
const TLS_SECRET = "thanos-query-tls";
const TLS_VOLUME = "tls";

type Hub = NonNullable<NonNullable<MetricsSettings["metrics"]["objectStorage"]>["hub"]>;

/** How Thanos Query checks another cluster's store and, with a client certificate, proves itself to it. */
function remoteStoreClient(hub: Hub, serverName: string | undefined) {
  const file = (name: string) => `${THANOS_PATHS.tlsDir}/${name}`;
  return {
    ...(serverName === undefined ? {} : { server_name: serverName }),
    tls_config: {
      enabled: true,
      ca_file: file(TLS_FILES.ca),
      ...(hub.tls?.certificate === undefined
        ? {}
        : { cert_file: file(TLS_FILES.certificate), key_file: file(TLS_FILES.key) }),
    },
  };
}

/**
 * Where Thanos Query reads: every replica's sidecar, the store gateways with the bucket's history,
 * and on a hub the other clusters' stores, over TLS.
 */
export function queryEndpoints(config: MetricsSettings) {
  const namespace = config.namespaces.observability;
  const storage = config.metrics.objectStorage;
  const hub = storage?.hub;
  return {
    endpoints: [
      ...sidecarEndpoints(namespace, config.metrics.replicas).map((address) => ({ address })),
      // Strict: a store gateway that is down is asked all the same, and its error makes the answer
      // partial (a warning beside the other gateway's complete answer), never silently shorter. The
      // ruler's queries abort on it: a budget over the bucket's history is not recorded from the
      // sidecars' two days while the gateways are away.
      ...(storage === undefined
        ? []
        : storeGatewayEndpoints(namespace).map((address) => ({ address, strict: true }))),
      ...(hub === undefined
        ? []
        : hub.stores.map((store) => ({
            address: store.address,
            client_config: remoteStoreClient(hub, store.serverName),
          }))),
    ],
  };
}

/**
 * Thanos Query over the Prometheus replicas' sidecars: a Prometheus-compatible API that merges
 * the replicas' series, drops the replica label and fills one replica's gaps from another's, and
 * answers from the replicas that are up (partial responses on) when one is not. With the bucket it
 * also reads the store gateways, and a range query reads the coarsest resolution finer than a fifth
 * of its step (`--query.auto-downsampling`), so a dashboard over months reads 5-minute or 1-hour
 * samples instead of every raw one.
 */
export function deployThanosQuery(name: string, config: MetricsSettings, opts: pulumi.CustomResourceOptions) {
  const namespace = config.namespaces.observability;
  const id = { name: THANOS_QUERY.name, component: "metrics", image: config.images.thanosQuery };
  const storage = config.metrics.objectStorage;
  const tls = storage?.hub?.tls;
  return deployWorkload(
    name,
    {
      spec: THANOS_QUERY,
      component: id.component,
      image: id.image,
      namespace,
      settings: config,
      placement: "thanosQuery",
      container: {
        name: THANOS_QUERY.name,
        args: [
          "query",
          `--http-address=0.0.0.0:${THANOS_QUERY.ports.http.port}`,
          `--grpc-address=0.0.0.0:${THANOS_QUERY.ports.grpc.port}`,
          `--query.replica-label=${THANOS_REPLICA_LABEL}`,
          ...(thanosRulerRuns(config.metrics) ? [`--query.replica-label=${RULER_REPLICA_LABEL}`] : []),
          `--store.response-timeout=${STORE_RESPONSE_TIMEOUT}`,
          `--store.unhealthy-timeout=${UNHEALTHY_TIMEOUT}`,
          ...(storage === undefined ? [] : ["--query.auto-downsampling"]),
          `--endpoint.sd-config=${toYaml(queryEndpoints(config))}`,
        ],
        ...(tls === undefined
          ? {}
          : { volumeMounts: [{ name: TLS_VOLUME, mountPath: THANOS_PATHS.tlsDir, readOnly: true }] }),
        resources: config.resources.thanosQuery,
        livenessProbe: httpProbe("http", "/-/healthy", { failureThreshold: LIVENESS_FAILURES }),
        readinessProbe: httpProbe("http", "/-/ready", { periodSeconds: 5 }),
      },
      ...(tls === undefined
        ? {}
        : {
            secrets: [
              {
                name: TLS_SECRET,
                volume: TLS_VOLUME,
                stringData: {
                  [TLS_FILES.ca]: tls.ca,
                  ...(tls.certificate === undefined || tls.key === undefined
                    ? {}
                    : { [TLS_FILES.certificate]: tls.certificate, [TLS_FILES.key]: tls.key }),
                },
              },
            ],
          }),
      pod: { topologySpreadConstraints: spreadAcrossNodes(id) },
      controller: { kind: "Deployment", replicas: REPLICAS },
      services: [{}],
      wiring: config.wiring,
    },
    opts,
  );
}
