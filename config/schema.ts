import { z } from "zod";
import { DEMO_NAMESPACE, DEMO_SLOS } from "./demo";
import { clusterServiceNamespace } from "./scrapeTargets";
import { strict } from "./fields";
import { clusterSection } from "./sections/cluster";
import { namespacesSection } from "./sections/namespaces";
import { appsSection } from "./sections/apps";
import { metricsSection } from "./sections/metrics";
import { logsSection } from "./sections/logs";
import { tracingSection } from "./sections/tracing";
import { grafanaSection } from "./sections/grafana";
import { alertingSection } from "./sections/alerting";
import { exposureSection } from "./sections/exposure";
import { storageSection } from "./sections/storage";
import { REGISTRY_CREDENTIALS_SECRET, imagesSection } from "./sections/images";
import { resourcesSection } from "./sections/resources";
import { placementSection } from "./sections/placement";
import { demoSection } from "./sections/demo";

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1e3,
  m: 6e4,
  h: 3.6e6,
  d: 8.64e7,
  w: 6.048e8,
  y: 3.1536e10,
};

/** Milliseconds of a duration the schema has accepted (`1h30m` → 5,400,000). */
function durationMs(text: string): number {
  return [...text.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)].reduce(
    (sum, [, count, unit]) => sum + Number(count) * DURATION_UNIT_MS[unit],
    0,
  );
}

/**
 * The whole `observability:` stack config. Every key is required here: the profile's defaults
 * (config/defaults.ts) fill what the stack file leaves out before this schema sees it.
 */
export const stackConfigSchema = strict({
  profile: z
    .enum(["kind", "eks"])
    .describe("Which defaults the stack starts from: a laptop kind cluster or EKS."),
  cluster: clusterSection,
  namespaces: namespacesSection,
  apps: appsSection,
  metrics: metricsSection,
  logs: logsSection,
  tracing: tracingSection,
  grafana: grafanaSection,
  alerting: alertingSection,
  exposure: exposureSection,
  storage: storageSection,
  images: imagesSection,
  resources: resourcesSection,
  placement: placementSection,
  demo: demoSection,
}).superRefine((value, ctx) => {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  if (value.namespaces.observability === value.namespaces.node) {
    issue(["namespaces", "node"], "must differ from namespaces.observability");
  }
  for (const [i, ns] of value.apps.namespaces.entries()) {
    if (ns === value.namespaces.observability || ns === value.namespaces.node) {
      issue(["apps", "namespaces", i], "must not be one of the stack's own namespaces");
    }
  }
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
    // Prometheus refuses the whole file otherwise, and the reloader would keep the old one.
    const interval = job.scrape_interval ?? value.metrics.scrapeInterval;
    if (job.scrape_timeout !== undefined && durationMs(job.scrape_timeout) > durationMs(interval)) {
      issue([...at, "scrape_timeout"], `must not be longer than the job's scrape interval (${interval})`);
    }
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
  const sloNames = new Set(value.metrics.slos.map((s) => s.name));
  value.metrics.openSloFiles.forEach((slos, i) =>
    // A file that failed to translate holds no list; its own error says why.
    (Array.isArray(slos) ? slos : []).forEach((slo) => {
      if (sloNames.has(slo.name)) {
        issue(
          ["metrics", "openSloFiles", i],
          `must not name an SLO twice: ${slo.name} is already in metrics.slos or an earlier file`,
        );
      }
      sloNames.add(slo.name);
    }),
  );
  if (value.demo.enabled) {
    const demoSlos = new Set(DEMO_SLOS.map((slo) => slo.name));
    const taken = `one of the demo's SLO names (${[...demoSlos].join(", ")}) while demo.enabled: the demo adds those SLOs`;
    value.metrics.slos.forEach((slo, i) => {
      if (demoSlos.has(slo.name)) issue(["metrics", "slos", i, "name"], `must not be ${taken}`);
    });
    value.metrics.openSloFiles.forEach((slos, i) =>
      (Array.isArray(slos) ? slos : []).forEach((slo) => {
        if (demoSlos.has(slo.name)) {
          issue(["metrics", "openSloFiles", i], `must not name ${slo.name}, ${taken}`);
        }
      }),
    );
  }
  if (value.images.registryCredentials !== undefined) {
    value.images.pullSecrets.forEach((name, i) => {
      if (name === REGISTRY_CREDENTIALS_SECRET) {
        issue(
          ["images", "pullSecrets", i],
          `must not be ${REGISTRY_CREDENTIALS_SECRET}: the stack creates that Secret from images.registryCredentials`,
        );
      }
    });
  }
  if (value.grafana.replicas > 1 && value.grafana.database === undefined) {
    issue(
      ["grafana", "database"],
      "is required when grafana.replicas is above 1 (host, name, user, password, sslMode): replicas cannot share SQLite on one volume",
    );
  }
  if (value.logs.replicas > 1 && value.storage.s3?.loki === undefined) {
    issue(
      ["logs", "replicas"],
      "above 1 needs storage.s3.loki (bucket, region, roleArn): replicas cannot share chunks and index kept on a volume",
    );
  }
  if (value.demo.enabled && value.apps.namespaces.includes(DEMO_NAMESPACE)) {
    issue(["apps", "namespaces"], `must not list ${DEMO_NAMESPACE} while demo.enabled: the demo owns it`);
  }
  if (value.profile === "eks") {
    if (value.demo.enabled) {
      issue(
        ["demo", "enabled"],
        "is for the kind profile only: the demo generates made-up traffic for a laptop cluster; set it to false on eks",
      );
    }
    if (value.storage.s3 === undefined) {
      issue(["storage", "s3"], "is required on profile eks (bucket, region and roleArn for loki and tempo)");
    }
    if (value.exposure.mode !== "ingress") {
      issue(
        ["exposure", "mode"],
        "must be ingress on profile eks: only Grafana is exposed, through an Ingress",
      );
    }
    const ingress = value.exposure.ingress;
    for (const ui of ["prometheus", "alertmanager"] as const) {
      if (ingress?.[ui] !== undefined && ingress.auth === undefined) {
        issue(
          ["exposure", "ingress", ui],
          "needs exposure.ingress.auth on profile eks (oidc or cognito): Prometheus and Alertmanager have no login of their own",
        );
      }
    }
  } else {
    if (value.storage.s3 !== undefined) {
      issue(
        ["storage", "s3"],
        "is only supported on profile eks (it needs IRSA); kind keeps data on volumes",
      );
    }
    if (value.metrics.remoteWrite !== undefined) {
      issue(["metrics", "remoteWrite"], "is only supported on profile eks (SigV4 signing needs IRSA)");
    }
  }
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
/** The stack config as validated, before shapeStackConfig. */
export type ValidStackConfig = z.output<typeof stackConfigSchema>;
