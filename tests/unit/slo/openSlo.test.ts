// OpenSLO v1 documents in, metrics.slos entries out: every kind, references across documents and
// files, the spec's budgeting methods, operators and windows, alert policies; and what Prometheus
// rules cannot mean refused with the reason, every problem of every document at once.
import * as path from "path";
import { ConfigError } from "../../../config";
import { configuredSloRules } from "../../../components/metrics/configuredSlos";
import { parseStackConfig } from "../../../config/load";
import { sectionProblems } from "../../support/configProblems";
import { EVERY_WINDOW_RETENTION } from "../../../config/metrics/evaluatorReach";

const fixture = (name: string) => path.join("tests/unit/slo/openslo", name);
const file = (content: string, name = "slos.yaml") => ({ name, content });

const slack = [{ webhookUrl: "https://hooks.slack.com/services/T0/B0/X", channel: "#payments" }];
const receivers = (...names: string[]) => names.map((name) => ({ name, slack }));

/**
 * The SLOs of OpenSLO files, with these Alertmanager receivers configured, and the retention a
 * calendar quarter needs.
 */
const slosOf = (
  files: readonly (string | { name: string; content: string })[],
  withReceivers: string[] = [],
) =>
  parseStackConfig(
    {
      alerting: { receivers: receivers(...withReceivers) },
      metrics: { openSloFiles: files, retentionTime: EVERY_WINDOW_RETENTION },
    },
    new Set(["alerting"]),
  ).metrics.slos;

// Prometheus keeping a month: every rolling window of the documents, and a calendar month.
const problemsOf = (content: string, withReceivers: string[] = []) =>
  sectionProblems(
    {
      alerting: { receivers: receivers(...withReceivers) },
      metrics: { retentionTime: "31d", openSloFiles: [file(content)] },
    },
    ["alerting"],
  );

/** An SLO document around an indicator spec, an objective and a budgeting method. */
const slo = (name: string, indicator: string, objective: string, extra = "", method = "Occurrences") => `
apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: checkout
  indicator:
    metadata: { name: ${name}-sli }
    spec:
${indicator
  .trim()
  .split("\n")
  .map((line) => `      ${line}`)
  .join("\n")}
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: ${method}
  objectives: [{ ${objective} }]
${extra}`;

const prometheus = (query: string) => `{ metricSource: { type: Prometheus, spec: { query: '${query}' } } }`;

test("the project's example: a ratio of counters, and a threshold counted in whole minutes", () => {
  expect(slosOf([fixture("ticketing.yaml")])).toEqual([
    {
      name: "payment-failures",
      service: "payment-service",
      objective: 0.995,
      window: "28d",
      indicator: { kind: "ratio", errors: 'payments_total{outcome="failed"}', total: "payments_total" },
    },
    {
      name: "queue-wait-p95",
      service: "queue-service",
      objective: 0.95,
      window: "30d",
      indicator: { kind: "threshold", expr: 'max(queue_wait_seconds{quantile="0.95"})', below: 30 },
      budgeting: { method: "timeslices", sliceWindow: "1m", sliceTarget: 1 },
    },
  ]);
});

test("every kind of document, as a YAML list, resolved by reference: SLI, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget, Service", () => {
  const list = `
- apiVersion: openslo/v1
  kind: Service
  metadata: { name: checkout }
  spec: { description: Checkout and payment }
- apiVersion: openslo/v1
  kind: DataSource
  metadata: { name: prom }
  spec: { type: prometheus, connectionDetails: { url: "http://prometheus:9090" } }
- apiVersion: openslo/v1
  kind: SLI
  metadata: { name: checkout-errors }
  spec:
    description: Requests that fail
    ratioMetric:
      counter: true
      bad: { metricSource: { metricSourceRef: prom, spec: { query: 'http_requests_total{code=~"5.."}' } } }
      total: { metricSource: { metricSourceRef: prom, spec: { query: http_requests_total } } }
- apiVersion: openslo/v1
  kind: SLO
  metadata: { name: checkout-availability }
  spec:
    service: checkout
    indicatorRef: checkout-errors
    timeWindow: [{ duration: 4w, isRolling: true }]
    budgetingMethod: Occurrences
    objectives: [{ targetPercent: 99.9 }]
    alertPolicies: [{ alertPolicyRef: fast-burn }]
- apiVersion: openslo/v1
  kind: AlertPolicy
  metadata: { name: fast-burn }
  spec:
    alertWhenBreaching: true
    conditions: [{ conditionRef: burn-2-percent-in-an-hour }]
    notificationTargets: [{ targetRef: payments-oncall }]
- apiVersion: openslo/v1
  kind: AlertCondition
  metadata: { name: burn-2-percent-in-an-hour }
  spec:
    severity: page
    condition: { kind: burnrate, op: gte, threshold: 13.44, lookbackWindow: 1h, alertAfter: 2m }
- apiVersion: openslo/v1
  kind: AlertNotificationTarget
  metadata: { name: payments-oncall }
  spec: { target: slack }
`;
  expect(slosOf([file(list)], ["payments-oncall"])).toEqual([
    {
      name: "checkout-availability",
      service: "checkout",
      objective: 0.999,
      window: "4w",
      indicator: { kind: "ratio", errors: 'http_requests_total{code=~"5.."}', total: "http_requests_total" },
      alerts: [
        {
          name: "FastBurn",
          severity: "critical",
          when: [{ burnRate: 13.44, window: "1h", op: "gte" }],
          for: "2m",
          receivers: ["payments-oncall"],
        },
      ],
    },
  ]);
});

test("references reach across the files of metrics.openSloFiles", () => {
  const sli = `
apiVersion: openslo/v1
kind: SLI
metadata: { name: queue-depth }
spec: { thresholdMetric: ${prometheus("max(queue_depth)")} }
`;
  const sloDoc = `
apiVersion: openslo/v1
kind: SLO
metadata: { name: queue-depth }
spec:
  service: queue
  indicatorRef: queue-depth
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ op: lte, value: 100, target: 0.99 }]
`;
  expect(slosOf([file(sloDoc, "slo.yaml"), file(sli, "sli.yaml")])).toEqual([
    {
      name: "queue-depth",
      service: "queue",
      objective: 0.99,
      window: "30d",
      indicator: { kind: "threshold", expr: "max(queue_depth)", atMost: 100 },
    },
  ]);
});

test.each([
  [
    "good and total in PromQL with a window placeholder, the source type in lower case",
    slo(
      "a",
      `ratioMetric: { counter: true, good: { metricSource: { type: prometheus, spec: { query: 'sum(rate(http_requests_total{code!~"5.."}[{{.window}}]))' } } }, total: { metricSource: { type: PROMETHEUS, spec: { query: 'sum(rate(http_requests_total[{{ .window }}]))' } } } }`,
      "target: 0.995",
    ),
    {
      objective: 0.995,
      indicator: {
        kind: "ratio",
        good: 'sum(rate(http_requests_total{code!~"5.."}[{{.window}}]))',
        total: "sum(rate(http_requests_total[{{ .window }}]))",
      },
    },
  ],
  [
    "rates over a fixed range, as Nobl9 writes a query (promql)",
    slo(
      "b",
      `ratioMetric: { good: { metricSource: { type: Prometheus, spec: { promql: 'sum(rate(x_bucket{le="0.5"}[5m]))' } } }, total: { metricSource: { type: Prometheus, spec: { promql: 'sum(rate(x_count[5m]))' } } } }`,
      "target: 0.99",
    ),
    {
      indicator: {
        kind: "ratio",
        good: 'sum(rate(x_bucket{le="0.5"}[5m]))',
        total: "sum(rate(x_count[5m]))",
      },
    },
  ],
  [
    "gauges, counter: false",
    slo(
      "c",
      `ratioMetric: { counter: false, bad: ${prometheus("queue_rejected")}, total: ${prometheus("queue_offered")} }`,
      "target: 0.99",
    ),
    { indicator: { kind: "ratio", errors: "queue_rejected", total: "queue_offered", counters: false } },
  ],
  [
    "a raw ratio of successes",
    slo(
      "d",
      `ratioMetric: { rawType: success, raw: ${prometheus("avg(client_satisfaction_ratio)")} }`,
      "target: 0.95",
    ),
    { objective: 0.95, indicator: { kind: "raw", successRatio: "avg(client_satisfaction_ratio)" } },
  ],
  [
    "a threshold at least a value, Occurrences",
    slo("e", `thresholdMetric: ${prometheus('min(up{job="checkout"})')}`, "op: gte, value: 1, target: 0.999"),
    { objective: 0.999, indicator: { kind: "threshold", expr: 'min(up{job="checkout"})', atLeast: 1 } },
  ],
  [
    "Timeslices of 2 minutes, each good when 95 % of its events are",
    slo(
      "f",
      `ratioMetric: { counter: true, bad: ${prometheus("errors_total")}, total: ${prometheus("requests_total")} }`,
      "target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 2m",
      "",
      "Timeslices",
    ),
    {
      indicator: { kind: "ratio", errors: "errors_total", total: "requests_total" },
      budgeting: { method: "timeslices", sliceWindow: "2m", sliceTarget: 0.95 },
    },
  ],
  [
    "RatioTimeslices of 1 minute (a bare number is minutes)",
    slo(
      "g",
      `ratioMetric: { counter: true, bad: ${prometheus("errors_total")}, total: ${prometheus("requests_total")} }`,
      "target: 0.99, timeSliceWindow: 1",
      "",
      "RatioTimeslices",
    ),
    {
      indicator: { kind: "ratio", errors: "errors_total", total: "requests_total" },
      budgeting: { method: "ratioTimeslices", sliceWindow: "1m" },
    },
  ],
])("translates %s", (_, content, expected) => {
  const [translated] = slosOf([file(content)]);
  expect(translated).toEqual({
    service: "checkout",
    objective: 0.99,
    window: "28d",
    ...expected,
    name: translated.name,
  });
});

test.each([
  ["a window of 2 weeks", "duration: 28d", "duration: 2w", "14d or 2w", "2w"],
  ["a rolling month", "duration: 28d", "duration: 1M", "30 days, as the OpenSLO SDK counts a month", "30d"],
  ["a window of 168 hours", "duration: 28d", "duration: 168h", "a week", "7d"],
])("accepts %s", (_, from, to, __, window) => {
  const content = slo(
    "w",
    `ratioMetric: { counter: true, bad: ${prometheus("e_total")}, total: ${prometheus("r_total")} }`,
    "target: 0.99",
  ).replace(from, to);
  expect(slosOf([file(content)])[0].window).toBe(window);
});

test.each([
  [
    "a calendar year, naming the calendar periods the stack counts",
    (s: string) =>
      s.replace(
        "{ duration: 28d, isRolling: true }",
        '{ duration: 1Y, isRolling: false, calendar: { startTime: "2026-01-01 00:00:00", timeZone: UTC } }',
      ),
    "spec.timeWindow[0].duration must be 1w, 1M or 1Q with a calendar: the stack counts calendar weeks, months and quarters (got 1Y)",
  ],
  [
    "a composite SLO",
    (s: string) =>
      s.replace(
        "objectives: [{ target: 0.99 }]",
        "objectives: [{ target: 0.99, indicatorRef: other, compositeWeight: 2 }]",
      ),
    "spec.objectives[0].indicatorRef is for a composite SLO, which the stack does not build: it budgets each SLO alone. Write one SLO document per indicator (each gets its own page and ticket)",
  ],
  [
    "a source that is no Prometheus",
    (s: string) =>
      s.replace(
        "type: Prometheus, spec: { query: 'r_total' }",
        "type: Datadog, spec: { query: 'sum:requests{*}.as_count()' }",
      ),
    "spec.indicator.spec.ratioMetric.total.metricSource.type must be Prometheus (any case), not Datadog: the stack evaluates SLOs as rules of its own Prometheus, in PromQL; write the SLI over metrics that Prometheus scrapes",
  ],
  [
    "a source that answers PromQL elsewhere",
    (s: string) =>
      s.replace("type: Prometheus, spec: { query: 'r_total' }", "type: Mimir, spec: { query: 'r_total' }"),
    "spec.indicator.spec.ratioMetric.total.metricSource.type must be Prometheus (any case), not Mimir: the stack evaluates SLOs as rules of its own Prometheus, not in another store; if it scrapes these metrics too, say type: Prometheus",
  ],
  [
    "a second objective",
    (s: string) =>
      s.replace("objectives: [{ target: 0.99 }]", "objectives: [{ target: 0.99 }, { target: 0.995 }]"),
    "spec.objectives[1] is a second objective: the stack gives an SLO one objective, its series and alerts named after it. Write another SLO document for this one",
  ],
  [
    "selectors that may be counters or gauges",
    (s: string) => s.replace("counter: true, ", ""),
    "spec.indicator.spec.ratioMetric.counter is required with selectors: true if they are counters (the stack takes their rate over each window), false if they are gauges (it sums their values)",
  ],
  [
    "an objective the engine cannot budget",
    (s: string) => s.replace("target: 0.99", "target: 0.5"),
    "spec.objectives[0].target must be a ratio above 0.9 and below 1, such as 0.995 (got 0.5)",
  ],
  [
    "a window longer than Prometheus keeps for the stack's SLOs",
    (s: string) => s.replace("duration: 28d", "duration: 1Y"),
    "spec.timeWindow[0].duration must be between 7d and 90d (got 1Y)",
  ],
  [
    "Timeslices without their slices",
    (s: string) => s.replace("budgetingMethod: Occurrences", "budgetingMethod: Timeslices"),
    "spec.objectives[0].timeSliceTarget is required for Timeslices: the share of a slice that must be good",
  ],
  [
    "a field OpenSLO v1 does not have",
    (s: string) => s.replace("service: checkout", "service: checkout\n  project: shop"),
    "spec.project is not a field of OpenSLO v1",
  ],
  [
    "another version of the spec",
    (s: string) => s.replace("openslo/v1", "openslo/v1alpha"),
    "apiVersion must be openslo/v1 (got \"openslo/v1alpha\"): that is another schema (v1alpha's objectives, osko's Kubernetes resources); rewrite it as openslo/v1",
  ],
])("refuses %s, naming file, document and field", (_, edit, problem) => {
  const content = edit(
    slo(
      "w",
      `ratioMetric: { counter: true, bad: ${prometheus("e_total")}, total: ${prometheus("r_total")} }`,
      "target: 0.99",
    ),
  );
  expect(problemsOf(content)).toContainEqual(
    `observability:metrics.openSloFiles[0] (slos.yaml) document 1 (w): ${problem}`,
  );
});

test.each([
  [
    "a burn rate that alerts below its threshold",
    "condition: { op: lt, threshold: 2, lookbackWindow: 1h }",
    "page",
    "spec.alertPolicies[0].spec.conditions[0].spec.condition.op must be gt or gte: a burn-rate alert fires while the budget burns faster than the threshold; lt would fire while it burns slowly, which is nearly always",
  ],
])("refuses an alert condition with %s", (_, condition, severity, problem) => {
  const policy = `  alertPolicies:
    - kind: AlertPolicy
      metadata: { name: burn }
      spec:
        conditions: [{ kind: AlertCondition, metadata: { name: c }, spec: { severity: ${severity}, ${condition} } }]
        notificationTargets: [{ targetRef: payments-oncall }]`;
  const content = slo(
    "w",
    `ratioMetric: { counter: true, bad: ${prometheus("e_total")}, total: ${prometheus("r_total")} }`,
    "target: 0.99",
    policy,
  );
  expect(problemsOf(content, ["payments-oncall"])).toContainEqual(
    `observability:metrics.openSloFiles[0] (slos.yaml) document 1 (w): ${problem}`,
  );
});

test("a notification target is an Alertmanager receiver the stack has, or refused by name", () => {
  const policy = `  alertPolicies:
    - kind: AlertPolicy
      metadata: { name: burn }
      spec:
        conditions: [{ kind: AlertCondition, metadata: { name: c }, spec: { severity: ticket, condition: { op: gt, threshold: 3, lookbackWindow: 1d } } }]
        notificationTargets: [{ kind: AlertNotificationTarget, metadata: { name: payments-oncall }, spec: { target: pagerduty } }]`;
  const content = slo(
    "w",
    `ratioMetric: { counter: true, bad: ${prometheus("e_total")}, total: ${prometheus("r_total")} }`,
    "target: 0.99",
    policy,
  );
  expect(slosOf([file(content)], ["payments-oncall"])[0].alerts).toEqual([
    {
      name: "Burn",
      severity: "warning",
      when: [{ burnRate: 3, window: "1d" }],
      receivers: ["payments-oncall"],
    },
  ]);
  expect(problemsOf(content, ["checkout-team"])).toEqual([
    "observability:metrics.openSloFiles[0] must name Alertmanager receivers in its notification targets: the SLO w's alert Burn notifies payments-oncall, which is none of alerting.receivers or the platform's critical and warning (critical, warning, checkout-team); add a receiver of that name to alerting.receivers, or name one of those",
  ]);
});

test("a reference to no document is refused by name, and a document no SLO uses is still checked", () => {
  const content = `
apiVersion: openslo/v1
kind: SLO
metadata: { name: w }
spec:
  service: checkout
  indicatorRef: missing-sli
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.99 }]
---
apiVersion: openslo/v1
kind: SLI
metadata: { name: unused }
spec: { thresholdMetric: { metricSource: { type: Graphite, spec: { query: 'x' } } } }
`;
  expect(problemsOf(content)).toEqual([
    "observability:metrics.openSloFiles[0] (slos.yaml) document 1 (w): spec.indicatorRef names no SLI document: no file of metrics.openSloFiles has one named missing-sli",
    "observability:metrics.openSloFiles[0] (slos.yaml) document 2 (unused): spec.thresholdMetric.metricSource.type must be Prometheus (any case), not Graphite: the stack evaluates SLOs as rules of its own Prometheus, in PromQL; write the SLI over metrics that Prometheus scrapes",
  ]);
});

test("a file with five problems in three documents: one error lists all five, each with its file, document and field", () => {
  let error: unknown;
  try {
    parseStackConfig(
      { metrics: { retentionTime: EVERY_WINDOW_RETENTION, openSloFiles: [fixture("five-problems.yaml")] } },
      new Set(),
    );
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const place = (document: string, field: string) =>
    expect.stringMatching(
      new RegExp(
        `^observability:metrics\\.openSloFiles\\[0\\] \\(tests/unit/slo/openslo/five-problems\\.yaml\\) ${document}: ${field.replace(/[.[\]]/g, "\\$&")} `,
      ),
    );
  // docs/extending.md shows the message whole (npm run docs writes it there).
  expect((error as ConfigError).problems).toEqual([
    place("document 1 \\(checkout-availability\\)", "spec.timeWindow[0].duration"),
    place("document 1 \\(checkout-availability\\)", "spec.objectives[0].target"),
    place("document 1 \\(checkout-availability\\)", "spec.owner"),
    place("document 1 \\(checkout-availability\\)", "spec.alertPolicies[0].alertPolicyRef"),
    place("document 2 \\(checkout-errors\\)", "spec.ratioMetric.bad.metricSource.type"),
  ]);
});

test("an OpenSLO SLO may not take a name metrics.slos has", () => {
  const [first] = slosOf([fixture("ticketing.yaml")]);
  expect(
    sectionProblems({
      metrics: {
        retentionTime: EVERY_WINDOW_RETENTION,
        slos: [first],
        openSloFiles: [fixture("ticketing.yaml")],
      },
    }),
  ).toContainEqual(
    expect.stringMatching(
      /^observability:metrics\.openSloFiles\[0\] must not name an SLO twice: payment-failures is already in metrics\.slos or an earlier file/,
    ),
  );
});

test.each([
  [
    "1w",
    "2026-01-05 00:00:00",
    { calendar: "week", timeZone: "Europe/Berlin", startTime: "2026-01-05 00:00:00" },
  ],
  [
    "1M",
    "2026-01-01 00:00:00",
    { calendar: "month", timeZone: "Europe/Berlin", startTime: "2026-01-01 00:00:00" },
  ],
  [
    "1Q",
    "2026-02-15 06:30:00",
    { calendar: "quarter", timeZone: "Europe/Berlin", startTime: "2026-02-15 06:30:00" },
  ],
])("a calendar %s from %s is the calendar window of metrics.slos", (duration, startTime, window) => {
  const content = slo(
    "w",
    `ratioMetric: { counter: true, bad: ${prometheus("e_total")}, total: ${prometheus("r_total")} }`,
    "target: 0.99",
  ).replace(
    "{ duration: 28d, isRolling: true }",
    `{ duration: ${duration}, isRolling: false, calendar: { startTime: "${startTime}", timeZone: Europe/Berlin } }`,
  );
  expect(slosOf([file(content)])[0].window).toEqual(window);
});

test.each([
  ["1d", "2026-01-01 00:00:00", "spec.timeWindow[0].duration must be 1w, 1M or 1Q with a calendar"],
  [
    "1M",
    "2026-01-31 00:00:00",
    "spec.timeWindow[0].calendar startTime must start a month on a day from the 1st to the 28th",
  ],
  ["1w", "2026-01-05 00:10:00", "spec.timeWindow[0].calendar startTime must start on a quarter hour"],
])("a calendar %s from %s is refused: %s", (duration, startTime, problem) => {
  const content = slo(
    "w",
    `ratioMetric: { counter: true, bad: ${prometheus("e_total")}, total: ${prometheus("r_total")} }`,
    "target: 0.99",
  ).replace(
    "{ duration: 28d, isRolling: true }",
    `{ duration: ${duration}, calendar: { startTime: "${startTime}", timeZone: Europe/Berlin } }`,
  );
  expect(problemsOf(content)).toContainEqual(expect.stringContaining(problem));
});

test("a calendar quarter is refused where Prometheus keeps a month of samples, naming metrics.retentionTime", () => {
  const content = slo(
    "w",
    `ratioMetric: { counter: true, bad: ${prometheus("e_total")}, total: ${prometheus("r_total")} }`,
    "target: 0.99",
  ).replace(
    "{ duration: 28d, isRolling: true }",
    '{ duration: 1Q, calendar: { startTime: "2026-01-01 00:00:00", timeZone: UTC } }',
  );
  expect(problemsOf(content)).toContainEqual(
    expect.stringContaining(
      "w's window is calendar quarter from 2026-01-01 00:00:00 (UTC) (up to 92d), longer than metrics.retentionTime (31d): Prometheus evaluates every rule over the history it keeps",
    ),
  );
});

test("a calendar in a time zone Node.js does not know is refused naming the zone", () => {
  const content = slo(
    "w",
    `ratioMetric: { counter: true, bad: ${prometheus("e_total")}, total: ${prometheus("r_total")} }`,
    "target: 0.99",
  ).replace(
    "{ duration: 28d, isRolling: true }",
    '{ duration: 1M, calendar: { startTime: "2026-01-01 00:00:00", timeZone: Europe/Gotham } }',
  );
  expect(problemsOf(content)).toContainEqual(
    expect.stringContaining(
      "spec.timeWindow[0].calendar timeZone must be an IANA time zone such as Europe/Berlin or UTC (got Europe/Gotham)",
    ),
  );
});

test.each(["{{.Window}}", "{{ .Window }}", "{{.window}}"])(
  "a query with the window written %s, as OpenSLO's tools write it, is read over each window",
  (placeholder) => {
    const query = (matchers: string) => `sum(rate(http_requests_total${matchers}[${placeholder}]))`;
    const [read] = slosOf([
      file(
        slo(
          "w",
          `ratioMetric: { counter: true, bad: ${prometheus(query('{code=~"5.."}'))}, total: ${prometheus(query(""))} }`,
          "target: 0.99",
        ),
      ),
    ]);
    expect(read.indicator).toEqual({ kind: "ratio", errors: query('{code=~"5.."}'), total: query("") });
    const rules = configuredSloRules([read], "https://runbooks.example.com").flatMap((g) => g.rules);
    expect(rules.find((r) => "record" in r && r.record === "slo:sli_error:ratio_rate1h")?.expr).toBe(
      '((sum(rate(http_requests_total{code=~"5.."}[1h]))) or 0 * (sum(rate(http_requests_total[1h])))) / (sum(rate(http_requests_total[1h])))',
    );
  },
);

test.each(["{{.Window}}", "{{.window}}"])(
  "a threshold query with the window written %s reads the last 5m at each evaluation, where the engine samples its bound",
  (placeholder) => {
    const query = `histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{service="api"}[${placeholder}])) by (le))`;
    const [read] = slosOf([
      file(slo("p99", `thresholdMetric: ${prometheus(query)}`, "target: 0.99, op: lte, value: 0.5")),
    ]);
    expect(read.indicator).toEqual({ kind: "threshold", expr: query, atMost: 0.5 });
    const rules = configuredSloRules([read], "https://runbooks.example.com").flatMap((g) => g.rules);
    expect(rules.find((r) => "record" in r && r.record === "slo:sli_error:sample")?.expr).toBe(
      'max(histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{service="api"}[5m])) by (le))) > bool 0.5',
    );
  },
);

describe("a Prometheus source's dimensions: the labels its SLI is counted per", () => {
  const source = (query: string, labels: string) =>
    `{ metricSource: { type: Prometheus, spec: { query: '${query}', dimensions: ${labels} } } }`;

  test("selectors are summed by them, as the engine sums a counter by its labels", () => {
    const [read] = slosOf([
      file(
        slo(
          "w",
          `ratioMetric: { counter: true, bad: ${source('http_requests_total{code=~"5.."}', "[route]")}, total: ${source("http_requests_total", "[route]")} }`,
          "target: 0.99",
        ),
      ),
    ]);
    expect(read.indicator).toEqual({
      kind: "ratio",
      errors: 'sum by (route) (http_requests_total{code=~"5.."})',
      total: "sum by (route) (http_requests_total)",
    });
  });

  test("a query that sums by them itself is taken as written", () => {
    const query = "sum by (route, method) (rate(http_requests_total[{{.Window}}]))";
    const [read] = slosOf([
      file(
        slo(
          "w",
          `ratioMetric: { counter: true, bad: ${source(query, "[method, route]")}, total: ${source(query, "[method, route]")} }`,
          "target: 0.99",
        ),
      ),
    ]);
    expect(read.indicator).toEqual({ kind: "ratio", errors: query, total: query });
  });

  test.each([
    [
      "a query that sums by other labels",
      source("sum by (route) (rate(x_total[{{.window}}]))", "[method]"),
      "spec.indicator.spec.ratioMetric.bad.metricSource.spec.query must sum by the source's dimensions (method), each of its aggregations: the SLI is counted per method (write sum by (method) (…), or a selector, which the stack sums so)",
    ],
    [
      "a dimension that is no label name",
      source("x_total", '["http.route"]'),
      "spec.indicator.spec.ratioMetric.bad.metricSource.spec.dimensions[0] must be a label name",
    ],
  ])("refuses %s", (_, bad, problem) => {
    const content = slo(
      "w",
      `ratioMetric: { counter: true, bad: ${bad}, total: ${prometheus("x_total")} }`,
      "target: 0.99",
    );
    expect(problemsOf(content)).toContainEqual(
      `observability:metrics.openSloFiles[0] (slos.yaml) document 1 (w): ${problem}`,
    );
  });
});
