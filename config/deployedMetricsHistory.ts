import { durationMs } from "./durations";
import { keyPath } from "./errors";
import type { StackConfig } from "./stackConfig";

/**
 * Where the running stack keeps its metrics history: the stack exports it, and the next update
 * reads it back before registering anything (as it does DeployedVolumes).
 */
export interface DeployedMetricsHistory {
  /** Prometheus' `--storage.tsdb.retention.time`. */
  readonly retentionTime: string;
  /** Whether its sidecars upload the blocks to `metrics.objectStorage`. */
  readonly objectStorage: boolean;
}

/** The stack output that records DeployedMetricsHistory for the next update. */
export const DEPLOYED_METRICS_HISTORY_OUTPUT = "deployedMetricsHistory";

export function deployedMetricsHistory(config: StackConfig): DeployedMetricsHistory {
  return {
    retentionTime: config.metrics.retentionTime,
    objectStorage: config.metrics.objectStorage !== undefined,
  };
}

/**
 * An update that turns `metrics.objectStorage` on must not shorten `metrics.retentionTime`:
 * Prometheus applies its retention as it opens the TSDB, deleting every block past the new one,
 * before its new sidecar has uploaded anything. With the retention kept, the sidecar uploads every
 * block the volume holds, and a later update shortens it. `previous` is the last deployment's
 * record; `deployedBefore`, whether there was a deployment at all (one by a release that did not
 * record its retention yet leaves it unknown).
 */
export function metricsHistoryProblems(
  config: StackConfig,
  previous: DeployedMetricsHistory | undefined,
  deployedBefore: boolean,
): string[] {
  if (config.metrics.objectStorage === undefined || previous?.objectStorage === true || !deployedBefore) {
    return [];
  }
  const retention = config.metrics.retentionTime;
  if (previous === undefined) {
    return [
      `${keyPath(["metrics", "objectStorage"])} cannot be turned on in the update that upgrades this stack from an earlier release: ` +
        "that release did not record Prometheus' retention, so this update cannot tell whether it shortens it " +
        "(Prometheus would delete the blocks past the new retention before its sidecar uploads them). " +
        "Run pulumi up once without metrics.objectStorage, then turn it on (docs/day-two.md)",
    ];
  }
  return durationMs(retention) < durationMs(previous.retentionTime)
    ? [
        `${keyPath(["metrics", "retentionTime"])} cannot shorten from ${previous.retentionTime} to ${retention} in the update that turns on metrics.objectStorage: ` +
          "Prometheus would delete the blocks past the new retention as it restarts, before its sidecar uploads them. " +
          `Turn object storage on with ${previous.retentionTime}, and shorten it in a later update once thanos_shipper_upload_compacted_done is 1 on every replica (docs/day-two.md)`,
      ]
    : [];
}
