import type { z } from "zod";
import { durationMs } from "../durations";
import type { Issue } from "../issue";
import type { Profile } from "../profiles";
import type { appsSection } from "../sections/apps";
import type { namespacesSection } from "../sections/namespaces";
import type { storageSection } from "../sections/storage";
import type { tracingSection } from "../sections/tracing";
import type { ComplianceWindow } from "../slo/calendarWindows";
import { LONGEST_BURN_WINDOW, furthestEvaluator, ruleBeyond, windowBeyond } from "./evaluatorReach";
import { clusterServiceNamespace } from "./scrapeTargets";
import type { metricsSection } from "./section";

// The rules across keys of the metrics section and the others it meets; config/schema.ts says what
// each reads.

/** The validated sections these rules read, by name. */
interface Validated {
  readonly profile: Profile;
  readonly namespaces: z.output<typeof namespacesSection>;
  readonly apps: z.output<typeof appsSection>;
  readonly metrics: z.output<typeof metricsSection>;
  readonly tracing: z.output<typeof tracingSection>;
  readonly storage: z.output<typeof storageSection>;
}

/**
 * What teams add to the scrape (annotated pods, Prometheus Operator monitors, extra jobs) stays out of
 * the stack's own namespaces.
 */
export function teamScrapesSkipStackNamespaces(
  value: Pick<Validated, "namespaces" | "metrics">,
  issue: Issue,
): void {
  const stackNamespaces = [value.namespaces.observability, value.namespaces.node];
  const ownNamespace = (ns: string | undefined, path: (string | number)[]) => {
    if (ns !== undefined && stackNamespaces.includes(ns)) {
      issue(
        path,
        `must not be one of the stack's own namespaces (${stackNamespaces.join(", ")}), which the stack scrapes itself`,
      );
    }
  };
  value.metrics.annotationDiscovery.namespaces.forEach((ns, i) =>
    ownNamespace(ns, ["metrics", "annotationDiscovery", "namespaces", i]),
  );
  value.metrics.prometheusOperatorMonitors.namespaces.forEach((ns, i) =>
    ownNamespace(ns, ["metrics", "prometheusOperatorMonitors", "namespaces", i]),
  );
  value.metrics.extraScrapeConfigs.forEach((job, j) => {
    const at = ["metrics", "extraScrapeConfigs", j];
    job.kubernetes_sd_configs?.forEach((sd, k) =>
      sd.namespaces.names.forEach((ns, n) =>
        ownNamespace(ns, [...at, "kubernetes_sd_configs", k, "namespaces", "names", n]),
      ),
    );
    job.static_configs?.forEach((group, k) =>
      group.targets.forEach((target, t) =>
        ownNamespace(clusterServiceNamespace(target), [...at, "static_configs", k, "targets", t]),
      ),
    );
  });
}

/** An extra scrape job's timeout is no longer than its interval. */
export function scrapeTimeoutsWithinInterval(value: Pick<Validated, "metrics">, issue: Issue): void {
  value.metrics.extraScrapeConfigs.forEach((job, j) => {
    // Prometheus refuses the whole file otherwise, and the reloader would keep the old one.
    const interval = job.scrape_interval ?? value.metrics.scrapeInterval;
    if (job.scrape_timeout !== undefined && durationMs(job.scrape_timeout) > durationMs(interval)) {
      issue(
        ["metrics", "extraScrapeConfigs", j, "scrape_timeout"],
        `must not be longer than the job's scrape interval (${interval})`,
      );
    }
  });
}

/** Each HTTP latency SLO's threshold is a span-metric bucket. */
export function latencyThresholdsAreSpanBuckets(
  value: Pick<Validated, "metrics" | "tracing" | "apps">,
  issue: Issue,
): void {
  const buckets = value.tracing.latencyBucketsSeconds;
  const notABucket = (seconds: number, path: (string | number)[]) => {
    if (!buckets.includes(seconds)) {
      issue(
        path,
        `must be one of tracing.latencyBucketsSeconds (${buckets.join(", ")}), the span-metric buckets the latency SLI falls back to`,
      );
    }
  };
  notABucket(value.metrics.slo.latencyThresholdSeconds, ["metrics", "slo", "latencyThresholdSeconds"]);
  value.apps.services.forEach((service, i) => {
    if (service.slo?.latencyThresholdSeconds !== undefined) {
      notABucket(service.slo.latencyThresholdSeconds, [
        "apps",
        "services",
        i,
        "slo",
        "latencyThresholdSeconds",
      ]);
    }
  });
}

/** Remote write only on eks. */
export function remoteWriteOnlyOnEks(value: Pick<Validated, "profile" | "metrics">, issue: Issue): void {
  if (value.profile === "kind" && value.metrics.remoteWrite !== undefined) {
    issue(["metrics", "remoteWrite"], "is only supported on profile eks (SigV4 signing needs IRSA)");
  }
}

/** Object storage only on eks, and never beside remote write. */
export function objectStorageOnEksWithoutRemoteWrite(
  value: Pick<Validated, "profile" | "metrics">,
  issue: Issue,
): void {
  if (value.metrics.objectStorage === undefined) {
    return;
  }
  if (value.profile === "kind") {
    issue(
      ["metrics", "objectStorage"],
      "is only supported on profile eks (the sidecars, store gateway and compactor reach S3 through IRSA); kind keeps metrics on its volume",
    );
  }
  if (value.metrics.remoteWrite !== undefined) {
    issue(
      ["metrics", "objectStorage"],
      "must not be set beside metrics.remoteWrite: Amazon Managed Prometheus keeps the history then, and Grafana queries it instead of Thanos",
    );
  }
}

/**
 * Every window the rules read, and every team rule, no longer than what evaluates it keeps
 * (config/metrics/evaluatorReach.ts): the HTTP SLOs' and each SLO's compliance window and alert windows,
 * the 3-day burn window every SLO records, Sloth's window, and each rule of metrics.extraRuleFiles.
 */
export function windowsWithinReach(value: Pick<Validated, "metrics">, issue: Issue): void {
  const metrics = value.metrics;
  const evaluator = furthestEvaluator(metrics);
  if (evaluator === undefined) return;
  type Slo = (typeof metrics.slos)[number];
  /** Each window an SLO reads, with its key below the SLO's: its compliance window, then its alerts'. */
  const windowsOf = (slo: Slo): [(string | number)[], ComplianceWindow][] => [
    [["window"], slo.window],
    ...(slo.alerts ?? []).flatMap((a, i) =>
      a.when.flatMap((c, j): [(string | number)[], ComplianceWindow][] => [
        [["alerts", i, "when", j, "window"], c.window],
        ...(c.shortWindow === undefined
          ? []
          : [
              [["alerts", i, "when", j, "shortWindow"], c.shortWindow] as [
                (string | number)[],
                ComplianceWindow,
              ],
            ]),
      ]),
    ),
  ];
  /** The first window of the SLO its evaluator cannot read, and where it is. */
  const beyond = (slo: Slo) =>
    windowsOf(slo).flatMap(([at, window]) => {
      const problem = windowBeyond(window, evaluator);
      return problem === undefined ? [] : [{ at, problem }];
    })[0];
  if (windowBeyond(LONGEST_BURN_WINDOW, evaluator) !== undefined) {
    issue(
      evaluator.key.split("."),
      `is ${evaluator.value}, shorter than the ${LONGEST_BURN_WINDOW} every SLO's ticket alert reads: ${evaluator.remedy}`,
    );
  }
  const http = windowBeyond(metrics.slo.window, evaluator);
  if (http !== undefined) issue(["metrics", "slo", "window"], `is ${http}`);
  metrics.slos.forEach((slo, i) => {
    const found = beyond(slo);
    if (found !== undefined) issue(["metrics", "slos", i, ...found.at], `is ${found.problem}`);
  });
  metrics.openSloFiles.forEach((slos, i) =>
    slos.forEach((slo) => {
      const found = beyond(slo);
      if (found !== undefined) {
        issue(["metrics", "openSloFiles", i], `${slo.name}'s ${found.at.join(".")} is ${found.problem}`);
      }
    }),
  );
  // Sloth's specs take metrics.slothWindow where it is set, else each its own (Sloth's 30d).
  const slothWindow = metrics.slothWindow;
  const sloth = slothWindow === undefined ? undefined : windowBeyond(slothWindow, evaluator);
  if (sloth !== undefined && metrics.slothFiles.length > 0) issue(["metrics", "slothWindow"], `is ${sloth}`);
  if (slothWindow === undefined) {
    metrics.slothFiles.forEach((slos, i) =>
      slos.forEach((slo) => {
        const found = beyond(slo);
        if (found !== undefined) {
          issue(
            ["metrics", "slothFiles", i],
            `${slo.name}'s ${found.at.join(".")} is ${found.problem}; metrics.slothWindow sets every one of theirs`,
          );
        }
      }),
    );
  }
  metrics.extraRuleFiles.forEach((file, i) => {
    // A file that did not load or parse is refused by its own check.
    const groups = file?.groups as typeof file.groups | undefined;
    if (groups === undefined || !Array.isArray(groups)) return;
    (groups as typeof file.groups).forEach((group, g) =>
      group.rules.forEach((rule, r) => {
        const problem = ruleBeyond(rule.expr, evaluator);
        if (problem !== undefined) {
          issue(["metrics", "extraRuleFiles", i], `groups[${g}].rules[${r}].expr ${problem}`, true);
        }
      }),
    );
  });
}

/** With object storage, Prometheus keeps each block until it is uploaded. */
export function retentionHoldsBlocksUntilUploaded(value: Pick<Validated, "metrics">, issue: Issue): void {
  // Prometheus deletes a block past its retention whether or not its sidecar has uploaded it.
  const minimum = "6h";
  if (
    value.metrics.objectStorage !== undefined &&
    durationMs(value.metrics.retentionTime) < durationMs(minimum)
  ) {
    issue(
      ["metrics", "retentionTime"],
      `must be at least ${minimum} with metrics.objectStorage: each 2-hour block stays on the volume until the sidecar has uploaded it and the store gateways have loaded it, and the window is how long an S3 outage may last without losing a block`,
    );
  }
}

/** The metrics bucket is neither Loki's nor Tempo's. */
export function objectStorageBucketOwnedAlone(
  value: Pick<Validated, "metrics" | "storage">,
  issue: Issue,
): void {
  const bucket = value.metrics.objectStorage?.bucket;
  for (const backend of ["loki", "tempo"] as const) {
    if (typeof bucket === "string" && bucket === value.storage.s3?.[backend]?.bucket) {
      issue(
        ["metrics", "objectStorage", "bucket"],
        `must not be storage.s3.${backend}.bucket (${bucket}): the compactor owns every block of its bucket, and ${backend === "loki" ? "Loki's" : "Tempo's"} retention deletes in its own`,
      );
    }
  }
}
