// Loki's configuration reference, for the blocks and keys the stack renders, as facts: each key's
// name and type, and where the reference lists the values a key takes, those values. Taken from
// Loki's documented reference, docs/sources/shared/configuration.md of grafana/loki at tag v3.7.6
// (commit 5003600d7c787b5f047c8d1b0198559471b0caa5, the newest 3.7 patch the reference was read
// at; the stack deploys 3.7.8, a patch release of the same minor). Loki reads its config strictly:
// a key its reference does not have stops it at start. Keys the stack never renders are left out,
// so this table refuses them too: add a key here, from the reference, before rendering it.

/** A key's type as the reference writes it (`<boolean>`, `<int>`, ...). */
export type ReferenceType =
  | { readonly type: "boolean" | "int" | "float" | "string" | "duration" | "daytime" | "list of strings" }
  /** `<int>` whose default the reference writes as a size (`4GB`, `3MB`): an integer or a size. */
  | { readonly type: "bytes" }
  /** `<string>` whose description lists the values it takes. */
  | { readonly type: "enum"; readonly values: readonly string[] }
  | { readonly type: "block"; readonly keys: ReferenceBlock }
  | { readonly type: "list of blocks"; readonly keys: ReferenceBlock };

export type ReferenceBlock = Readonly<Record<string, ReferenceType>>;

const t = <T extends ReferenceType["type"]>(type: T) => ({ type }) as ReferenceType;
const block = (keys: ReferenceBlock): ReferenceType => ({ type: "block", keys });
const oneOf = (...values: string[]): ReferenceType => ({ type: "enum", values });

/** kvstore.store: "Backend storage to use for the ring. Supported values are: consul, etcd, inmemory, memberlist, multi." */
const kvstore = block({ store: oneOf("consul", "etcd", "inmemory", "memberlist", "multi") });

/** The `s3_storage_config` block's keys the stack renders. */
const s3Storage = block({ bucketnames: t("string"), region: t("string") });

export const LOKI_REFERENCE_VERSION = "v3.7.6";

export const LOKI_CONFIG_REFERENCE: ReferenceBlock = {
  auth_enabled: t("boolean"),
  server: block({
    http_listen_port: t("int"),
    grpc_listen_port: t("int"),
    // "Only log messages with the given severity or above. Valid levels: [debug, info, warn, error]"
    log_level: oneOf("debug", "info", "warn", "error"),
  }),
  common: block({
    path_prefix: t("string"),
    replication_factor: t("int"),
    ring: block({
      kvstore,
      zone_awareness_enabled: t("boolean"),
      instance_availability_zone: t("string"),
      instance_id: t("string"),
      instance_addr: t("string"),
    }),
    instance_addr: t("string"),
    storage: block({
      s3: s3Storage,
      filesystem: block({ chunks_directory: t("string"), rules_directory: t("string") }),
    }),
  }),
  memberlist: block({ join_members: t("list of strings"), bind_port: t("int") }),
  frontend_worker: block({ frontend_address: t("string") }),
  schema_config: block({
    configs: {
      type: "list of blocks",
      keys: {
        // "In YYYY-MM-DD format"
        from: t("daytime"),
        // "Either tsdb or boltdb-shipper" (the deprecated stores left out)
        store: oneOf("tsdb", "boltdb-shipper"),
        // "Either aws (alias s3), azure, gcs, alibabacloud, bos, cos, swift, filesystem, or a named_store"
        object_store: oneOf("aws", "s3", "azure", "gcs", "alibabacloud", "bos", "cos", "swift", "filesystem"),
        schema: t("string"),
        index: block({ prefix: t("string"), period: t("duration") }),
      },
    },
  }),
  storage_config: block({
    tsdb_shipper: block({ active_index_directory: t("string"), cache_location: t("string") }),
  }),
  ingester: block({
    wal: block({ enabled: t("boolean"), dir: t("string"), replay_memory_ceiling: t("bytes") }),
  }),
  compactor: block({
    working_directory: t("string"),
    retention_enabled: t("boolean"),
    retention_delete_delay: t("duration"),
    delete_request_store: t("string"),
  }),
  limits_config: block({
    retention_period: t("duration"),
    allow_structured_metadata: t("boolean"),
    volume_enabled: t("boolean"),
    ingestion_rate_mb: t("float"),
    ingestion_burst_size_mb: t("float"),
    per_stream_rate_limit: t("bytes"),
    per_stream_rate_limit_burst: t("bytes"),
    max_line_size: t("bytes"),
    max_label_names_per_series: t("int"),
    reject_old_samples: t("boolean"),
    reject_old_samples_max_age: t("duration"),
  }),
  ruler: block({
    alertmanager_url: t("string"),
    storage: block({
      // "Method to use for backend rule storage (configdb, azure, gcs, s3, swift, local, bos, cos)"
      type: oneOf("configdb", "azure", "gcs", "s3", "swift", "local", "bos", "cos"),
      local: block({ directory: t("string") }),
    }),
    rule_path: t("string"),
    ring: block({ kvstore }),
    enable_sharding: t("boolean"),
    enable_api: t("boolean"),
  }),
  analytics: block({ reporting_enabled: t("boolean") }),
};

const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
const DAYTIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
// Loki's size parser takes B, KB, MB, GB, TB (read as powers of 1024) and refuses KiB, MiB.
const SIZE = /^[0-9]+(B|KB|MB|GB|TB)?$/;

function valueProblem(path: string, kind: ReferenceType, value: unknown): string[] {
  const wrong = (expected: string) => [`${path}: ${JSON.stringify(value)} is not ${expected}`];
  switch (kind.type) {
    case "boolean":
      return typeof value === "boolean" ? [] : wrong("a boolean");
    case "int":
      return Number.isInteger(value) ? [] : wrong("an int");
    case "float":
      return typeof value === "number" ? [] : wrong("a float");
    case "string":
      return typeof value === "string" ? [] : wrong("a string");
    case "duration":
      return typeof value === "string" && DURATION.test(value) ? [] : wrong("a duration");
    case "daytime":
      return typeof value === "string" && DAYTIME.test(value) ? [] : wrong("a date (YYYY-MM-DD)");
    case "bytes":
      return Number.isInteger(value) || (typeof value === "string" && SIZE.test(value))
        ? []
        : wrong("a size");
    case "list of strings":
      return Array.isArray(value) && value.every((v) => typeof v === "string")
        ? []
        : wrong("a list of strings");
    case "enum":
      return typeof value === "string" && kind.values.includes(value)
        ? []
        : wrong(`one of ${kind.values.join(", ")}`);
    case "block":
      return value !== null && typeof value === "object" && !Array.isArray(value)
        ? lokiConfigProblems(value as Record<string, unknown>, kind.keys, path)
        : wrong("a block");
    case "list of blocks":
      return Array.isArray(value)
        ? value.flatMap((item, i) => valueProblem(`${path}[${i}]`, { type: "block", keys: kind.keys }, item))
        : wrong("a list");
  }
}

/** Every key of `config` the reference does not have, and every value not of its key's type. */
export function lokiConfigProblems(
  config: Readonly<Record<string, unknown>>,
  reference: ReferenceBlock = LOKI_CONFIG_REFERENCE,
  path = "",
): string[] {
  return Object.entries(config).flatMap(([key, value]) => {
    const at = path === "" ? key : `${path}.${key}`;
    const kind = reference[key];
    return kind === undefined
      ? [`${at}: not a key of Loki ${LOKI_REFERENCE_VERSION}'s configuration`]
      : valueProblem(at, kind, value);
  });
}
