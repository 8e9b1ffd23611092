// OpenSLO v1 documents in, metrics.slos entries out: a ratio, a threshold, and a document with
// fields the stack cannot honour, refused by name.
import * as fs from "fs";
import * as path from "path";
import { openSloFileSlos } from "../../config/openSlo";
import { parseStackConfig } from "../../config/load";
import { sectionProblems } from "../support/configProblems";

const fixture = (name: string) => path.join("tests/slo/openslo", name);
const read = (name: string) => fs.readFileSync(path.join(__dirname, "openslo", name), "utf8");

test("a ratioMetric and a thresholdMetric document become a ratio and a threshold SLO", () => {
  expect(openSloFileSlos(read("ticketing.yaml"))).toEqual({
    problems: [],
    slos: [
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
      },
    ],
  });
});

test("metrics.openSloFiles adds the documents' SLOs to metrics.slos", () => {
  const config = parseStackConfig({ metrics: { openSloFiles: [fixture("ticketing.yaml")] } }, new Set());
  expect(config.metrics.slos.map((s) => `${s.name}:${s.indicator.kind}`)).toEqual([
    "payment-failures:ratio",
    "queue-wait-p95:threshold",
  ]);
});

test("fields the translation does not read are refused, each named with its document", () => {
  expect(openSloFileSlos(read("unsupported.yaml")).problems).toEqual([
    "document 1 (seat-locks): spec.timeWindow[0].isRolling must be true: only rolling windows are supported",
    "document 1 (seat-locks): spec.timeWindow[0].calendar is not supported",
    "document 1 (seat-locks): spec.alertPolicies is not supported",
  ]);
  expect(sectionProblems({ metrics: { openSloFiles: [fixture("unsupported.yaml")] } })).toContainEqual(
    expect.stringMatching(
      /^observability:metrics\.openSloFiles\[0\] must hold OpenSLO v1 SLOs the stack can translate: document 1 \(seat-locks\): spec\.timeWindow\[0\]\.isRolling must be true/,
    ),
  );
});

test.each([
  [
    "a source that is not Prometheus",
    (text: string) => text.replace("type: Prometheus", "type: Datadog"),
    "document 1 (payment-failures): spec.indicator.spec.ratioMetric.bad.metricSource.type must be Prometheus",
  ],
  [
    "a query that is no counter selector",
    (text: string) => text.replace("query: payments_total\n", "query: rate(payments_total[5m])\n"),
    'document 1 (payment-failures): as metrics.slos, indicator.total must be a selector of one metric, such as payments_total{outcome="failed"}: no function, range or operator',
  ],
  [
    "a threshold with an inclusive operator",
    (text: string) => text.replace("op: lt", "op: lte"),
    "document 2 (queue-wait-p95): spec.objectives[0].op must be lt or gt (lte and gte are not supported)",
  ],
])("refuses %s, naming the document and the field", (_, edit, problem) => {
  expect(openSloFileSlos(edit(read("ticketing.yaml"))).problems).toEqual([problem]);
});

test("an OpenSLO SLO may not take a name metrics.slos has", () => {
  const slo = openSloFileSlos(read("ticketing.yaml")).slos[0];
  expect(
    sectionProblems({ metrics: { slos: [slo], openSloFiles: [fixture("ticketing.yaml")] } }),
  ).toContainEqual(
    expect.stringMatching(
      /^observability:metrics\.openSloFiles\[0\] must not name an SLO twice: payment-failures is already in metrics\.slos or an earlier file/,
    ),
  );
});
