// The SLO spec of metrics.slos: what the config accepts, and each refusal naming its key.
import { parseStackConfig } from "../../../config/load";
import { sectionProblems } from "../../support/configProblems";

const checkout = {
  name: "checkout-failures",
  service: "payment-service",
  objective: 0.995,
  // The week kind's Prometheus keeps, which evaluates it.
  window: "7d",
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
  // The HTTP SLOs' window: the week kind's Prometheus keeps.
  expect(config.metrics.slo.window).toBe("7d");
});

test.each([
  [
    "a selector that does not parse",
    withSlo({}, { errors: 'payments_total{outcome="failed"' }),
    /^observability:metrics\.slos\[0\]\.indicator\.errors does not parse as PromQL at 1:32, where it ends too early/,
  ],
  [
    "a counter's selector over a sampled expression",
    withSlo({}, { total: "sum(rate(payments_total[5m]))" }),
    /^observability:metrics\.slos\[0\]\.indicator\.errors must be of the form total is: it is a counter, total a sampled expression/,
  ],
  [
    "counters added up without a rate",
    withSlo({}, { errors: 'sum(payments_total{outcome="failed"}) + sum(refunds_total)' }),
    /^observability:metrics\.slos\[0\]\.indicator\.errors reads counters without a rate: write where its range goes as \{\{\.window\}\}/,
  ],
  [
    "sums of counters by different labels",
    withSlo(
      {},
      { errors: 'sum by (route) (payments_total{outcome="failed"})', total: "sum(payments_total)" },
    ),
    /^observability:metrics\.slos\[0\]\.indicator\.errors must sum by the labels total sums by \(none\), not by \(route\)/,
  ],
  [
    "a template other than the window placeholder",
    withSlo({}, { errors: 'sum(rate(payments_total{outcome="failed"}[{{.range}}]))' }),
    /^observability:metrics\.slos\[0\]\.indicator\.errors must use no template but \{\{\.window\}\}/,
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
    /^observability:metrics\.slos\[0\]\.indicator\.below must be given, or one of atMost, above, atLeast instead: exactly one of them/,
  ],
  [
    "an unknown indicator kind",
    { metrics: { slos: [{ ...checkout, indicator: { kind: "apdex" } }] } },
    /^observability:metrics\.slos\[0\]\.indicator\.kind must be one of "ratio", "latency", "threshold", "raw"/,
  ],
  [
    "a compliance window shorter than the ticket's 3-day window",
    withSlo({ window: "2d" }),
    /^observability:metrics\.slos\[0\]\.window must be between 7d and 90d/,
  ],
  [
    "a window in months",
    withSlo({ window: "1M" }),
    /^observability:metrics\.slos\[0\]\.window must be a number of days or weeks such as 28d, 30d or 4w/,
  ],
  [
    "a raw indicator with both ratios",
    {
      metrics: {
        slos: [
          { ...checkout, indicator: { kind: "raw", errorRatio: "errors:ratio", successRatio: "ok:ratio" } },
        ],
      },
    },
    /^observability:metrics\.slos\[0\]\.indicator\.errorRatio must be given, or successRatio instead/,
  ],
  [
    "time slices without a target",
    withSlo({ budgeting: { method: "timeslices", sliceWindow: "1m" } }),
    /^observability:metrics\.slos\[0\]\.budgeting\.sliceTarget is required for timeslices/,
  ],
  [
    "time slices longer than the shortest burn-rate window",
    withSlo({ budgeting: { method: "ratioTimeslices", sliceWindow: "10m" } }),
    /^observability:metrics\.slos\[0\]\.budgeting\.sliceWindow must be at most 5m: the shortest burn-rate window must hold whole slices/,
  ],
  [
    "an alert window longer than the compliance window",
    withSlo({ alerts: [{ name: "Burn", severity: "critical", when: [{ burnRate: 1, window: "14d" }] }] }),
    /^observability:metrics\.slos\[0\]\.alerts\[0\]\.when\[0\]\.window must not be longer than the compliance window \(7d\)/,
  ],
  [
    "an alert that sets the SLO's label",
    withSlo({
      alerts: [
        { name: "Burn", severity: "critical", when: [{ burnRate: 2, window: "1h" }], labels: { slo: "x" } },
      ],
    }),
    /^observability:metrics\.slos\[0\]\.alerts\[0\]\.labels\.slo is set by the engine \(the SLO's slo\)/,
  ],
  [
    "two alerts of one name, severity and labels (one alert to Alertmanager)",
    withSlo({
      alerts: [
        { name: "Burn", severity: "critical", when: [{ burnRate: 2, window: "1h" }] },
        { name: "Burn", severity: "critical", when: [{ burnRate: 6, window: "6h" }] },
      ],
    }),
    /^observability:metrics\.slos\[0\]\.alerts\[1\] must be unique: Burn \(severity=critical\) appears more than once/,
  ],
  [
    "an alert to a receiver Alertmanager does not have",
    withSlo({
      alerts: [
        {
          name: "Burn",
          severity: "critical",
          when: [{ burnRate: 2, window: "1h" }],
          receivers: ["payments-oncall"],
        },
      ],
    }),
    /^observability:metrics\.slos\[0\]\.alerts\[0\]\.receivers\[0\] must name an Alertmanager receiver: payments-oncall is none of alerting\.receivers or the platform's critical and warning \(critical, warning\)/,
  ],
  [
    "two SLOs of one name",
    { metrics: { slos: [checkout, checkout] } },
    /^observability:metrics\.slos\[1\] must be unique: checkout-failures appears more than once/,
  ],
])("refuses %s, naming the key", (_, raw, expected) => {
  expect(sectionProblems(raw)).toContainEqual(expect.stringMatching(expected));
});
