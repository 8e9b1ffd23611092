import { StackConfig } from "../../config";
import { portOfAddress } from "../common/serviceUrl";
import { WorkloadSpec, workloadSpec } from "../common/workloadSpec";

type PostgresTarget = StackConfig["metrics"]["exporters"]["postgres"][number];
type RedisTarget = StackConfig["metrics"]["exporters"]["redis"][number];

/** One exporter per database or cache listed in `metrics.exporters`: its workload and what it watches. */
export type DatastoreExporter = {
  readonly spec: WorkloadSpec<"http-metrics">;
  /** The datastore's own port, which the exporter connects to. */
  readonly targetPort: number;
} & (
  | { readonly kind: "postgres"; readonly target: PostgresTarget }
  | { readonly kind: "redis"; readonly target: RedisTarget }
);

export function datastoreExporters(metrics: StackConfig["metrics"]): DatastoreExporter[] {
  return [
    ...metrics.exporters.postgres.map(
      (target): DatastoreExporter => ({
        kind: "postgres",
        target,
        spec: workloadSpec(`postgres-exporter-${target.name}`, {
          "http-metrics": { port: 9187, scrape: true },
        }),
        targetPort: target.port,
      }),
    ),
    ...metrics.exporters.redis.map(
      (target): DatastoreExporter => ({
        kind: "redis",
        target,
        spec: workloadSpec(`redis-exporter-${target.name}`, { "http-metrics": { port: 9121, scrape: true } }),
        targetPort: portOfAddress(target.address),
      }),
    ),
  ];
}
