import { workloadSpec } from "../common/workloadSpec";

// Names and ports of the tracing workloads: one source for containers, Services, configs and wiring.
export const COLLECTOR = workloadSpec("otel-collector", {
  "otlp-grpc": { port: 4317 },
  "otlp-http": { port: 4318 },
  // Published by the `zipkin` Service, under the name the apps already use.
  zipkin: { port: 9411, containerOnly: true },
  health: { port: 13133, containerOnly: true },
  metrics: { port: 8888, scrape: true },
});

/** The headless Service that governs the collector's StatefulSet; nothing sends to it. */
export const COLLECTOR_PEERS_SERVICE = "otel-collector-pods";

/** The collector's second tier, behind a headless Service the gateway resolves; same binary, same ports. */
export const COLLECTOR_AGGREGATOR = workloadSpec("otel-collector-aggregator", {
  "otlp-grpc": COLLECTOR.ports["otlp-grpc"],
  health: COLLECTOR.ports.health,
  metrics: COLLECTOR.ports.metrics,
});

/** The Service the apps' ZIPKIN_ENDPOINT already names; it points at the collector. */
export const ZIPKIN_SERVICE = "zipkin";

export const TEMPO = workloadSpec("tempo", {
  http: { port: 3200, scrape: true },
  grpc: { port: 9095, containerOnly: true },
  "otlp-grpc": { port: 4317 },
});

export const TEMPO_PATHS = { config: "/etc/tempo", data: "/var/tempo" } as const;

/** The ConfigMap each app namespace gets, for the apps to `envFrom`. */
export const APP_TRACING_CONFIGMAP = "observability-tracing";
