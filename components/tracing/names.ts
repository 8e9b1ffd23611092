/** Names and ports of the tracing workloads: one source for Services, configs and wiring. */
export const COLLECTOR = {
  name: "otel-collector",
  otlpGrpcPort: 4317,
  otlpHttpPort: 4318,
  zipkinPort: 9411,
  healthPort: 13133,
  metricsPort: 8888,
} as const;

/** The collector's second tier, behind a headless Service the gateway resolves. */
export const COLLECTOR_AGGREGATOR = { name: "otel-collector-aggregator" } as const;

/** The Service the apps' ZIPKIN_ENDPOINT already names; it points at the collector. */
export const ZIPKIN_SERVICE = "zipkin";

export const TEMPO = { name: "tempo", httpPort: 3200, grpcPort: 9095, otlpGrpcPort: 4317 } as const;

export const TEMPO_PATHS = { config: "/etc/tempo", data: "/var/tempo" } as const;

/** The ConfigMap each app namespace gets, for the apps to `envFrom`. */
export const APP_TRACING_CONFIGMAP = "observability-tracing";
