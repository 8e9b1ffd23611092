// The kubernetes-mixin maintainers' promtool scenarios (kubernetes-mixin-scenarios.yaml) as cases of
// the alerts that page here in their alerts' place: the same input series, relabelled to this stack's
// job names, and the same checks at the same times, each naming the objects our alert names.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { PLATFORM_JOBS } from "../../../components/metrics/names";
import { AlertCase } from "./alertCase";

type Labels = Readonly<Record<string, string>>;

interface Scenario {
  readonly from: string;
  readonly input_series: readonly { readonly series: string; readonly values: string }[];
  readonly alert_rule_test: readonly {
    readonly eval_time: string;
    readonly alertname: string;
    readonly exp_alerts?: readonly { readonly exp_labels: Labels }[];
  }[];
}

const SCENARIOS = (
  yaml.load(fs.readFileSync(path.join(__dirname, "kubernetes-mixin-scenarios.yaml"), "utf8")) as {
    scenarios: Scenario[];
  }
).scenarios;

/** The mixin's job names (kube-prometheus' and the scenarios' shorthand) as this stack names its jobs. */
const JOBS: Readonly<Record<string, string>> = {
  "kube-apiserver": PLATFORM_JOBS.apiserver,
  ksm: "kube-state-metrics",
};

const SERIES = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/g;

const parse = (series: string): { name: string; labels: Labels } => {
  const [, name, labels] = SERIES.exec(series) as RegExpExecArray;
  return { name, labels: Object.fromEntries([...labels.matchAll(LABEL)].map(([, k, v]) => [k, v])) };
};

/**
 * A scenario's series as this stack stores it: its job renamed, and a kubelet target labelled with
 * its node, as the kubelet job's relabelling does from discovery (the scenarios name the node by the
 * target's instance).
 */
function relabelled(series: string): string {
  const { name, labels } = parse(series);
  const job = labels.job === undefined ? {} : { job: JOBS[labels.job] ?? labels.job };
  const node =
    name === "up" && labels.job === PLATFORM_JOBS.kubelet && labels.node === undefined
      ? { node: labels.instance }
      : {};
  const all = { ...labels, ...job, ...node };
  return `${name}{${Object.entries(all)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;
}

interface Ours {
  readonly alert: string;
  readonly severity: "critical" | "warning";
  /** The labels of the mixin's alert that ours carries too: the object it names. */
  readonly names: readonly string[];
  /** The object ours names that the mixin's alert does not carry, from the scenario's series. */
  readonly object?: (series: readonly string[]) => Labels;
}

/** The mixin's alert → the alerts paging here in its place (by severity where it has two). */
const OURS: Readonly<Record<string, readonly Ours[]>> = {
  KubePdbNotEnoughHealthyPods: [
    {
      alert: "PodDisruptionBudgetUnhealthy",
      severity: "warning",
      names: ["namespace", "poddisruptionbudget"],
    },
  ],
  KubeAPIDown: [{ alert: "APIServerTargetMissing", severity: "critical", names: ["job"] }],
  // The mixin's is one alert for the cluster; ours names the node whose kubelet is gone.
  KubeletDown: [
    {
      alert: "KubeletTargetMissing",
      severity: "critical",
      names: [],
      object: (series) => ({
        node: parse(series.find((s) => s.startsWith("kube_node_info{")) as string).labels.node,
      }),
    },
  ],
  KubeAPITerminatedRequests: [{ alert: "APIServerRequestsTerminated", severity: "warning", names: [] }],
  KubeNodePressure: [{ alert: "NodeUnderPressure", severity: "warning", names: ["node", "condition"] }],
  KubePersistentVolumeFillingUp: [
    { alert: "VolumeAlmostFull", severity: "critical", names: ["namespace", "persistentvolumeclaim"] },
    { alert: "VolumeFillingUp", severity: "warning", names: ["namespace", "persistentvolumeclaim"] },
  ],
  KubePersistentVolumeInodesFillingUp: [
    {
      alert: "VolumeInodesAlmostExhausted",
      severity: "critical",
      names: ["namespace", "persistentvolumeclaim"],
    },
    { alert: "VolumeInodesFillingUp", severity: "warning", names: ["namespace", "persistentvolumeclaim"] },
  ],
};

/**
 * Checks that assert a duration this stack chose differently, by scenario and eval time: the mixin's
 * KubeNodePressure waits 10 minutes, NodeUnderPressure 5 (docs/platform-coverage.md).
 */
const OTHER_DURATION = new Set(["tests/tests.yaml:644 12m"]);

export const MIXIN_ALERT_CASES: readonly AlertCase[] = SCENARIOS.flatMap((scenario) => {
  const series = Object.fromEntries(scenario.input_series.map((s) => [relabelled(s.series), s.values]));
  return scenario.alert_rule_test
    .filter((check) => !OTHER_DURATION.has(`${scenario.from} ${check.eval_time}`))
    .flatMap((check) =>
      OURS[check.alertname].map((ours): AlertCase => {
        const fired = (check.exp_alerts ?? [])
          .map((a) => a.exp_labels)
          .filter((labels) => OURS[check.alertname].length === 1 || labels.severity === ours.severity)
          .map((labels) => ({
            ...Object.fromEntries(
              ours.names.map((n) => [n, n === "job" ? (JOBS[labels.job] ?? labels.job) : labels[n]]),
            ),
            ...ours.object?.(Object.keys(series)),
            severity: ours.severity,
          }));
        return {
          alert: ours.alert,
          series,
          evalTime: check.eval_time,
          ...(fired.length === 0 ? {} : { fires: fired }),
        };
      }),
    );
});
