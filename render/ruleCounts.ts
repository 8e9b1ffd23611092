// How many rules and dashboards a rendered stack provisions: Prometheus' and Thanos Ruler's alert and
// recording rules per rule file, Loki's ruler alerts (LogQL), and Grafana's dashboards and panels.
import * as yaml from "js-yaml";
import { RuleFile } from "../components/common/prometheusTypes";
import { KubeObject } from "./manifest";

interface Panel {
  readonly type?: string;
  readonly panels?: readonly Panel[];
}

export interface RuleCounts {
  /** Per rule file Prometheus or Thanos Ruler (the windows longer than Prometheus keeps) loads: its alert and recording rules. */
  readonly files: readonly {
    readonly evaluator: "Prometheus" | "Thanos Ruler";
    readonly file: string;
    readonly alerts: number;
    readonly records: number;
  }[];
  readonly alerts: number;
  readonly records: number;
  /** Alert rules Loki's ruler evaluates (LogQL). */
  readonly logAlerts: number;
  readonly dashboards: number;
  /** Panels of every dashboard, those inside collapsed rows included; rows themselves are not panels. */
  readonly panels: number;
}

const panelCount = (panels: readonly Panel[] = []): number =>
  panels.reduce((n, p) => n + (p.type === "row" ? panelCount(p.panels) : 1), 0);

const configMapData = (objects: readonly KubeObject[], name: string): Record<string, string> =>
  (objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === name)?.data ?? {}) as Record<
    string,
    string
  >;

const rulesOf = (content: string) => (yaml.load(content) as RuleFile).groups.flatMap((g) => g.rules);

export function ruleCounts(objects: readonly KubeObject[]): RuleCounts {
  const evaluators = [
    ["Prometheus", "prometheus-rules"],
    ["Thanos Ruler", "thanos-ruler-rules"],
  ] as const;
  const files = evaluators.flatMap(([evaluator, name]) =>
    Object.entries(configMapData(objects, name)).map(([file, content]) => {
      const rules = rulesOf(content);
      const alerts = rules.filter((r) => "alert" in r).length;
      return { evaluator, file, alerts, records: rules.length - alerts };
    }),
  );
  const dashboards = Object.values(configMapData(objects, "grafana-dashboards")).map(
    (json) => JSON.parse(json) as { panels?: readonly Panel[] },
  );
  return {
    files,
    alerts: files.reduce((n, f) => n + f.alerts, 0),
    records: files.reduce((n, f) => n + f.records, 0),
    logAlerts: Object.values(configMapData(objects, "loki-rules"))
      .flatMap(rulesOf)
      .filter((r) => "alert" in r).length,
    dashboards: dashboards.length,
    panels: dashboards.reduce((n, d) => n + panelCount(d.panels), 0),
  };
}
