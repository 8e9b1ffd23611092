import { TEMPO, TEMPO_PATHS } from "./names";
import { TracingSettings } from "./settings";

/**
 * Tempo single binary: OTLP gRPC in from the collector only, HTTP for Grafana, WAL on the volume,
 * blocks on the volume (kind) or in S3 through IRSA (eks), compactor retention from config.
 * The metrics generator stays off: span metrics and the service graph come from the collector's
 * connectors, and generating them twice would double every series.
 */
export function tempoConfig(config: TracingSettings) {
  const s3 = config.storage.s3?.tempo;
  return {
    stream_over_http_enabled: true,
    server: { http_listen_port: TEMPO.ports.http.port, grpc_listen_port: TEMPO.ports.grpc.port },
    distributor: {
      receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${TEMPO.ports["otlp-grpc"].port}` } } } },
    },
    ingester: { max_block_duration: "5m", trace_idle_period: "10s" },
    compactor: { compaction: { block_retention: config.tracing.retention } },
    storage: {
      trace: {
        wal: { path: `${TEMPO_PATHS.data}/wal` },
        ...(s3 === undefined
          ? { backend: "local", local: { path: `${TEMPO_PATHS.data}/blocks` } }
          : {
              backend: "s3",
              s3: { bucket: s3.bucket, region: s3.region, endpoint: `s3.${s3.region}.amazonaws.com` },
            }),
      },
    },
    usage_report: { reporting_enabled: false },
  };
}
