import { TENANT_HEADER } from "../../components/common/tenantHeader";
import { Finding } from "../cli/findings";
import { WorkloadRef } from "./expectations";
import { getJson, request } from "./httpJson";
import { Count } from "./checks";

/** How far back Loki must hold lines for the log path to count as receiving. */
const RECEIVING_WINDOW = "15m";

/** Loki's GET /loki/api/v1/query answer for a vector expression. */
interface VectorResult {
  readonly data: { readonly result: readonly { readonly value: readonly [number, string] }[] };
}

interface LogsTarget {
  readonly loki: string;
  readonly namespaces: readonly string[];
  readonly tenant?: string;
  readonly agent: WorkloadRef;
  /** The stack's namespace, for the fixes. */
  readonly namespace: string;
  /** How many pods run in the namespaces Alloy tails now: with none, nothing can arrive. */
  readonly runningPods: () => Promise<number>;
}

/** Loki ready, with lines from the namespaces Alloy tails. */
export const lokiReceiving = (lines: Count, namespaces: readonly string[]): Finding => ({
  status: "ok",
  message: `Loki is ready and received ${lines} line(s) from Alloy in the last ${RECEIVING_WINDOW} (${namespaces.join(", ")})`,
});

/**
 * Loki ready, and lines from the namespaces Alloy tails arriving. Alloy reads only the apps'
 * namespaces, so with no pod there yet, an empty Loki is expected and only reported.
 */
export async function logsFindings(target: LogsTarget): Promise<Finding[]> {
  const agent = `${target.agent.kind.toLowerCase()}/${target.agent.name}`;
  const ready = await request(`${target.loki}/ready`);
  if (!ready.ok) {
    return [
      {
        status: "blocking",
        message: `Loki is not ready (${ready.status}: ${(await ready.text()).trim().slice(0, 200)})`,
        fix: `kubectl -n ${target.namespace} logs sts/loki | grep -i -e error -e ring`,
      },
    ];
  }
  const selector = `{namespace=~"${target.namespaces.join("|")}"}`;
  const query = `sum(count_over_time(${selector}[${RECEIVING_WINDOW}]))`;
  const headers: Record<string, string> =
    target.tenant === undefined ? {} : { [TENANT_HEADER]: target.tenant };
  const { data } = await getJson<VectorResult>(
    `${target.loki}/loki/api/v1/query?query=${encodeURIComponent(query)}`,
    headers,
  );
  const lines = Number(data.result[0]?.value[1] ?? 0);
  if (lines > 0) {
    return [lokiReceiving(lines, target.namespaces)];
  }
  const pods = await target.runningPods();
  return pods === 0
    ? [
        {
          status: "warning",
          message: `Loki is ready; no pod runs in ${target.namespaces.join(", ")} yet, so Alloy has no line to send`,
          fix: "deploy an app there (or enable the demo on kind); verify again",
        },
      ]
    : [
        {
          status: "blocking",
          message: `Loki receives no lines from Alloy: none from ${target.namespaces.join(", ")} in the last ${RECEIVING_WINDOW}, though ${pods} pod(s) run there`,
          fix: `kubectl -n ${target.agent.namespace} logs ${agent} | grep -i error; check the NetworkPolicy from alloy to loki:3100`,
        },
      ];
}
