import {
  CannotBacktest,
  RecordingRule,
  inlineRecorded,
  samplesRead,
  selectedNames,
} from "../../../../review/history/inlineRecorded";
import { queryParseProblem } from "../../../../config/promql/queryGrammar";

const parseProblemOf = (expr: string) => queryParseProblem("PromQL", expr);

const RULES: readonly RecordingRule[] = [
  { record: "slo:objective:ratio", expr: "vector(0.99)", labels: { slo: "a" }, intervalSeconds: 300 },
  { record: "slo:objective:ratio", expr: "0.95", labels: { slo: "b" }, intervalSeconds: 300 },
  {
    record: "slo:sli_bad:hour_chunk",
    expr: 'sum(rate(payments_total{outcome="failed"}[1h]))',
    labels: { slo: "a" },
    intervalSeconds: 3600,
  },
  {
    record: "service:errors:rate5m",
    expr: "sum by (service) (rate(errors_total[5m]))",
    labels: {},
    intervalSeconds: 60,
  },
];

test("a recorded series is replaced by its rules' expressions, with their own labels, filtered by the selector", () => {
  const inlined = inlineRecorded(
    'sum_over_time(slo:sli_bad:hour_chunk{slo="a"}[7d]) / (1 - slo:objective:ratio{slo="a"})',
    RULES,
    new Set(["slo:objective:ratio", "slo:sli_bad:hour_chunk"]),
  );
  expect(inlined).toBe(
    'sum_over_time((label_replace((sum(rate(payments_total{outcome="failed"}[1h]))), "slo", "a", "", ""))[7d:3600s]) / (1 - (label_replace((vector(0.99)), "slo", "a", "", "")))',
  );
  expect(parseProblemOf(inlined)).toBeUndefined();
  expect(selectedNames(inlined)).toEqual(new Set(["payments_total"]));
});

test("a scalar rule becomes a series; every rule of the name answers when the selector does not choose", () => {
  const inlined = inlineRecorded("slo:objective:ratio", RULES, new Set(["slo:objective:ratio"]));
  expect(inlined).toBe(
    '(label_replace((vector(0.99)), "slo", "a", "", "") or label_replace(vector(0.95), "slo", "b", "", ""))',
  );
  expect(parseProblemOf(inlined)).toBeUndefined();
});

test("a matcher on a label the series carries is kept as a join; other matchers on it cannot be written", () => {
  const inlined = inlineRecorded(
    'service:errors:rate5m{service="shop"} > 1',
    RULES,
    new Set(["service:errors:rate5m"]),
  );
  expect(inlined).toContain('and on (service) label_replace(vector(1), "service", "shop", "", "")');
  expect(parseProblemOf(inlined)).toBeUndefined();
  expect(() =>
    inlineRecorded('service:errors:rate5m{service=~"s.*"}', RULES, new Set(["service:errors:rate5m"])),
  ).toThrow(CannotBacktest);
});

test("names outside the set are left as they are; a name no rule records cannot be backtested", () => {
  expect(inlineRecorded("service:errors:rate5m > 1", RULES, new Set())).toBe("service:errors:rate5m > 1");
  expect(() => inlineRecorded("team:queue:depth > 1", RULES, new Set(["team:queue:depth"]))).toThrow(
    "needs team:queue:depth, which the history lacks and no rule records",
  );
  expect(() =>
    inlineRecorded("service:errors:rate5m offset 1h", RULES, new Set(["service:errors:rate5m"])),
  ).toThrow(CannotBacktest);
});

test("the samples a rule reads per series: each range over its series' interval, a subquery's inner expression at each step", () => {
  const every = (name: string) => (name.endsWith(":hour_chunk") ? 3600 : 15);
  // 100 evaluations of a 5-minute rate over a 15 s scrape: 20 samples each.
  expect(samplesRead("rate(x_total[5m]) > 1", 100, every)).toBe(100 * 20);
  // A recorded hourly series over 7 days: 168 samples each; an instant selector 1.
  expect(samplesRead("sum_over_time(slo:sli_bad:hour_chunk[7d]) / y", 10, every)).toBe(10 * 168 + 10);
  // A subquery of 7 days at 1 h: 168 inner evaluations, each a 1-hour rate of 240 samples.
  expect(samplesRead("sum_over_time((rate(x_total[1h]))[7d:3600s])", 2, every)).toBe(2 * 168 * 240);
});
