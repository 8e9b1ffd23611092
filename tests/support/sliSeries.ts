// Series for the selectors of SLI queries, three days of them at one sample a minute, whose rates
// change four times so that each of the engine's windows has a value of its own: what the corpus
// tests evaluate the engine's rules and a peer's (Sloth's, or OpenSLO's meaning) on in promtool.
import type { SyntaxNode } from "@lezer/common";
import { parser } from "@prometheus-io/lezer-promql";
import { stringValue } from "../../config/promql/queryStrings";
import { anchoredRe2Matches } from "../../config/promql/re2";
import { atWindow } from "../../config/slo/sliQueries";

/** How many minutes of samples each series has. */
export const MINUTES = 3 * 1440;
/** Where each series' rate changes, in minutes from the start: a window of its own for each of the engine's. */
export const SLOPE_CHANGES = [0, MINUTES - 1440, MINUTES - 360, MINUTES - 60, MINUTES - 5];

/** A value the matcher takes, for a series it must select (or, for a negative one, must not exclude). */
function valueFor(op: string, value: string): string {
  const candidates = [
    ...value.split("|").map((v) => v.replace(/[()^$\\]|\.\*|\.\+/g, "")),
    "500",
    "429",
    "200",
    "0.5",
    "+Inf",
    "x",
  ];
  switch (op) {
    case "EqlSingle":
      return value;
    case "Neq":
      return value === "other" ? "x" : "other";
    case "EqlRegex":
      return candidates.find((c) => anchoredRe2Matches(value, c)) ?? value;
    default:
      return candidates.find((c) => !anchoredRe2Matches(value, c)) ?? "x";
  }
}

/** The label sets of every selector in the queries, the labels they group by set on each. */
export function seriesOf(queries: readonly string[]): string[] {
  const series = new Set<string>();
  for (const query of queries.map((q) => atWindow(q, "5m"))) {
    const tree = parser.parse(query);
    const text = (node: SyntaxNode) => query.slice(node.from, node.to);
    const grouping: string[] = [];
    tree.iterate({
      enter: (ref) => {
        if (ref.name === "GroupingLabels") grouping.push(...ref.node.getChildren("LabelName").map(text));
      },
    });
    tree.iterate({
      enter: (ref) => {
        if (ref.name !== "VectorSelector") return;
        // A histogram grouped by its buckets has at least the +Inf one, which histogram_quantile needs.
        const labels: Record<string, string> = Object.fromEntries(
          grouping.map((g) => [g, g === "le" ? "+Inf" : "g"]),
        );
        for (const matcher of ref.node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? []) {
          const literal = matcher.getChild("StringLiteral");
          labels[text(matcher.getChild("LabelName")!)] = valueFor(
            matcher.getChild("MatchOp")?.firstChild?.name ?? "",
            literal === null ? "" : (stringValue(text(literal)) ?? ""),
          );
        }
        const name = ref.node.getChild("Identifier");
        series.add(
          `${name === null ? "" : text(name)}{${Object.entries(labels)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(", ")}}`,
        );
      },
    });
  }
  return [...series];
}

/** A counter per minute whose rate changes at each of SLOPE_CHANGES, differently for each series. */
export function values(index: number): string {
  const slopes = [1, 4, 9, 2, 7].map((s) => s * (index + 1) + index);
  const points: number[] = [0];
  for (let minute = 1; minute <= MINUTES; minute++) {
    const phase = SLOPE_CHANGES.filter((start) => minute > start).length - 1;
    points.push(points[minute - 1] + slopes[phase]);
  }
  return points.join(" ");
}
