// Every configured service gets its RED and SLO signals whatever its framework prints by default.
// The real Prometheus runs the kind stack's generated config, relabelling and rules; only target
// addresses are rewritten, to local servers answering with the fixture expositions of
// tests/kit/expositions (Spring Boot with Micrometer's defaults, with percentiles-histogram, with SLO
// boundaries; prom-client; client_golang; the OpenTelemetry SDK), and the collector's span
// metrics arrive by remote write, as the collector writes them.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { RuleFile, ScrapeConfig } from "../../components/common/prometheusTypes";
import { BUDGET_EVALUATION_INTERVAL } from "../../components/metrics/sloEngine";
import { KubeObject } from "../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import {
  Fixture,
  expositionServer,
  exposition,
  growth,
  remoteWrite,
  samples,
} from "../kit/expositions/index";
import { dashboards } from "../support/dashboards";
import { getJson } from "../kit/http";
import { LocalHttpServer } from "../kit/httpServers";
import { Servers, eventually } from "../kit/processes";
import { startRenderedPrometheus } from "../kit/localServers";
import { Json } from "../kit/json";
import { configMapData } from "../kit/rendered";
import { ruleEvaluations } from "../kit/ruleEvaluation";

interface App {
  readonly fixture: Fixture;
  readonly port: number;
  readonly path: string;
  /** Sends spans, so the collector's span metrics cover it. */
  readonly spans: boolean;
}

const ACTUATOR = "/actuator/prometheus";
const spring = (fixture: Fixture, port: number): App => ({ fixture, port, path: ACTUATOR, spans: true });

/** The eight services of Pulumi.kind.yaml, each with one of the Spring Boot variants. */
const CONFIGURED: Readonly<Record<string, App>> = {
  "auth-service": spring("spring-boot-defaults", 3005),
  "gateway-service": spring("spring-boot-defaults", 3001),
  "ticket-service": spring("spring-boot-defaults", 3002),
  "payment-service": spring("spring-boot-percentiles-histogram", 3003),
  "stats-service": spring("spring-boot-percentiles-histogram", 3004),
  "queue-service": spring("spring-boot-slo-boundaries", 3007),
  "community-service": spring("spring-boot-slo-boundaries", 3008),
  "catalog-service": spring("spring-boot-slo-boundaries", 3009),
};

/** Services of other frameworks added to the stack's config for this test, and one with nothing usable. */
const ADDED: Readonly<Record<string, App>> = {
  "events-node": { fixture: "prom-client-express-prom-bundle", port: 3100, path: "/metrics", spans: true },
  "orders-go": { fixture: "client-golang-promhttp", port: 8080, path: "/metrics", spans: false },
  "billing-otel": {
    fixture: "opentelemetry-java-prometheus-exporter",
    port: 9464,
    path: "/metrics",
    spans: true,
  },
  "mail-worker": { ...spring("spring-boot-no-web", 3010), spans: false },
};
const APPS = { ...CONFIGURED, ...ADDED };
const NOTHING_USABLE = "mail-worker";
const SERVING = Object.keys(APPS).filter((s) => s !== NOTHING_USABLE);

const SIGNALS = {
  "request rate": "service:http_requests:rate5m",
  "error ratio": "service:http_errors:ratio_rate5m",
  "latency p99": "service:http_request_duration_seconds:p99_rate5m",
  "latency avg": "service:http_request_duration_seconds:avg_rate5m",
  "availability SLI": "service:http_errors:ratio_rate6h",
  "latency SLI": "service:http_requests_slow:ratio_rate6h",
} as const;

/**
 * A metrics.slos entry over a counter a fixture prints, beside the kind stack's own (over the demo's
 * counters, which no fixture prints), so that the SLO dashboard's panels of metrics.slos have data.
 */
const FIXTURE_SLO = {
  name: "payment-errors",
  service: "payment-service",
  objective: 0.99,
  window: "7d",
  indicator: {
    kind: "ratio",
    errors: 'http_server_requests_seconds_count{service="payment-service", outcome="SERVER_ERROR"}',
    total: 'http_server_requests_seconds_count{service="payment-service"}',
  },
};

/** The kind stack with the added services listed beside the configured ones, and FIXTURE_SLO. */
async function renderWithAddedServices(): Promise<readonly KubeObject[]> {
  const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
  const apps = JSON.parse(config["observability:apps"]) as Json;
  apps.services = [
    ...(apps.services as Json[]),
    ...Object.entries(ADDED).map(([name, a]) => ({ name, port: a.port, metricsPath: a.path })),
  ];
  const metrics = JSON.parse(config["observability:metrics"]) as Json;
  metrics.slos = [...((metrics.slos as Json[] | undefined) ?? []), FIXTURE_SLO];
  const { objects } = await renderWithConfig(
    "kind",
    {
      ...config,
      "observability:apps": JSON.stringify(apps),
      "observability:metrics": JSON.stringify(metrics),
    },
    secretKeys,
  );
  return objects;
}

/**
 * The series the SLO budget groups record: the test does not wait for their first evaluation (see
 * everyGroupEvaluatedSince), so panels read them only once Prometheus has run for minutes.
 */
function budgetSeries(objects: readonly KubeObject[]): Set<string> {
  return new Set(
    Object.values(configMapData(objects, "prometheus-rules"))
      .flatMap((text) => (yaml.load(text) as RuleFile).groups)
      .filter((g) => g.interval === BUDGET_EVALUATION_INTERVAL)
      .flatMap((g) => g.rules.flatMap((r) => ("record" in r ? [r.record] : []))),
  );
}

describe("RED and SLO signals for every service, from what its framework prints", () => {
  const servers = new Servers();
  const local = new Map<string, LocalHttpServer>();
  let dir: string;
  let base: string;
  let objects: readonly KubeObject[];
  let writer: NodeJS.Timeout | undefined;
  /** signal → service → sli_source ("" when the series has none), absent when no series. */
  const coverage = new Map<string, Map<string, string>>();

  /** Discovery replaced by each app's local server, announced with the metadata Kubernetes attaches. */
  function localTargets(job: ScrapeConfig): ScrapeConfig {
    if (job.kubernetes_sd_configs === undefined) {
      return job;
    }
    const rest = { ...job, kubernetes_sd_configs: undefined };
    if (!job.job_name.startsWith("services-")) {
      return { ...rest, static_configs: [] };
    }
    // Every app in every service job: the job's own keep rule picks its services.
    return {
      ...rest,
      static_configs: Object.entries(APPS).map(([service, app]) => ({
        targets: [`127.0.0.1:${local.get(service)?.port}`],
        labels: {
          __meta_kubernetes_namespace: "tiketi-spring",
          __meta_kubernetes_service_name: service,
          __meta_kubernetes_endpointslice_port: String(app.port),
          __meta_kubernetes_pod_name: `${service}-0`,
          __meta_kubernetes_pod_node_name: "kind-control-plane",
        },
      })),
    };
  }

  async function query(expr: string): Promise<Json[]> {
    const { data } = await getJson(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return data.result as Json[];
  }

  beforeAll(async () => {
    objects = await renderWithAddedServices();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "slo-coverage-"));
    for (const [service, app] of Object.entries(APPS)) {
      local.set(service, await expositionServer(app.fixture, app.path));
    }
    ({ base } = await startRenderedPrometheus(servers, objects, dir, (generated) => ({
      ...generated,
      scrape_configs: generated.scrape_configs.map(localTargets),
    })));

    // The collector's span metrics for every service that sends spans, by remote write every 5 s.
    const start = Date.now();
    const template = samples(exposition("otel-collector-spanmetrics"));
    const write = () =>
      remoteWrite(
        `${base}/api/v1/write`,
        Object.entries(APPS)
          .filter(([, app]) => app.spans)
          .flatMap(([service]) =>
            template.map((s) => ({
              ...s,
              labels: { ...s.labels, service_name: service },
              value: /_bucket|_count|_sum|_total$/.test(s.name) ? s.value * growth(start) : s.value,
            })),
          ),
      );
    await write();
    writer = setInterval(() => void write().catch(() => undefined), 5000);

    // Two scrapes of every app, then two rule evaluations (a group may read another's last round).
    await eventually(
      async () => {
        const [scraped] = await query(`count(count_over_time(up{tier="app"}[5m]) >= 2)`);
        return Number(scraped?.value[1]) === Object.keys(APPS).length ? true : undefined;
      },
      "two scrapes of every app",
      60000,
    );
    await ruleEvaluations(base, 2);
    for (const [signal, record] of Object.entries(SIGNALS)) {
      const byService = new Map<string, string>();
      for (const series of await query(record)) {
        byService.set(
          series.metric.service as string,
          (series.metric.sli_source as string | undefined) ?? "",
        );
      }
      coverage.set(signal, byService);
    }
    const header = ["service", "fixture", ...Object.keys(SIGNALS)];
    const rows = Object.entries(APPS).map(([service, app]) => [
      service,
      app.fixture + (app.spans ? " + spans" : ""),
      ...Object.keys(SIGNALS).map((signal) => {
        const source = coverage.get(signal)?.get(service);
        return source === undefined ? "—" : source === "" ? "yes" : source;
      }),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
    const covered = (signal: string) => SERVING.filter((s) => coverage.get(signal)?.has(s)).length;
    console.log(
      [
        "Coverage (service × signal: sli_source):",
        line(header),
        line(widths.map((w) => "-".repeat(w))),
        ...rows.map(line),
        line([
          "serving services covered",
          "",
          ...Object.keys(SIGNALS).map((s) => `${covered(s)}/${SERVING.length}`),
        ]),
      ].join("\n"),
    );
  }, 180000);

  afterAll(async () => {
    if (writer !== undefined) {
      clearInterval(writer);
    }
    await servers.stopAll();
    await Promise.all([...local.values()].map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each(Object.keys(SIGNALS))("%s exists for every serving service, with its source", (signal) => {
    const byService = coverage.get(signal) ?? new Map<string, string>();
    expect(SERVING.filter((s) => !byService.has(s))).toEqual([]);
    expect(SERVING.filter((s) => byService.get(s) === "")).toEqual([]);
  });

  /** Runtime dashboards are per framework (their descriptions say which); the rest cover every serving service. */
  const RUNTIME: Readonly<Record<string, (app: App) => boolean>> = {
    "obs-jvm": (app) => app.fixture.startsWith("spring-boot"),
    "obs-nodejs": (app) => app.fixture === "prom-client-express-prom-bundle",
  };

  test("every dashboard panel that reads a per-service metric has data for each service, or says why not", async () => {
    const budget = budgetSeries(objects);
    const gaps: string[] = [];
    for (const board of dashboards(objects)) {
      const inScope = RUNTIME[board.uid as string];
      const expected = inScope === undefined ? SERVING : Object.keys(APPS).filter((s) => inScope(APPS[s]));
      for (const panel of board.panels as Json[]) {
        const exprs = (panel.targets as Json[])
          .filter(
            (t) => t.datasource.type === "prometheus" && /\$service|by \(service\b/.test(t.expr as string),
          )
          .filter(
            (t) => !((t.expr as string).match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? []).some((n) => budget.has(n)),
          )
          .map((t) => (t.expr as string).replaceAll("$service", ".*").replaceAll("$__rate_interval", "1m"));
        if (exprs.length === 0) {
          continue;
        }
        const results = await Promise.all(exprs.map(query));
        const served = new Set(results.flat().map((r) => r.metric.service as string));
        const missing = expected.filter((s) => !served.has(s));
        // A panel that cannot cover some services says so: "… only", or it lists those without.
        const explained = /\bonly\b|without/i.test(`${panel.title} ${panel.description ?? ""}`);
        if (missing.length > 0 && !(explained && served.size > 0)) {
          gaps.push(`${board.title} / ${panel.title}: no data for ${missing.join(", ")}`);
        }
      }
    }
    expect(gaps).toEqual([]);
  });
});
