import { durationMs } from "../../config/durations";
import { queryReach } from "../../config/promql/queryReach";
import { DeployedRuleFile } from "../common/ruleClashes";

// Which rules Prometheus evaluates and which Thanos Ruler does. Prometheus reads only the history it
// keeps (metrics.retentionTime): a rule that reads further back there records the ratio of what is
// left, not of its window. With metrics.objectStorage, Thanos Ruler evaluates those rules over
// Thanos Query, which reads the bucket's history too, and every rule that reads a series one of them
// records goes with it, so that no series is recorded in both places and none is read where it is
// not recorded. A rule is in one place only: the same series recorded by both would be duplicates.

type Group = DeployedRuleFile["groups"][number];
type Rule = Group["rules"][number];

/** Rule files by file name. */
export type RuleFiles = Readonly<Record<string, DeployedRuleFile>>;

/**
 * A ruler group: Thanos' rule file format is Prometheus' with the strategy for a store that does not
 * answer. `abort`: the evaluation fails and writes nothing, rather than a ratio of part of the window.
 */
export type RulerGroup = Group & { readonly partial_response_strategy: "abort" };
export interface RulerRuleFile {
  readonly groups: readonly RulerGroup[];
}

/** A ruler's group as Prometheus (and promtool) reads groups: without the field Thanos adds. */
export function asPrometheusGroup<G extends { readonly partial_response_strategy?: unknown }>(
  group: G,
): Omit<G, "partial_response_strategy"> {
  const copy: { partial_response_strategy?: unknown } = { ...group };
  delete copy.partial_response_strategy;
  return copy as Omit<G, "partial_response_strategy">;
}

export interface PlacedRules {
  readonly prometheus: RuleFiles;
  /** Empty where no ruler runs. */
  readonly ruler: Readonly<Record<string, RulerRuleFile>>;
}

/** What a rule records or alerts as. */
const recorded = (rule: Rule): string | undefined => ("record" in rule ? rule.record : undefined);

/**
 * The rules that read further back than `prometheusKeeps` (a duration), and the rules that read
 * what those record, moved to the ruler; the rest stay with Prometheus. Without a ruler every rule
 * stays (the config refuses a window longer than Prometheus keeps then).
 */
export function placeRules(files: RuleFiles, prometheusKeeps: string, ruler: boolean): PlacedRules {
  if (!ruler) return { prometheus: files, ruler: {} };
  const keepsMs = durationMs(prometheusKeeps);
  const rules = Object.entries(files).flatMap(([file, { groups }]) =>
    groups.flatMap((group, g) =>
      group.rules.map((rule, r) => ({ key: `${file}/${g}/${r}`, rule, reach: queryReach(rule.expr) })),
    ),
  );
  const moved = new Set(rules.filter((r) => r.reach.reachMs > keepsMs).map((r) => r.key));
  for (let grew = true; grew; ) {
    const movedSeries = new Set(rules.filter((r) => moved.has(r.key)).flatMap((r) => recorded(r.rule) ?? []));
    const reading = rules.filter(
      (r) => !moved.has(r.key) && [...r.reach.metrics].some((m) => movedSeries.has(m)),
    );
    reading.forEach((r) => moved.add(r.key));
    grew = reading.length > 0;
  }
  const prometheus: Record<string, DeployedRuleFile> = {};
  const rulerFiles: Record<string, RulerRuleFile> = {};
  for (const [file, { groups }] of Object.entries(files)) {
    const split = groups.map((group, g) => {
      const goes = (r: number) => moved.has(`${file}/${g}/${r}`);
      return {
        stays: { ...group, rules: group.rules.filter((_, r) => !goes(r)) },
        goes: { ...group, rules: group.rules.filter((_, r) => goes(r)) },
      };
    });
    const stays = split.map((s) => s.stays).filter((group) => group.rules.length > 0);
    const goes = split.map((s) => s.goes).filter((group) => group.rules.length > 0);
    if (stays.length > 0) prometheus[file] = { groups: stays } as DeployedRuleFile;
    if (goes.length > 0) {
      rulerFiles[file] = {
        groups: goes.map((group) => ({ ...group, partial_response_strategy: "abort" as const })),
      };
    }
  }
  return { prometheus, ruler: rulerFiles };
}

/** Whether Thanos Ruler runs: where the bucket holds more history than Prometheus keeps. */
export const thanosRulerRuns = (metrics: { readonly objectStorage?: unknown }): boolean =>
  metrics.objectStorage !== undefined;
