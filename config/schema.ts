import { z } from "zod";
import { DEMO_NAMESPACE, DEMO_SLOS } from "./demo";
import { AlertDestination, quotedSeverity, severityProblem, severityRoutes } from "./alerting/severities";
import { SLOTH_SEVERITY, sloAlertDestination, slothDestination } from "./alerting/paging";
import { durationMs } from "./durations";
import { ComplianceWindow } from "./slo/calendarWindows";
import { LONGEST_BURN_WINDOW, furthestEvaluator, ruleBeyond, windowBeyond } from "./metrics/evaluatorReach";
import { clusterServiceNamespace } from "./metrics/scrapeTargets";
import { Identity, strict } from "./fields";
import { clusterSection } from "./sections/cluster";
import { namespacesSection } from "./sections/namespaces";
import { appsSection } from "./sections/apps";
import { metricsSection } from "./metrics/section";
import { logsSection } from "./sections/logs";
import { tracingSection } from "./sections/tracing";
import { grafanaSection } from "./sections/grafana";
import { PLATFORM_RECEIVERS, alertingSection } from "./alerting/section";
import { exposureSection } from "./sections/exposure";
import { storageSection } from "./sections/storage";
import { REGISTRY_CREDENTIALS_SECRET, imagesSection } from "./sections/images";
import { resourcesSection } from "./sections/resources";
import { placementSection } from "./sections/placement";
import { demoSection } from "./sections/demo";
import { meshSection } from "./sections/mesh";

/** The sections of the stack config: top-level keys, each validated by its own schema. */
const sections = {
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
  mesh: meshSection,
};

export type Section = keyof typeof sections;
export const SECTIONS = Object.keys(sections) as Section[];

/**
 * What a caller reads of the config: a section, or one key of a section (`tracing.latencyBucketsSeconds`).
 * A component that reads a key of another component's section is held to no rule of that section.
 */
export type ConfigRead = Section | `${Section}.${string}`;

/** The sections some of whose keys `reads` names. */
export const sectionsRead = (reads: readonly ConfigRead[]): Section[] => [
  ...new Set(reads.map((read) => read.split(".")[0] as Section)),
];

/** Whether reading `reads` covers `path`: the path's section, or the path itself or one above it. */
const covers = (reads: readonly ConfigRead[], path: string): boolean =>
  reads.some((read) => path === read || path.startsWith(`${read}.`));

type Sections = z.output<z.ZodObject<typeof sections>>;
/** A problem at `path`; `insideFile` when the key names a file and the message says what is wrong inside it. */
type Issue = (path: (string | number)[], message: string, insideFile?: boolean) => void;

/**
 * A rule across keys of several sections. `reads` are the sections (or keys) it looks at: a
 * component is held to the rules whose every read it reads.
 */
interface CrossCheck {
  readonly reads: readonly ConfigRead[];
  readonly check: (value: Sections, issue: Issue) => void;
}

/**
 * Every window the rules read, and every team rule, no longer than what evaluates it keeps
 * (config/metrics/evaluatorReach.ts): the HTTP SLOs' and each SLO's compliance window and alert windows,
 * the 3-day burn window every SLO records, Sloth's window, and each rule of metrics.extraRuleFiles.
 */
function windowsWithinReach(value: Sections, issue: Issue): void {
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

const CROSS_CHECKS: readonly CrossCheck[] = [
  {
    reads: ["namespaces"],
    check: (value, issue) => {
      if (value.namespaces.observability === value.namespaces.node) {
        issue(["namespaces", "node"], "must differ from namespaces.observability");
      }
    },
  },
  {
    reads: ["namespaces", "apps"],
    check: (value, issue) => {
      for (const [i, ns] of value.apps.namespaces.entries()) {
        if (ns === value.namespaces.observability || ns === value.namespaces.node) {
          issue(["apps", "namespaces", i], "must not be one of the stack's own namespaces");
        }
      }
    },
  },
  {
    reads: ["namespaces", "metrics"],
    check: (value, issue) => {
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
    },
  },
  {
    reads: ["metrics.extraScrapeConfigs", "metrics.scrapeInterval"],
    check: (value, issue) => {
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
    },
  },
  {
    reads: ["metrics.slos", "metrics.openSloFiles", "metrics.slothFiles"],
    check: (value, issue) => {
      const sloNames = new Set(value.metrics.slos.map((s) => s.name));
      for (const key of ["openSloFiles", "slothFiles"] as const) {
        value.metrics[key].forEach((slos, i) =>
          slos.forEach((slo) => {
            if (sloNames.has(slo.name)) {
              issue(
                ["metrics", key, i],
                `must not name an SLO twice: ${slo.name} is already in metrics.slos or an earlier file`,
              );
            }
            sloNames.add(slo.name);
          }),
        );
      }
    },
  },
  {
    reads: ["metrics.slos", "metrics.openSloFiles", "alerting.receivers"],
    check: (value, issue) => {
      const receivers = [
        PLATFORM_RECEIVERS.critical,
        PLATFORM_RECEIVERS.warning,
        ...value.alerting.receivers.map((r) => r.name),
      ];
      const unknown = (
        slo: (typeof value.metrics.slos)[number],
        path: (string | number)[],
        inFile: boolean,
      ) =>
        (slo.alerts ?? []).forEach((alert, a) =>
          (alert.receivers ?? []).forEach((receiver, r) => {
            if (!receivers.includes(receiver)) {
              issue(
                inFile ? path : [...path, "alerts", a, "receivers", r],
                `${inFile ? `must name Alertmanager receivers in its notification targets: the SLO ${slo.name}'s alert ${alert.name} notifies ${receiver}, which` : `must name an Alertmanager receiver: ${receiver}`} is none of alerting.receivers or the platform's critical and warning (${receivers.join(", ")}); add a receiver of that name to alerting.receivers, or name one of those`,
                inFile,
              );
            }
          }),
        );
      value.metrics.slos.forEach((slo, i) => unknown(slo, ["metrics", "slos", i], false));
      value.metrics.openSloFiles.forEach((slos, i) =>
        slos.forEach((slo) => unknown(slo, ["metrics", "openSloFiles", i], true)),
      );
    },
  },
  {
    reads: [
      "alerting.routes",
      "alerting.otherSeverities",
      "metrics.extraRuleFiles",
      "logs.extraRuleFiles",
      "metrics.slos",
      "metrics.openSloFiles",
      "metrics.slothFiles",
      "metrics.alerts.overrides",
      "logs.alerts.overrides",
    ],
    check: (value, issue) => {
      const routes = severityRoutes(value.alerting.routes);
      const problem = (severity: string | undefined, destination?: AlertDestination) =>
        severityProblem(severity, routes, value.alerting.otherSeverities, destination);
      for (const section of ["metrics", "logs"] as const) {
        for (const [name, override] of Object.entries(value[section].alerts.overrides)) {
          const refused = override.severity === undefined ? undefined : problem(override.severity);
          if (refused !== undefined) issue([section, "alerts", "overrides", name, "severity"], refused);
        }
      }
      for (const section of ["metrics", "logs"] as const) {
        value[section].extraRuleFiles.forEach((file, f) => {
          // A file refused for its content has no groups here.
          if (file?.groups === undefined) return;
          file.groups.forEach((group, g) =>
            group.rules.forEach((rule, r) => {
              const label = rule.labels?.severity !== undefined ? `rules[${r}].labels` : "labels";
              const severity = rule.labels?.severity ?? group.labels?.severity;
              const sloth = rule.labels?.[SLOTH_SEVERITY.label] ?? group.labels?.[SLOTH_SEVERITY.label];
              const refused =
                rule.alert === undefined ? undefined : problem(severity, slothDestination(sloth));
              if (refused !== undefined) {
                issue(
                  [section, "extraRuleFiles", f],
                  `(${file.file}) alert ${rule.alert}'s severity${quotedSeverity(severity)} (groups[${g}].${label}.severity) ${refused}`,
                  true,
                );
              }
            }),
          );
        });
      }
      value.metrics.slos.forEach((slo, i) =>
        (slo.alerts ?? []).forEach((alert, a) => {
          const refused = problem(alert.severity, sloAlertDestination(alert));
          if (refused !== undefined) issue(["metrics", "slos", i, "alerts", a, "severity"], refused);
        }),
      );
      for (const key of ["openSloFiles", "slothFiles"] as const) {
        value.metrics[key].forEach((slos, i) =>
          slos.forEach((slo) =>
            (slo.alerts ?? []).forEach((alert) => {
              const refused = problem(alert.severity, sloAlertDestination(alert));
              if (refused !== undefined) {
                issue(
                  ["metrics", key, i],
                  `the severity${quotedSeverity(alert.severity)} of the SLO ${slo.name}'s alert ${alert.name} ${refused}`,
                  true,
                );
              }
            }),
          ),
        );
      }
    },
  },
  {
    reads: ["metrics.slo", "tracing.latencyBucketsSeconds", "apps"],
    check: (value, issue) => {
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
    },
  },
  {
    reads: ["demo.enabled", "metrics.slos", "metrics.openSloFiles", "metrics.slothFiles"],
    check: (value, issue) => {
      if (!value.demo.enabled) {
        return;
      }
      const demoSlos = new Set(DEMO_SLOS.map((slo) => slo.name));
      const taken = `one of the demo's SLO names (${[...demoSlos].join(", ")}) while demo.enabled: the demo adds those SLOs`;
      value.metrics.slos.forEach((slo, i) => {
        if (demoSlos.has(slo.name)) issue(["metrics", "slos", i, "name"], `must not be ${taken}`);
      });
      for (const key of ["openSloFiles", "slothFiles"] as const) {
        value.metrics[key].forEach((slos, i) =>
          slos.forEach((slo) => {
            if (demoSlos.has(slo.name)) {
              issue(["metrics", key, i], `must not name ${slo.name}, ${taken}`);
            }
          }),
        );
      }
    },
  },
  {
    reads: ["namespaces", "mesh"],
    check: (value, issue) => {
      const own = [value.namespaces.observability, value.namespaces.node];
      const notOwn = (ns: string, path: (string | number)[]) => {
        if (own.includes(ns)) {
          issue(
            path,
            `must not be one of the stack's own namespaces (${own.join(", ")}), which are not meshed`,
          );
        }
      };
      value.mesh.istio.namespaces.forEach((ns, i) => notOwn(ns, ["mesh", "istio", "namespaces", i]));
      notOwn(value.mesh.istio.istiodNamespace, ["mesh", "istio", "istiodNamespace"]);
    },
  },
  {
    reads: ["exposure", "mesh"],
    check: (value, issue) => {
      const { enabled, kiali } = value.mesh.istio;
      if (value.exposure.ingress?.kiali !== undefined && !(enabled && kiali)) {
        issue(
          ["exposure", "ingress", "kiali"],
          "exposes Kiali, which runs only with mesh.istio.enabled and mesh.istio.kiali true",
        );
      }
    },
  },
  {
    reads: ["images"],
    check: (value, issue) => {
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
    },
  },
  {
    reads: ["grafana"],
    check: (value, issue) => {
      if (value.grafana.replicas > 1 && value.grafana.database === undefined) {
        issue(
          ["grafana", "database"],
          "is required when grafana.replicas is above 1 (host, name, user, password, sslMode): replicas cannot share SQLite on one volume",
        );
      }
    },
  },
  {
    reads: ["logs", "storage"],
    check: (value, issue) => {
      if (value.logs.replicas > 1 && value.storage.s3?.loki === undefined) {
        issue(
          ["logs", "replicas"],
          "above 1 needs storage.s3.loki (bucket, region, roleArn): replicas cannot share chunks and index kept on a volume",
        );
      }
    },
  },
  {
    reads: ["demo.enabled", "apps"],
    check: (value, issue) => {
      if (value.demo.enabled && value.apps.namespaces.includes(DEMO_NAMESPACE)) {
        issue(["apps", "namespaces"], `must not list ${DEMO_NAMESPACE} while demo.enabled: the demo owns it`);
      }
    },
  },
  {
    reads: ["profile", "demo.enabled"],
    check: (value, issue) => {
      if (value.profile === "eks" && value.demo.enabled) {
        issue(
          ["demo", "enabled"],
          "is for the kind profile only: the demo generates made-up traffic for a laptop cluster; set it to false on eks",
        );
      }
    },
  },
  ...(["logs", "tracing"] as const).map(
    (section): CrossCheck => ({
      reads: ["profile", "storage", section],
      check: (value, issue) => {
        const backend = section === "logs" ? "loki" : "tempo";
        if (value.profile === "eks" && value.storage.s3?.[backend] === undefined) {
          issue(
            ["storage", "s3", backend],
            `is required on profile eks (bucket, region and roleArn): ${backend === "loki" ? "Loki keeps chunks and index" : "Tempo keeps blocks"} in S3`,
          );
        }
      },
    }),
  ),
  {
    reads: ["profile", "storage"],
    check: (value, issue) => {
      if (value.profile === "kind" && value.storage.s3 !== undefined) {
        issue(
          ["storage", "s3"],
          "is only supported on profile eks (it needs IRSA); kind keeps data on volumes",
        );
      }
    },
  },
  {
    reads: ["profile", "exposure"],
    check: (value, issue) => {
      if (value.profile !== "eks") {
        return;
      }
      if (value.exposure.mode !== "ingress") {
        issue(
          ["exposure", "mode"],
          "must be ingress on profile eks: only Grafana is exposed, through an Ingress",
        );
      }
      const ingress = value.exposure.ingress;
      for (const ui of ["prometheus", "alertmanager", "kiali"] as const) {
        if (ingress?.[ui] !== undefined && ingress.auth === undefined) {
          issue(
            ["exposure", "ingress", ui],
            "needs exposure.ingress.auth on profile eks (oidc or cognito): Prometheus, Alertmanager and Kiali (anonymous, read-only) have no login of their own",
          );
        }
      }
    },
  },
  {
    reads: ["profile", "metrics.remoteWrite"],
    check: (value, issue) => {
      if (value.profile === "kind" && value.metrics.remoteWrite !== undefined) {
        issue(["metrics", "remoteWrite"], "is only supported on profile eks (SigV4 signing needs IRSA)");
      }
    },
  },
  {
    reads: ["profile", "metrics.objectStorage", "metrics.remoteWrite"],
    check: (value, issue) => {
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
    },
  },
  {
    reads: [
      "metrics.slo",
      "metrics.slos",
      "metrics.openSloFiles",
      "metrics.slothFiles",
      "metrics.slothWindow",
      "metrics.extraRuleFiles",
      "metrics.retentionTime",
      "metrics.objectStorage",
    ],
    check: windowsWithinReach,
  },
  {
    reads: ["metrics.objectStorage", "metrics.retentionTime"],
    check: (value, issue) => {
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
    },
  },
  {
    reads: ["metrics.objectStorage", "storage"],
    check: (value, issue) => {
      const bucket = value.metrics.objectStorage?.bucket;
      for (const backend of ["loki", "tempo"] as const) {
        if (typeof bucket === "string" && bucket === value.storage.s3?.[backend]?.bucket) {
          issue(
            ["metrics", "objectStorage", "bucket"],
            `must not be storage.s3.${backend}.bucket (${bucket}): the compactor owns every block of its bucket, and ${backend === "loki" ? "Loki's" : "Tempo's"} retention deletes in its own`,
          );
        }
      }
    },
  },
];

/**
 * The schema of the sections `reads` names: each section's own rules, and the cross-section rules
 * among what it reads. Every key is required here: the profile's defaults (config/defaults.ts) fill what the
 * config leaves out before this schema sees it.
 */
/** The schema of every section, by name (see Identity). */
export interface SectionsSchema extends Identity<ReturnType<typeof strict<typeof sections>>> {}

function buildConfigSchema(reads: readonly ConfigRead[]): z.ZodEffects<SectionsSchema> {
  const checks = CROSS_CHECKS.filter((c) => c.reads.every((path) => covers(reads, path)));
  const read = Object.fromEntries(
    sectionsRead(reads).map((section) => [section, sections[section]]),
  ) as typeof sections;
  // Those `reads` names, under the type of all: a caller reads only the sections it named.
  return (strict(read) as unknown as SectionsSchema).superRefine((value, ctx) => {
    const issue: Issue = (path, message, insideFile) =>
      ctx.addIssue({
        code: "custom",
        path,
        message,
        ...(insideFile === true ? { params: { insideFile } } : {}),
      });
    for (const { check } of checks) {
      check(value, issue);
    }
  });
}

/** The schema of a config, by name (see Identity). */
export interface ConfigSchema extends Identity<ReturnType<typeof buildConfigSchema>> {}

/**
 * The schema of the sections `reads` names: each section's own rules, and the cross-section rules
 * among what it reads.
 */
export const configSchema = (reads: readonly ConfigRead[]): ConfigSchema => buildConfigSchema(reads);

/** The whole `observability:` stack config: every section read. */
export const stackConfigSchema: ConfigSchema = configSchema(SECTIONS);

export type StackConfigInput = z.input<typeof stackConfigSchema>;
/** The stack config as validated, before shapeStackConfig. */
export type ValidStackConfig = z.output<typeof stackConfigSchema>;
