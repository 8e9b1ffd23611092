import { BUDGET_EVALUATION_INTERVAL } from "../../components/metrics/sloEngine";
import { getJson } from "./http";
import { Json } from "./json";
import { eventually } from "./processes";

const seconds = (duration: string) => Number(/^(\d+)m$/.exec(duration)![1]) * 60;

/**
 * Whether Prometheus has evaluated every rule group of an /api/v1/rules answer after `since` (Unix
 * seconds). The SLO budget groups, evaluated every BUDGET_EVALUATION_INTERVAL, are left out: a test
 * would wait minutes for them, and they record only the budgets over the compliance window.
 */
export function everyGroupEvaluatedSince(groups: readonly Json[], since: number): boolean {
  return groups
    .filter((g) => (g.interval as number) < seconds(BUDGET_EVALUATION_INTERVAL))
    .every((g) => Date.parse(g.lastEvaluation as string) / 1000 > since);
}

/** Waits for `rounds` evaluations of every rule group (a group may read another's last round). */
export async function ruleEvaluations(base: string, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const since = Date.now() / 1000;
    await eventually(
      async () => {
        const { data } = await getJson(`${base}/api/v1/rules`);
        return everyGroupEvaluatedSince(data.groups as Json[], since) ? true : undefined;
      },
      "a rule evaluation of every group",
      60000,
    );
  }
}
