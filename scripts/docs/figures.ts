// The figures and samples in the docs that the code determines, each under the name its markers use
// (scripts/docs/regions.ts): counts and lists read off the renders of Pulumi.kind.yaml and
// Pulumi.prod.yaml, and what `npm run up` and `npm run verify` print for them.
import { USE_DASHBOARDS } from "../../components/common/grafanaUids";
import { StackConfig } from "../../config";
import { parsePulumiConfig } from "../../config/load";
import { PROJECT_ROOT, RenderedStack } from "../../render/renderStack";
import { ruleCounts } from "../../render/ruleCounts";
import { readStackFile } from "../../render/stackFile";
import { verifyExpectations } from "../verify/expectations";
import { exposureTable } from "./exposureTable";
import { PROMETHEUS_CONFIG_CHECK } from "../../components/metrics/prometheusWorkload";
import { PLUGINS_FINISH_MS } from "../killedUp";
import { GAP_RESOLUTION_S, GAP_STEP_S, RULES_AT_ONCE } from "../../review/history/backtest";
import { ATTEMPTS, HISTORY_DEFAULTS, RETRY_WAIT_MS } from "../../review/history/queryHistory";
import { LatestRenders, upgradeNotes } from "./upgradeNotes";
import { ClusterShape, brokenVerifySample, healthyVerifySample, verifyCheckNames } from "./verifySample";

/** The committed stacks the docs describe, rendered, and this program's renders of the newest kept release's. */
export interface DocStacks {
  readonly kind: RenderedStack;
  readonly prod: RenderedStack;
  readonly latestRelease: LatestRenders;
}

/**
 * The clusters the docs' figures are of: kind/cluster.yaml's one node, and the three-node EKS
 * cluster the cluster tests shape (tests/kit/cluster.ts).
 */
type DocStack = "kind" | "prod";

const CLUSTERS: Readonly<Record<DocStack, ClusterShape>> = {
  kind: { nodes: 1, controlPlanes: 1 },
  prod: { nodes: 3, controlPlanes: 1 },
};

const COMPONENT_TYPE = /^observability:index:(.+)$/;

/**
 * The first look as the README shows it: the Explore link's query, a page of JSON, is left out
 * (`explore?...`); everything else as the program prints it.
 */
export const firstLookAsDocumented = (firstLook: string): string =>
  firstLook.replace(/(\/explore\?)\S+/, "$1...");

const words = (list: readonly string[]) => list.map((item) => `\`${item}\``).join(", ");

function stackFigures(name: DocStack, rendered: RenderedStack, config: StackConfig) {
  const expected = verifyExpectations(config, rendered.objects);
  const rules = ruleCounts(rendered.objects);
  const replicas = (o: RenderedStack["objects"][number]) =>
    o.kind === "DaemonSet" ? CLUSTERS[name].nodes : ((o.spec as { replicas?: number }).replicas ?? 1);
  const workloads = rendered.objects.filter((o) =>
    ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind),
  );
  const claims = workloads.reduce(
    (n, o) =>
      n + replicas(o) * ((o.spec as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates ?? []).length,
    0,
  );
  const figures: Record<string, string | number> = {
    workloads: expected.workloads.length,
    stackJobs: expected.stackJobs.length,
    stackJobNames: words(expected.stackJobs),
    appJobs: expected.otherJobs.length,
    datasources: expected.datasources.length,
    dashboards: rules.dashboards,
    panels: rules.panels,
    alertRules: rules.alerts,
    platformAlertRules: rules.files
      .filter((f) => f.file === "platform.yaml")
      .reduce((n, f) => n + f.alerts, 0),
    logAlertRules: rules.logAlerts,
    recordingRules: rules.records,
    objects: rendered.objects.length,
    pods: workloads.reduce((n, o) => n + replicas(o), 0),
    claims,
    pdbs: rendered.objects.filter((o) => o.kind === "PodDisruptionBudget").length,
  };
  const sample = { stack: name, config, objects: rendered.objects, expected, cluster: CLUSTERS[name] };
  return {
    values: Object.fromEntries(
      Object.entries(figures).map(([key, value]) => [`${name}.${key}`, String(value)]),
    ),
    expected,
    sample,
  };
}

/** Every figure and sample, by the name the docs' markers give it. */
export function docFigures(stacks: DocStacks): Record<string, string> {
  const config = (stack: DocStack) => {
    const { config: raw, secretKeys } = readStackFile(stack, PROJECT_ROOT);
    return parsePulumiConfig(raw, secretKeys);
  };
  const kind = stackFigures("kind", stacks.kind, config("kind"));
  const prod = stackFigures("prod", stacks.prod, config("prod"));
  const components = [
    ...new Set(
      stacks.kind.registrations.flatMap((r) => {
        const type = COMPONENT_TYPE.exec(r.type)?.[1];
        return type === undefined ? [] : [type];
      }),
    ),
  ];
  const checks = verifyCheckNames(kind.expected);
  return {
    ...kind.values,
    ...prod.values,
    useDashboards: String(Object.keys(USE_DASHBOARDS).length),
    components: String(components.length),
    componentNames: words(components),
    verifyChecks: String(checks.length),
    verifyCheckNames: words(checks),
    "first-look": ["```text", firstLookAsDocumented(String(stacks.kind.outputs.firstLook)), "```"].join("\n"),
    "verify-healthy": ["```text", healthyVerifySample(kind.sample), "```"].join("\n"),
    "verify-broken": ["```text", brokenVerifySample(kind.sample), "```"].join("\n"),
    ...upgradeNotes(stacks.latestRelease),
    prometheusConfigCheck: PROMETHEUS_CONFIG_CHECK,
    pluginsFinish: `${PLUGINS_FINISH_MS / 60_000} minutes`,
    "history.days": String(HISTORY_DEFAULTS.days),
    "history.maxSeries": HISTORY_DEFAULTS.maxSeries.toLocaleString("en-US"),
    "history.maxSamples": HISTORY_DEFAULTS.maxSamples.toLocaleString("en-US"),
    "history.gapStep": `${GAP_STEP_S / 60} minutes`,
    "history.gapResolution": `${GAP_RESOLUTION_S / 60}-minute`,
    "history.engine": HISTORY_DEFAULTS.engine,
    "history.rulesAtOnce": String(RULES_AT_ONCE),
    "history.retries": `${ATTEMPTS - 1} more times, waiting ${Array.from(
      { length: ATTEMPTS - 1 },
      (_, i) => (RETRY_WAIT_MS * 2 ** i) / 1000,
    ).join(", ")} s`,
    "kind.podCidrs": words(config("kind").exposure.podCidrs),
    "exposure-kind": exposureTable(config("kind")),
    "exposure-prod": exposureTable(config("prod")),
  };
}
