// The per-service HTTP SLOs as instances of the SLO engine: every series and alert they had keeps its
// name, and they gain what the engine gives every SLO.
import * as yaml from "js-yaml";
import { RuleFile } from "../../../components/common/prometheusTypes";
import { configMapData, evaluatedRuleFiles } from "../../kit/rendered";
import { STACKS } from "../../kit/stacks";
import { rendered, stackConfig } from "../../support/renderedStacks";

/** The HTTP SLOs' recorded series and alerts in the release before the engine (0.4.0). */
const BEFORE = [
  ...["5m", "30m", "1h", "6h"].flatMap((w) => [
    `service:http_requests:rate${w}`,
    `service:http_errors:rate${w}`,
    `service:http_errors:ratio_rate${w}`,
    `service:http_requests_slow:ratio_rate${w}`,
  ]),
  "service:slo_availability:objective",
  "service:slo_sli:present",
  "SLOAvailabilityBurnFast",
  "SLOAvailabilityBurnSlow",
  "SLOLatencyBurnFast",
  "SLOLatencyBurnSlow",
  "SLOCoverageMissing",
];

const ADDED = [
  ...["2h", "1d"].flatMap((w) => [
    `service:http_requests:rate${w}`,
    `service:http_errors:rate${w}`,
    `service:http_errors:ratio_rate${w}`,
    `service:http_requests_slow:ratio_rate${w}`,
  ]),
  // Windows longer than a day: ratios of the hourly chunks' sums.
  "service:http_errors:ratio_rate3d",
  "service:http_requests_slow:ratio_rate3d",
  "service:http_requests:hour_chunk",
  "service:http_errors:hour_chunk",
  "service:http_requests_timed:hour_chunk",
  "service:http_requests_slow:hour_chunk",
  "service:slo_availability:error_budget_remaining",
  "service:slo_latency:error_budget_remaining",
];

test.each(STACKS)(
  "stack %s: the HTTP SLOs keep every name they had and add the engine's windows and budgets",
  async (stack) => {
    const rules = evaluatedRuleFiles((await rendered(stack)).objects)
      .flatMap(({ content }) => (yaml.load(content) as RuleFile).groups)
      .flatMap((g) => g.rules)
      .map((r) => ("alert" in r ? r.alert : r.record));
    // The compliance window is the stack's metrics.slo.window.
    const window = stackConfig(stack).metrics.slo.window;
    const compliance = [
      `service:http_errors:ratio_rate${window}`,
      `service:http_requests_slow:ratio_rate${window}`,
    ];
    expect(rules).toEqual(expect.arrayContaining([...BEFORE, ...ADDED, ...compliance]));
  },
);

test("the ticket reads the 1d, 2h, 3d and 6h ratios; the page the 1h, 5m, 6h and 30m ones", async () => {
  const files = configMapData((await rendered("kind")).objects, "prometheus-rules");
  const alerts = (yaml.load(files["slo.yaml"]) as RuleFile).groups
    .flatMap((g) => g.rules)
    .flatMap((r) => ("alert" in r ? [[r.alert, r.expr] as const] : []));
  const windows = (expr: string) => [...expr.matchAll(/ratio_rate(\w+)/g)].map((m) => m[1]);
  expect(Object.fromEntries(alerts.map(([name, expr]) => [name, windows(expr)]))).toMatchObject({
    SLOAvailabilityBurnFast: ["1h", "5m", "6h", "30m"],
    SLOAvailabilityBurnSlow: ["1d", "2h", "3d", "6h"],
    SLOLatencyBurnFast: ["1h", "5m", "6h", "30m"],
    SLOLatencyBurnSlow: ["1d", "2h", "3d", "6h"],
  });
});
