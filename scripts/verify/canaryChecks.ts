import { LOKI_CANARY } from "../../components/logs/names";
import { Finding } from "../cli/findings";
import { getJson } from "./httpJson";
import { Count } from "./checks";

/** Prometheus' GET /api/v1/query answer for an instant vector. */
interface VectorResult {
  readonly data: { readonly result: readonly { readonly value: readonly [number, string] }[] };
}

/** The canary's counters (summed over its pods), as Prometheus last scraped them. */
const COUNTERS = {
  written: "loki_canary_entries_total",
  // Every line the canary's tail got back carries one latency observation.
  received: "loki_canary_response_latency_seconds_count",
  missing: "loki_canary_missing_entries_total",
  late: "loki_canary_websocket_missing_entries_total",
  duplicates: "loki_canary_duplicate_entries_total",
} as const;

type CanaryCounts = Record<keyof typeof COUNTERS, number | undefined>;

type CanaryFigures = Record<keyof typeof COUNTERS, Count>;

const figuresOf = (c: CanaryFigures) =>
  `${c.written} written, ${c.received} back through its tail, ${c.late} late, ${c.missing} missing, ${c.duplicates} duplicate`;

/** The canary's lines come back, none missing. */
export const canaryLinesBack = (counts: CanaryFigures): Finding => ({
  status: "ok",
  message: `the Loki canary's lines come back from Loki: ${figuresOf(counts)}`,
});

async function canaryCounts(prometheus: string): Promise<CanaryCounts> {
  const entries = await Promise.all(
    Object.entries(COUNTERS).map(async ([key, metric]) => {
      const { data } = await getJson<VectorResult>(
        `${prometheus}/api/v1/query?query=${encodeURIComponent(`sum(${metric})`)}`,
      );
      const value = data.result[0]?.value[1];
      return [key, value === undefined ? undefined : Number(value)] as const;
    }),
  );
  return Object.fromEntries(entries) as CanaryCounts;
}

/**
 * Loki's canary, read through Prometheus: it writes lines, they come back through the log agent
 * and Loki, and none is missing. Lines still on their way are late, not missing, for 10 minutes.
 */
export async function canaryFindings(prometheus: string, namespace: string): Promise<Finding[]> {
  const counts = await canaryCounts(prometheus);
  const pods = `kubectl -n ${namespace} get pods -l app.kubernetes.io/name=${LOKI_CANARY.name}`;
  if (counts.written === undefined || counts.written === 0) {
    return [
      {
        status: "blocking",
        message:
          "the Loki canary has written no line that Prometheus knows of: it is not running or not scraped",
        fix: `${pods}; kubectl -n ${namespace} logs deploy/${LOKI_CANARY.name}`,
      },
    ];
  }
  const { written, received = 0, missing = 0, late = 0, duplicates = 0 } = counts;
  const figures = figuresOf({ written, received, late, missing, duplicates });
  if (missing > 0) {
    return [
      {
        status: "blocking",
        message: `the Loki canary's lines go missing: ${figures}`,
        fix: "docs/runbooks.md#loglinesmissing",
      },
    ];
  }
  if (received === 0) {
    return [
      {
        status: "blocking",
        message: `none of the Loki canary's lines came back from Loki yet: ${figures}`,
        fix: `is the log agent collecting the canary's pod (${pods})? kubectl -n ${namespace} logs deploy/${LOKI_CANARY.name} | grep -i -e error -e connect`,
      },
    ];
  }
  return [canaryLinesBack({ written, received, late, missing, duplicates })];
}
