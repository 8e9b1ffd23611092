import * as pulumi from "@pulumi/pulumi";
import { spreadAcrossNodes } from "../common/disruption";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployWorkload } from "../common/workload";
import { toYaml } from "../common/yaml";
import { PROMETHEUS, PROMETHEUS_PEERS_SERVICE, THANOS_QUERY, THANOS_REPLICA_LABEL } from "./names";
import { MetricsSettings } from "./settings";

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

/**
 * Thanos Query over the Prometheus replicas' sidecars: a Prometheus-compatible API that merges
 * the replicas' series, drops the replica label and fills one replica's gaps from another's, and
 * answers from the replicas that are up (partial responses on) when one is not.
 */
export function deployThanosQuery(name: string, config: MetricsSettings, opts: pulumi.CustomResourceOptions) {
  const namespace = config.namespaces.observability;
  const id = { name: THANOS_QUERY.name, component: "metrics", image: config.images.thanosQuery };
  const endpoints = {
    endpoints: sidecarEndpoints(namespace, config.metrics.replicas).map((address) => ({ address })),
  };
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
          `--store.response-timeout=${STORE_RESPONSE_TIMEOUT}`,
          `--store.unhealthy-timeout=${UNHEALTHY_TIMEOUT}`,
          `--endpoint.sd-config=${toYaml(endpoints)}`,
        ],
        resources: config.resources.thanosQuery,
        livenessProbe: httpProbe("http", "/-/healthy", { failureThreshold: LIVENESS_FAILURES }),
        readinessProbe: httpProbe("http", "/-/ready", { periodSeconds: 5 }),
      },
      pod: { topologySpreadConstraints: spreadAcrossNodes(id) },
      controller: { kind: "Deployment", replicas: REPLICAS },
      services: [{}],
      wiring: config.wiring,
    },
    opts,
  );
}
