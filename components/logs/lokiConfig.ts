import { parseQuantity } from "../../config/quantity";
import { LOKI, LOKI_MEMBERLIST_SERVICE, LOKI_PATHS } from "./names";
import { LogsSettings } from "./settings";
import { NODE_ZONE_PLACEHOLDER } from "./zoneReader";

/** The day the v13/tsdb schema takes effect; fixed, as changing it would orphan stored logs. */
const SCHEMA_FROM = "2024-04-01";

/**
 * The ring of replicated Loki: memberlist through the headless Service that publishes replicas
 * before they are ready (they must join to become ready), every line on `replicationFactor`
 * replicas in distinct zones, each replica's zone written in by its zone reader. Every ring of the
 * single binary (ingesters, distributors, ruler, compactor) takes this one. Each replica's queriers
 * work for its own query frontend: given no frontend address, Loki would put the query schedulers
 * in the ring too, and a query queued at a replica being restarted would hang until its client
 * gave up (`tests/servers/haLogs.test.ts` saw 20 s to 67 s in a rolling restart).
 */
function replicatedRing(config: LogsSettings) {
  const port = LOKI.ports.memberlist.port;
  return {
    common: {
      replication_factor: config.logs.replicationFactor,
      ring: {
        kvstore: { store: "memberlist" },
        zone_awareness_enabled: true,
        instance_availability_zone: NODE_ZONE_PLACEHOLDER,
      },
    },
    memberlist: {
      join_members: [
        `dns+${LOKI_MEMBERLIST_SERVICE}.${config.namespaces.observability}.svc.cluster.local:${port}`,
      ],
      bind_port: port,
    },
    frontend_worker: { frontend_address: `localhost:${LOKI.ports.grpc.port}` },
  };
}

/**
 * Loki single binary: schema v13 on the tsdb index, WAL and index on the volume, chunks on the
 * volume (kind) or in S3 through IRSA (eks), compactor retention from config, structured metadata
 * on (it holds trace and span IDs), and the ruler sending to Alertmanager.
 *
 * One replica keeps its rings in memory. Replicas share one memberlist ring, and the tsdb shipper
 * uploads each replica's index to S3 beside the chunks, so any replica answers any query. The
 * ruler and the compactor still run once: the ruler shards rule groups over the ruler ring, each
 * group evaluated by the one replica that owns it; every compactor joins the compactor ring and
 * only the owner of its single key compacts and applies retention, the others stand by.
 */
export function lokiConfig(config: LogsSettings) {
  const ring = config.logs.replicas > 1 ? replicatedRing(config) : undefined;
  const s3 = config.storage.s3?.loki;
  const objectStore = s3 === undefined ? "filesystem" : "s3";
  const data = LOKI_PATHS.data;
  return {
    auth_enabled: config.logs.tenant !== undefined,
    server: {
      http_listen_port: LOKI.ports.http.port,
      grpc_listen_port: LOKI.ports.grpc.port,
      log_level: "info",
    },
    common: {
      path_prefix: data,
      replication_factor: 1,
      ring: { kvstore: { store: "inmemory" } },
      ...ring?.common,
      storage:
        s3 === undefined
          ? { filesystem: { chunks_directory: `${data}/chunks`, rules_directory: `${data}/rules` } }
          : { s3: { bucketnames: s3.bucket, region: s3.region } },
    },
    ...(ring === undefined ? {} : { memberlist: ring.memberlist, frontend_worker: ring.frontend_worker }),
    schema_config: {
      configs: [
        {
          from: SCHEMA_FROM,
          store: "tsdb",
          object_store: objectStore,
          schema: "v13",
          index: { prefix: "index_", period: "24h" },
        },
      ],
    },
    storage_config: {
      tsdb_shipper: { active_index_directory: `${data}/tsdb-index`, cache_location: `${data}/tsdb-cache` },
    },
    ingester: {
      wal: {
        enabled: true,
        dir: `${data}/wal`,
        // Loki's default (4GB) is above the container's limit: a long replay would be OOM-killed
        // on every start. Past the ceiling Loki flushes chunks while it replays instead.
        // Bytes: Loki's size parser reads `MB` as MiB and refuses `MiB`.
        replay_memory_ceiling: Math.floor(parseQuantity(config.resources.loki.limits.memory) * 0.75),
      },
    },
    compactor: {
      working_directory: `${data}/compactor`,
      retention_enabled: true,
      retention_delete_delay: "2h",
      delete_request_store: objectStore,
    },
    limits_config: {
      retention_period: config.logs.retention,
      allow_structured_metadata: true,
      volume_enabled: true,
      ingestion_rate_mb: config.logs.ingestionRateMb,
      ingestion_burst_size_mb: config.logs.ingestionBurstMb,
      per_stream_rate_limit: "3MB",
      per_stream_rate_limit_burst: "15MB",
      max_line_size: "256KB",
      max_label_names_per_series: 15,
      reject_old_samples: true,
      reject_old_samples_max_age: "168h",
    },
    ruler: {
      ...(config.alertmanagerUrl === undefined ? {} : { alertmanager_url: config.alertmanagerUrl }),
      storage: { type: "local", local: { directory: LOKI_PATHS.rules } },
      rule_path: `${data}/rules-scratch`,
      ...(ring === undefined ? { ring: { kvstore: { store: "inmemory" } } } : { enable_sharding: true }),
      enable_api: true,
    },
    analytics: { reporting_enabled: false },
  };
}
