import type { PulumiConfig } from "../../config";
import { StackName } from "./stacks";
import { Json } from "./json";

/**
 * `pulumi config set --path 'observability:<path>' <value>`: the CLI stores integers and
 * booleans as such and everything else as text, which is what the program then reads.
 */
export function configSetPath(config: PulumiConfig, path: string, value: string): Record<string, string> {
  if (!path.includes(".")) {
    return { ...config, [`observability:${path}`]: value };
  }
  const stored: unknown = /^-?[0-9]+$/.test(value)
    ? Number(value)
    : value === "true" || value === "false"
      ? value === "true"
      : value;
  return configSetJson(config, path, stored);
}

/** `pulumi config set --path --json 'observability:<path>' <value>`: a structured value, lists included. */
export function configSetJson(config: PulumiConfig, path: string, value: unknown): Record<string, string> {
  const [top, ...rest] = path.split(".");
  const key = `observability:${top}`;
  if (rest.length === 0) {
    return { ...config, [key]: typeof value === "string" ? value : JSON.stringify(value) };
  }
  const root = JSON.parse(config[key] ?? "{}") as Json;
  let node = root;
  for (const segment of rest.slice(0, -1)) {
    node[segment] = (node[segment] as Json | undefined) ?? {};
    node = node[segment] as Json;
  }
  node[rest[rest.length - 1]] = value;
  return { ...config, [key]: JSON.stringify(root) };
}

/** Another app service, notification-service on 3010 (apps.services). */
export function addAppService(c: PulumiConfig): Record<string, string> {
  const apps = JSON.parse(c["observability:apps"]) as Json;
  return {
    ...c,
    "observability:apps": JSON.stringify({
      ...apps,
      services: [...(apps.services as Json[]), { name: "notification-service", port: 3010 }],
    }),
  };
}

/**
 * The payments team's alerts to its mailbox, with silence links at a public URL (alerting.receivers,
 * alerting.routes, alerting.externalUrls). E-mail without SMTP auth needs no credential, so the
 * stack's secret keys stay as they are.
 */
export function routeTeamAlerts(c: PulumiConfig): Record<string, string> {
  const alerting = JSON.parse(c["observability:alerting"] ?? "{}") as Json;
  return {
    ...c,
    "observability:alerting": JSON.stringify({
      ...alerting,
      externalUrls: { alertmanager: "https://alertmanager.tiketi.example.com" },
      receivers: [
        {
          name: "payments-team",
          email: [
            {
              to: ["payments@tiketi.example.com"],
              from: "alertmanager@tiketi.example.com",
              smarthost: "smtp-relay.tiketi.example.com:25",
            },
          ],
        },
      ],
      routes: [{ matchers: ['service="payment-service"'], receiver: "payments-team", continue: true }],
    }),
  };
}

/**
 * Quiet hours for the teams' routes: an interval of nights and weekends in UTC, during which every
 * route of alerting.routes notifies no one (alerting.timeIntervals, routes[].muteTimeIntervals).
 */
export function muteTeamRoutesOffHours(c: PulumiConfig): Record<string, string> {
  const alerting = JSON.parse(c["observability:alerting"] ?? "{}") as Json;
  return {
    ...c,
    "observability:alerting": JSON.stringify({
      ...alerting,
      timeIntervals: [
        {
          name: "off-hours",
          periods: [
            {
              times: [
                { start: "00:00", end: "07:00" },
                { start: "19:00", end: "24:00" },
              ],
            },
            { weekdays: ["saturday", "sunday"] },
          ],
        },
      ],
      routes: ((alerting.routes ?? []) as Json[]).map((route) => ({
        ...route,
        muteTimeIntervals: ["off-hours"],
      })),
    }),
  };
}

/** Every image through a mirror, Linux nodes only (images.registry, placement.default.nodeSelector). */
export function mirrorImagesLinuxOnly(c: PulumiConfig): Record<string, string> {
  const placement = { default: { nodeSelector: { "kubernetes.io/os": "linux" } } };
  return {
    ...configSetPath(c, "images.registry", "registry.example.com/mirror"),
    "observability:placement": JSON.stringify(placement),
  };
}

/** The payments team's rule files (metrics.extraRuleFiles, logs.extraRuleFiles). */
export function addTeamRuleFiles(c: PulumiConfig): Record<string, string> {
  const add = (section: string, file: string) => ({
    [`observability:${section}`]: JSON.stringify({
      ...(JSON.parse(c[`observability:${section}`] ?? "{}") as Json),
      extraRuleFiles: [file],
    }),
  });
  return {
    ...c,
    ...add("metrics", "tests/unit/extend/rules/payments.rules.yml"),
    ...add("logs", "tests/unit/extend/rules/payments.logs.yml"),
  };
}

interface UserEdit {
  /** What the user does, as the log and the README table say it. */
  readonly title: string;
  /** The stacks it applies to (some edits mean nothing on one profile). */
  readonly stacks: readonly StackName[];
  /**
   * Stacks of `stacks` where the engine's steps are of the kinds it takes on another (objects
   * updated in place or created; no claim grown, no replica added, nothing replaced): the engine
   * tier applies it there only with ENGINE_EVERY_EDIT=1, by hand. Its review on every stack of
   * `stacks` is checked regardless (tests/kit/dayTwoEdits.ts, in the scenarios tier).
   */
  readonly sameStepsOn?: readonly StackName[];
  readonly edit: (config: PulumiConfig) => Record<string, string>;
  /** The config refuses it on that stack, before anything is applied (message excerpt). */
  readonly refusedOn?: Partial<Record<StackName, string>>;
  /** Namespaces the team creates before the edit, which the stack then reads (Istio's, installed first). */
  readonly createdFirst?: readonly string[];
}

/**
 * The stack-config edits users make, each applied on top of the previous ones, as a stack's
 * history would have them. Values are given as the CLI stores them.
 */
export const USER_EDITS: readonly UserEdit[] = [
  {
    title: "sampling probability 0.25 (tracing.samplingProbability)",
    stacks: ["kind", "prod"],
    edit: (c) => configSetPath(c, "tracing.samplingProbability", "0.25"),
  },
  {
    title: "metrics retention 30d (metrics.retentionTime)",
    stacks: ["kind", "prod"],
    sameStepsOn: ["prod"],
    edit: (c) => configSetPath(c, "metrics.retentionTime", "30d"),
  },
  {
    title: "grow the Prometheus volume (metrics.storageSize)",
    stacks: ["kind", "prod"],
    edit: (c) =>
      configSetPath(c, "metrics.storageSize", c["observability:profile"] === "eks" ? "80Gi" : "8Gi"),
    refusedOn: { kind: "observability:metrics.storageSize cannot grow from 5Gi to 8Gi" },
  },
  {
    title: "hold an hour of Tempo outage (tracing.queue.outageMinutes, tracing.queue.storageSize)",
    stacks: ["kind", "prod"],
    edit: (c) =>
      configSetPath(
        configSetPath(c, "tracing.queue.outageMinutes", "60"),
        "tracing.queue.storageSize",
        c["observability:profile"] === "eks" ? "10Gi" : "1Gi",
      ),
    refusedOn: { kind: "observability:tracing.queue.storageSize cannot grow from 256Mi to 1Gi" },
  },
  {
    title: "add an app service (apps.services)",
    stacks: ["kind", "prod"],
    sameStepsOn: ["prod"],
    edit: addAppService,
  },
  {
    title: "three Alertmanagers (metrics.alertmanagerReplicas 1→3)",
    stacks: ["kind"],
    edit: (c) => configSetPath(c, "metrics.alertmanagerReplicas", "3"),
  },
  {
    title: "turn tail sampling on (tracing.tailSampling.enabled)",
    stacks: ["kind"],
    edit: (c) => configSetPath(c, "tracing.tailSampling.enabled", "true"),
  },
  {
    title:
      "route a team's alerts to its mailbox, with silence links at a public URL (alerting.receivers, alerting.routes, alerting.externalUrls)",
    stacks: ["kind", "prod"],
    sameStepsOn: ["prod"],
    edit: routeTeamAlerts,
  },
  {
    title:
      "pull every image through a mirror, Linux nodes only (images.registry, placement.default.nodeSelector)",
    stacks: ["kind", "prod"],
    sameStepsOn: ["prod"],
    edit: mirrorImagesLinuxOnly,
  },
  {
    title: "scale Prometheus (metrics.replicas; prod 2→3, kind 1→2, which adds Thanos Query)",
    stacks: ["kind", "prod"],
    edit: (c) => configSetPath(c, "metrics.replicas", c["observability:profile"] === "eks" ? "3" : "2"),
  },
  {
    title: "switch Alloy's collection mode (logs.collectionMode; kind api→node, prod node→api)",
    stacks: ["kind", "prod"],
    edit: (c) =>
      configSetPath(c, "logs.collectionMode", c["observability:profile"] === "eks" ? "api" : "node"),
  },
  {
    title: "add a team's rule files (metrics.extraRuleFiles, logs.extraRuleFiles)",
    stacks: ["kind", "prod"],
    sameStepsOn: ["prod"],
    edit: addTeamRuleFiles,
  },
  {
    title: "turn the Istio mesh on (mesh.istio: the app namespace meshed, istiod in istio-system, Kiali)",
    stacks: ["kind", "prod"],
    sameStepsOn: ["prod"],
    createdFirst: ["istio-system"],
    edit: (c) => configSetJson(c, "mesh.istio", { enabled: true, namespaces: ["tiketi-spring"] }),
  },
];
