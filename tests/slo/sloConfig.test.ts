// The SLO spec of metrics.slos: what the config accepts, and each refusal naming its key.
import { parseStackConfig } from "../../config/load";
import { sectionProblems } from "../support/configProblems";

const checkout = {
  name: "checkout-failures",
  service: "payment-service",
  objective: 0.995,
  window: "28d",
  indicator: { kind: "ratio", errors: 'payments_total{outcome="failed"}', total: "payments_total" },
};

const withSlo = (changes: Record<string, unknown>, indicator: Record<string, unknown> = {}) => ({
  metrics: { slos: [{ ...checkout, ...changes, indicator: { ...checkout.indicator, ...indicator } }] },
});

const latency = {
  kind: "latency",
  histogram: 'queue_wait_seconds{queue="checkout"}',
  threshold: 30,
  buckets: [1, 5, 30, 60],
};

test("accepts a ratio, a latency and a threshold SLO, numbers as the CLI writes them", () => {
  const config = parseStackConfig(
    {
      metrics: {
        slos: [
          checkout,
          {
            ...checkout,
            name: "seat-lock",
            indicator: { kind: "ratio", good: 'locks_total{result="ok"}', total: "locks_total" },
          },
          { ...checkout, name: "queue-wait", objective: "0.99", indicator: latency },
          {
            ...checkout,
            name: "queue-p95",
            indicator: {
              kind: "threshold",
              expr: "histogram_quantile(0.95, sum by (le) (rate(queue_wait_seconds_bucket[5m])))",
              below: "30",
            },
          },
        ],
      },
    },
    new Set(),
  );
  expect(config.metrics.slos.map((s) => [s.name, s.indicator.kind, s.objective])).toEqual([
    ["checkout-failures", "ratio", 0.995],
    ["seat-lock", "ratio", 0.995],
    ["queue-wait", "latency", 0.99],
    ["queue-p95", "threshold", 0.995],
  ]);
  expect(config.metrics.slo.window).toBe("30d");
});

test.each([
  [
    "a selector that does not parse",
    withSlo({}, { errors: 'payments_total{outcome="failed"' }),
    /^observability:metrics\.slos\[0\]\.indicator\.errors does not parse as PromQL at 1:32, where it ends too early/,
  ],
  [
    "an expression where a counter selector belongs",
    withSlo({}, { total: "rate(payments_total[5m])" }),
    /^observability:metrics\.slos\[0\]\.indicator\.total must be a selector of one metric/,
  ],
  [
    "both errors and good",
    withSlo({}, { good: 'payments_total{outcome="ok"}' }),
    /^observability:metrics\.slos\[0\]\.indicator\.errors must be given, or good instead: exactly one of them/,
  ],
  [
    "an objective of 1",
    withSlo({ objective: 1 }),
    /^observability:metrics\.slos\[0\]\.objective must be a ratio above 0\.9 and below 1, such as 0\.995 \(got 1\)$/,
  ],
  [
    "an objective of 0.9",
    withSlo({ objective: "0.9" }),
    /^observability:metrics\.slos\[0\]\.objective must be a ratio above 0\.9 and below 1/,
  ],
  [
    "a latency threshold that is no bucket boundary",
    { metrics: { slos: [{ ...checkout, indicator: { ...latency, threshold: 20 } }] } },
    /^observability:metrics\.slos\[0\]\.indicator\.threshold must be one of buckets \(1, 5, 30, 60\)/,
  ],
  [
    "a histogram named by its bucket series",
    {
      metrics: { slos: [{ ...checkout, indicator: { ...latency, histogram: "queue_wait_seconds_bucket" } }] },
    },
    /^observability:metrics\.slos\[0\]\.indicator\.histogram must name the histogram family, without _bucket/,
  ],
  [
    "a threshold expression that does not parse",
    {
      metrics: {
        slos: [{ ...checkout, indicator: { kind: "threshold", expr: "max(queue_depth", below: 10 } }],
      },
    },
    /^observability:metrics\.slos\[0\]\.indicator\.expr does not parse as PromQL/,
  ],
  [
    "a threshold with both bounds",
    {
      metrics: {
        slos: [{ ...checkout, indicator: { kind: "threshold", expr: "queue_depth", below: 10, above: 1 } }],
      },
    },
    /^observability:metrics\.slos\[0\]\.indicator\.below must be given, or above instead: exactly one of them/,
  ],
  [
    "an unknown indicator kind",
    { metrics: { slos: [{ ...checkout, indicator: { kind: "apdex" } }] } },
    /^observability:metrics\.slos\[0\]\.indicator\.kind must be one of "ratio", "latency", "threshold"/,
  ],
  [
    "a compliance window shorter than the ticket's 3-day window",
    withSlo({ window: "2d" }),
    /^observability:metrics\.slos\[0\]\.window must be between 7d and 90d/,
  ],
  [
    "two SLOs of one name",
    { metrics: { slos: [checkout, checkout] } },
    /^observability:metrics\.slos\[1\] must be unique: checkout-failures appears more than once/,
  ],
])("refuses %s, naming the key", (_, raw, expected) => {
  expect(sectionProblems(raw)).toContainEqual(expect.stringMatching(expected));
});
