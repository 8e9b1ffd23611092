// Sloth specs in (prometheus/v1 files and the Kubernetes PrometheusServiceLevel), metrics.slos entries
// out, alerting as Sloth's rules do; Sloth's own examples (tests/unit/slo/sloth/, each header names its
// source) as the inputs, and what the stack cannot take refused with the reason.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "js-yaml";
import { configuredSloRules } from "../../../components/metrics/configuredSlos";
import { parseStackConfig } from "../../../config/load";
import { tools } from "../../kit/tools";
import { sectionProblems } from "../../support/configProblems";
import { EVERY_WINDOW_RETENTION } from "../../../config/metrics/evaluatorReach";

const example = (name: string) => path.join("tests/unit/slo/sloth", name);
const read = (name: string) => fs.readFileSync(path.join(__dirname, "sloth", name), "utf8");
const slosOf = (files: readonly (string | { name: string; content: string })[]) =>
  parseStackConfig({ metrics: { retentionTime: EVERY_WINDOW_RETENTION, slothFiles: files } }, new Set())
    .metrics.slos;
const problemsOf = (content: string) =>
  sectionProblems({
    metrics: { retentionTime: EVERY_WINDOW_RETENTION, slothFiles: [{ name: "slos.yml", content }] },
  });

/** Sloth's page and ticket for its 30-day period: the SRE workbook's pairs, no `for`. */
const page = {
  severity: "critical",
  when: [
    { burnRate: 14.4, window: "1h", shortWindow: "5m" },
    { burnRate: 6, window: "6h", shortWindow: "30m" },
  ],
};
const ticket = {
  severity: "warning",
  when: [
    { burnRate: 3, window: "1d", shortWindow: "2h" },
    { burnRate: 1, window: "3d", shortWindow: "6h" },
  ],
};

test("Sloth's Kubernetes API server example: events SLIs, objectives in percent, labels and annotations on both alerts", () => {
  const labels = { cluster: "valhalla", component: "kubernetes" };
  expect(slosOf([example("kubernetes-apiserver.yml")])).toEqual([
    {
      name: "k8s-apiserver-requests-availability",
      service: "k8s-apiserver",
      objective: 0.999,
      window: "30d",
      indicator: {
        kind: "ratio",
        errors: 'sum(rate(apiserver_request_total{code=~"(5..|429)"}[{{.window}}]))',
        total: "sum(rate(apiserver_request_total[{{.window}}]))",
      },
      alerts: [page, ticket].map((alert, i) => ({
        name: "K8sApiserverAvailabilityAlert",
        ...alert,
        labels: { ...labels, category: "availability", sloth_severity: ["page", "ticket"][i] },
        annotations: {
          runbook:
            "https://github.com/kubernetes-monitoring/kubernetes-mixin/tree/master/runbook.md#alert-name-kubeapierrorshigh",
        },
      })),
    },
    expect.objectContaining({
      name: "k8s-apiserver-requests-latency",
      objective: 0.99,
      indicator: expect.objectContaining({
        kind: "ratio",
        total: 'sum(rate(apiserver_request_duration_seconds_count{verb!="WATCH"}[{{.window}}]))',
      }),
    }),
  ]);
});

test("an SLO whose alerts are both disabled has none", () => {
  expect(slosOf([example("no-alerts.yml")])).toEqual([
    expect.objectContaining({ name: "myapp-http-availability", objective: 0.9999, alerts: [] }),
  ]);
});

test("the Kubernetes resource and the raw SLI as they are: severities of the team's own (pageteam, slack, home) kept as written, beside sloth_severity", () => {
  const [fromCrd, fromRaw] = slosOf([example("k8s-getting-started.yml"), example("raw-home-wifi.yml")]);
  expect(fromCrd).toEqual(
    expect.objectContaining({
      name: "myservice-requests-availability",
      objective: 0.999,
      alerts: [
        expect.objectContaining({
          name: "MyServiceHighErrorRate",
          ...page,
          severity: "pageteam",
          labels: expect.objectContaining({ routing_key: "myteam", sloth_severity: "page" }),
        }),
        expect.objectContaining({
          name: "MyServiceHighErrorRate",
          ...ticket,
          severity: "slack",
          labels: expect.objectContaining({ slack_channel: "#alerts-myteam", sloth_severity: "ticket" }),
        }),
      ],
    }),
  );
  expect(fromRaw.alerts?.[0].severity).toBe("home");
  expect(fromRaw).toEqual(
    expect.objectContaining({
      name: "home-wifi-wifi-client-satisfaction",
      objective: 0.95,
      indicator: {
        kind: "raw",
        errorRatio: expect.stringContaining(
          "sum(sum_over_time(unifipoller_client_satisfaction_ratio[{{.window}}]))",
        ),
      },
    }),
  );
});

test.each([
  [
    "an SLI plugin (Sloth's plugin example)",
    read("plugin-getting-started.yml"),
    "document 1 (service myservice): slos[0].sli.plugin is a Sloth plugin, Go code that Sloth runs while generating rules; the stack has no plugin engine. Write the SLI as events (error and total queries) or raw (an error-ratio query)",
  ],
  [
    "a query without the window placeholder",
    read("kubernetes-apiserver.yml").replace(
      "apiserver_request_total[{{.window}}]",
      "apiserver_request_total[5m]",
    ),
    "document 1 (service k8s-apiserver): slos[0].sli.events.total_query must use {{.window}} where its range goes, as Sloth requires (e.g. sum(rate(x_total[{{.window}}])))",
  ],
  [
    "an objective the engine cannot budget",
    read("kubernetes-apiserver.yml").replace("objective: 99\n", "objective: 80\n"),
    "document 1 (service k8s-apiserver): slos[1].objective (as a ratio) must be a ratio above 0.9 and below 1, such as 0.995",
  ],
  [
    "a field of no Sloth spec",
    read("kubernetes-apiserver.yml").replace(
      'service: "k8s-apiserver"',
      'service: "k8s-apiserver"\nowner: platform',
    ),
    "document 1 (service k8s-apiserver): owner is not a field of Sloth's spec",
  ],
  [
    "a window written {{.Window}}, which Sloth's generator does not fill",
    read("kubernetes-apiserver.yml").replace(
      "apiserver_request_total[{{.window}}]",
      "apiserver_request_total[{{.Window}}]",
    ),
    "document 1 (service k8s-apiserver): slos[0].sli.events.total_query must use {{.window}} where its range goes, as Sloth requires (e.g. sum(rate(x_total[{{.window}}])))",
  ],
  [
    "another version of the spec",
    read("kubernetes-apiserver.yml").replace('version: "prometheus/v1"', 'version: "prometheus/v2"'),
    'document 1 (service k8s-apiserver): version must be prometheus/v1 (got "prometheus/v2")',
  ],
])("refuses %s, naming file, document and field", (_, content, problem) => {
  expect(problemsOf(content)).toContainEqual(`observability:metrics.slothFiles[0] (slos.yml) ${problem}`);
});

test("a Sloth SLO may not take a name another file's SLO has", () => {
  const file = example("kubernetes-apiserver.yml");
  expect(
    sectionProblems({ metrics: { retentionTime: EVERY_WINDOW_RETENTION, slothFiles: [file, file] } }),
  ).toContainEqual(
    expect.stringMatching(
      /^observability:metrics\.slothFiles\[1\] must not name an SLO twice: k8s-apiserver-requests-availability is already in metrics\.slos or an earlier file/,
    ),
  );
});

test("names Sloth and Prometheus take: a service PaymentService, an alert payment-availability; promtool loads the rules", async () => {
  const spec = [
    'version: "prometheus/v1"',
    "service: PaymentService",
    "slos:",
    "  - name: checkout.v2",
    "    objective: 99.5",
    "    sli:",
    "      events:",
    '        error_query: sum(rate(payments_total{outcome="failed"}[{{.window}}]))',
    "        total_query: sum(rate(payments_total[{{.window}}]))",
    "    alerting:",
    "      name: payment-availability",
  ].join("\n");
  const slos = slosOf([{ name: "payments.yml", content: spec }]);
  expect(slos.map((s) => [s.name, s.service, s.alerts?.map((a) => a.name)])).toEqual([
    ["PaymentService-checkout.v2", "PaymentService", ["payment-availability", "payment-availability"]],
  ]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sloth-names-"));
  try {
    const file = path.join(dir, "rules.yml");
    fs.writeFileSync(file, yaml.dump({ groups: configuredSloRules(slos, "https://runbooks.example.com") }));
    const { stdout } = await promisify(execFile)(tools.promtool(), ["check", "rules", file]);
    expect(stdout).toContain("SUCCESS");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("metrics.slothWindow counts every Sloth SLO over a calendar month, its alerts as Sloth writes them", () => {
  const window = { calendar: "month", timeZone: "Europe/Berlin" };
  const [slo] = parseStackConfig(
    {
      metrics: {
        slothFiles: [example("kubernetes-apiserver.yml")],
        slothWindow: window,
        retentionTime: EVERY_WINDOW_RETENTION,
      },
    },
    new Set(),
  ).metrics.slos;
  expect(slo.window).toEqual(window);
  expect(slo.alerts?.map((a) => a.when)).toEqual([page.when, ticket.when]);
  // Prometheus must keep the samples of a whole month to count its budget.
  expect(
    sectionProblems({
      metrics: {
        slothFiles: [example("kubernetes-apiserver.yml")],
        slothWindow: window,
        retentionTime: "15d",
      },
    }),
  ).toEqual([
    'observability:metrics.slothWindow is calendar month (Europe/Berlin) (up to 31d), longer than metrics.retentionTime (15d): Prometheus evaluates every rule over the history it keeps; keep more, or set metrics.objectStorage, whose Thanos Ruler evaluates the long windows over the bucket (got {"calendar":"month","timeZone":"Europe/Berlin"})',
  ]);
});
