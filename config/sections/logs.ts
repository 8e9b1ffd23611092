import { z } from "zod";
import { extraRuleFile } from "../ruleFiles";
import {
  Identity,
  alertOverrides,
  disabledAlerts,
  dnsLabel,
  duration,
  fromCliText,
  quantity,
  re2Regex,
  replicas,
  strict,
} from "../fields";

const logsSectionSchema = strict({
  retention: duration.describe("How long Loki keeps log lines."),
  storageSize: quantity.describe(
    "Loki's volume (each replica's: its WAL, and on kind its chunks and index).",
  ),
  replicas: replicas(9).describe(
    "Loki replicas. Above 1 they form one memberlist ring across zones and need storage.s3.loki, as chunks on a volume cannot be shared.",
  ),
  replicationFactor: replicas(9).describe(
    "Replicas each log line is written to (a push succeeds on a majority of them); at most logs.replicas.",
  ),
  collectionMode: z
    .enum(["node", "api"])
    .describe(
      "node: a DaemonSet in the node namespace tailing /var/log/pods; api: one replica in the restricted namespace reading logs through the API.",
    ),
  clusterEvents: z
    .boolean()
    .describe(
      "Ship the cluster's Kubernetes events (every namespace's) to Loki through one collector, labelled by namespace, kind, name, reason and type, kept as long as log lines.",
    ),
  maskIpAddresses: z.boolean().describe("Replace IP addresses in log lines before they are stored."),
  dropPatterns: z
    .array(re2Regex("Alloy", false))
    .describe("Lines matching any of these regular expressions are dropped."),
  tenant: dnsLabel
    .optional()
    .describe("Loki tenant for every log line; unset turns Loki's multi-tenancy off."),
  ingestionRateMb: fromCliText(
    z
      .number({ invalid_type_error: "must be a number of MB/s above 0" })
      .positive("must be a number of MB/s above 0"),
  ).describe("Per-tenant ingestion rate, in MB/s."),
  ingestionBurstMb: fromCliText(
    z
      .number({ invalid_type_error: "must be a number of MB above 0" })
      .positive("must be a number of MB above 0"),
  ).describe("Per-tenant ingestion burst, in MB."),
  alerts: strict({
    errorLinesPer5m: fromCliText(
      z
        .number({ invalid_type_error: "must be a whole number above 0" })
        .int("must be a whole number above 0")
        .positive("must be a whole number above 0"),
    ).describe("LogErrorBurst fires when a service logs more ERROR lines than this in five minutes."),
    silentFor: duration.describe(
      "LogsStopped fires when a service that logged in the hour before has been silent this long.",
    ),
    disabled: disabledAlerts("Loki"),
    overrides: alertOverrides("Loki"),
  }).describe("Log alert thresholds, and the log alerts switched off."),
  extraRuleFiles: z
    .array(extraRuleFile("LogQL"))
    .describe(
      "Teams' own Loki (LogQL) rule files (paths from the project root, or from a program {name, content}), loaded beside the stack's.",
    ),
})
  .superRefine((value, ctx) => {
    if (value.replicationFactor > value.replicas) {
      ctx.addIssue({
        code: "custom",
        path: ["replicationFactor"],
        message: `must be at most logs.replicas (${value.replicas}): each line is written to that many distinct replicas, got ${value.replicationFactor}`,
      });
    }
  })
  .describe("Loki and the Alloy log agent.");

/** The schema of the `logs` section, by name (see Identity). */
export interface LogsSectionSchema extends Identity<typeof logsSectionSchema> {}
export const logsSection: LogsSectionSchema = logsSectionSchema;
