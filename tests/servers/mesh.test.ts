// An Istio mesh through the real Prometheus, with the kind stack's config, relabelling and rules as
// rendered with mesh.istio on. Discovery is replaced by static targets that carry the metadata
// Kubernetes attaches to two injected pods and istiod, and the addresses the rendered relabelling
// computes are sent to local servers answering in Istio's own formats (tests/kit/expositions): ratings,
// which has no metrics of its own, its sidecar scraped at Envoy's :15090 (merging off); productpage,
// its sidecar's merged :15020 carrying the agent's, Envoy's and the app's metrics (a client_golang
// app); istiod at :15014.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ScrapeConfig } from "../../components/common/prometheusTypes";
import { ISTIO_PORTS } from "../../components/metrics/istioTargets";
import { KubeObject } from "../../render/manifest";
import { renderWithConfig } from "../../render/renderStack";
import { Fixture, Sample, exposition, expositionServer, samples } from "../kit/expositions/index";
import { getJson } from "../kit/http";
import { LocalHttpServer } from "../kit/httpServers";
import { Json } from "../kit/json";
import { startRenderedPrometheus } from "../kit/localServers";
import { Servers, eventually } from "../kit/processes";
import { ruleEvaluations } from "../kit/ruleEvaluation";
import { dashboards } from "../support/dashboards";
import { ISTIOD_NAMESPACE, meshConfig } from "../support/meshStack";

const NAMESPACE = "tiketi-spring";
/** The sidecar status annotation the injector sets, in Prometheus' discovery label form. */
const INJECTED = { __meta_kubernetes_pod_annotationpresent_sidecar_istio_io_status: "true" };

interface Pod {
  readonly name: string;
  readonly app: string;
  /** The app container's port, then the sidecar's. */
  readonly appPort: number;
  /** The `prometheus.io/*` annotations the injector left: the merged endpoint, or none. */
  readonly annotations: Readonly<Record<string, string>>;
  /** What its sidecar endpoint answers with. */
  readonly fixtures: readonly Fixture[];
  /** The endpoint Istio's docs say Prometheus scrapes for it. */
  readonly port: number;
}

const PODS: readonly Pod[] = [
  {
    name: "ratings-v1-6b8f7c9d5-x2x7q",
    app: "ratings",
    appPort: 9080,
    annotations: {},
    fixtures: ["istio-proxy-ratings"],
    port: ISTIO_PORTS.envoy,
  },
  {
    name: "productpage-v1-54bb874995-m9l4k",
    app: "productpage",
    appPort: 9080,
    annotations: { scrape: "true", port: String(ISTIO_PORTS.agent), path: "/stats/prometheus" },
    fixtures: ["istio-proxy-productpage", "client-golang-promhttp"],
    port: ISTIO_PORTS.agent,
  },
];

/** The pod's targets as role `pod` discovery announces them: one per container port. */
function podTargets(pod: Pod): { targets: string[]; labels: Record<string, string> }[] {
  const meta = {
    __meta_kubernetes_namespace: NAMESPACE,
    __meta_kubernetes_pod_name: pod.name,
    __meta_kubernetes_pod_node_name: "kind-control-plane",
    __meta_kubernetes_pod_phase: "Running",
    __meta_kubernetes_pod_label_app: pod.app,
    __meta_kubernetes_pod_label_version: "v1",
    ...INJECTED,
    ...Object.fromEntries(
      Object.entries(pod.annotations).map(([k, v]) => [
        `__meta_kubernetes_pod_annotation_prometheus_io_${k}`,
        v,
      ]),
    ),
  };
  return [
    {
      targets: [`127.0.0.1:${pod.appPort}`],
      labels: {
        ...meta,
        __meta_kubernetes_pod_container_name: pod.app,
        __meta_kubernetes_pod_container_port_name: "http",
      },
    },
    {
      targets: [`127.0.0.1:${ISTIO_PORTS.envoy}`],
      labels: {
        ...meta,
        __meta_kubernetes_pod_container_name: "istio-proxy",
        __meta_kubernetes_pod_container_port_name: "http-envoy-prom",
      },
    },
  ];
}

/** The value of an instant query's only series, or of the one `match` picks. */
const valueOf = (series: readonly Json[], match: (m: Json) => boolean = () => true): number =>
  Number(series.find((s) => match(s.metric))?.value[1]);

describe("a meshed service's sidecar, through the real Prometheus with the rendered config and rules", () => {
  const servers = new Servers();
  const local = new Map<number, LocalHttpServer>();
  let istiod: LocalHttpServer;
  let dir: string;
  let base: string;
  let objects: readonly KubeObject[];

  /** An instant query, now or at `time` (Unix seconds). */
  async function query(expr: string, time?: number): Promise<Json[]> {
    const at = time === undefined ? "" : `&time=${time}`;
    const { data } = await getJson(`${base}/api/v1/query?query=${encodeURIComponent(expr)}${at}`);
    return data.result as Json[];
  }

  /** Discovery replaced by the pods and istiod; the Istio ports the relabelling picks mapped to their servers. */
  function localTargets(job: ScrapeConfig): ScrapeConfig {
    if (job.kubernetes_sd_configs === undefined) {
      return job;
    }
    const rest = { ...job, kubernetes_sd_configs: undefined };
    if (job.job_name === "istio-proxies" || job.job_name === "annotated-pods") {
      const mapped = [...local].map(([port, server]) => ({
        source_labels: ["__address__"],
        regex: `127\\.0\\.0\\.1:${port}`,
        replacement: `127.0.0.1:${server.port}`,
        target_label: "__address__",
      }));
      return {
        ...rest,
        static_configs: PODS.flatMap(podTargets),
        relabel_configs: [...(job.relabel_configs ?? []), ...mapped],
      };
    }
    if (job.job_name === "istiod") {
      return {
        ...rest,
        static_configs: [
          {
            targets: [`127.0.0.1:${istiod.port}`],
            labels: {
              __meta_kubernetes_namespace: ISTIOD_NAMESPACE,
              __meta_kubernetes_service_name: "istiod",
              __meta_kubernetes_endpointslice_port_name: "http-monitoring",
              __meta_kubernetes_pod_name: "istiod-7d4f5b7c6-8kq2w",
              __meta_kubernetes_pod_node_name: "kind-control-plane",
            },
          },
        ],
      };
    }
    return { ...rest, static_configs: [] };
  }

  beforeAll(async () => {
    const { config, secretKeys } = meshConfig("kind");
    ({ objects } = await renderWithConfig("kind", config, secretKeys));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-"));
    for (const pod of PODS) {
      local.set(pod.port, await expositionServer(pod.fixtures, "/stats/prometheus"));
    }
    istiod = await expositionServer("istiod", "/metrics");
    ({ base } = await startRenderedPrometheus(servers, objects, dir, (generated) => ({
      ...generated,
      scrape_configs: generated.scrape_configs.map(localTargets),
    })));
    // A minute of samples of each: the dashboards' one-minute rates then span their whole window.
    await eventually(
      async () => {
        const [scraped] = await query('count(count_over_time(up{job=~"istio-proxies|istiod"}[1m]) >= 4)');
        return Number(scraped?.value[1]) === PODS.length + 1 ? true : undefined;
      },
      "a minute of scrapes of each sidecar and of istiod",
      90000,
    );
    await ruleEvaluations(base, 2);
  }, 240000);

  afterAll(async () => {
    await servers.stopAll();
    await Promise.all([...local.values(), istiod].map((s) => s?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("each sidecar is one target, at the endpoint Istio documents for it, labelled as the app; istiod a platform target", async () => {
    const { data } = await getJson(`${base}/api/v1/targets?state=active`);
    const targets = (data.activeTargets as Json[]).filter((t) =>
      ["istio-proxies", "istiod", "annotated-pods"].includes(t.labels.job),
    );
    expect(
      targets.map((t) => [t.labels.job, t.labels.pod, t.labels.service, t.labels.tier, t.health]).sort(),
    ).toEqual(
      [
        ["istio-proxies", PODS[0].name, "ratings", "app", "up"],
        ["istio-proxies", PODS[1].name, "productpage", "app", "up"],
        ["istiod", "istiod-7d4f5b7c6-8kq2w", undefined, "kubernetes", "up"],
      ].sort(),
    );
    // The merged endpoint carries the app's own metrics, labelled as the app.
    expect(await query("sum by (service, job) (http_requests_total)")).toEqual([
      expect.objectContaining({ metric: { service: "productpage", job: "istio-proxies" } }),
    ]);
  });

  test("a meshed service without metrics of its own gets every RED series from its sidecar", async () => {
    const fixture = samples(exposition("istio-proxy-ratings")).filter(
      (s) => s.name === "istio_requests_total" && s.labels.reporter === "destination",
    );
    const total = fixture.reduce((n, s) => n + s.value, 0);
    const failed = fixture
      .filter(
        (s) =>
          /^5/.test(s.labels.response_code) ||
          ["2", "4", "12", "13", "14", "15"].includes(s.labels.grpc_response_status),
      )
      .reduce((n, s) => n + s.value, 0);
    for (const record of [
      "service:http_requests:rate5m",
      "service:http_errors:ratio_rate5m",
      "service:http_client_errors:rate5m",
      "service:http_request_duration_seconds:p99_rate5m",
      "service:http_request_duration_seconds:avg_rate5m",
      "service:http_errors:ratio_rate6h",
      "service:http_requests_slow:ratio_rate6h",
    ]) {
      const [series] = await query(`${record}{service="ratings"}`);
      expect(`${record} ${series?.metric.sli_source}`).toBe(`${record} istio`);
    }
    // The recorded rate is the sum of what its sidecar received, at the rules' own evaluation time
    // (a 5-minute rate of a minute of samples is not the fixture's rate yet); 5xx and gRPC
    // UNAVAILABLE fail.
    const at = valueOf(await query('timestamp(service:http_requests:rate5m{service="ratings"})'));
    const received =
      'sum(rate(istio_requests_total{reporter="destination", destination_service_name="ratings"}[5m]))';
    expect(valueOf(await query('service:http_requests:rate5m{service="ratings"}', at))).toBeCloseTo(
      valueOf(await query(received, at)),
      3,
    );
    const errorRatio = valueOf(await query('service:http_errors:ratio_rate5m{service="ratings"}'));
    expect(errorRatio).toBeCloseTo(failed / total, 3);
    console.log(
      `ratings (sidecar only): service:http_errors:ratio_rate5m ${errorRatio.toFixed(4)}, the fixture's ${(failed / total).toFixed(4)}`,
    );
    const perWorkload = 'workload:istio_requests:rate5m{destination_workload="ratings-v1"}';
    const atWorkload = valueOf(await query(`timestamp(${perWorkload})`));
    expect(valueOf(await query(perWorkload, atWorkload))).toBeCloseTo(
      valueOf(await query(received, atWorkload)),
      3,
    );
  });

  test("its SLOs: objectives, SLIs with their source, coverage, and the burn-rate alerts on its errors", async () => {
    expect(await query('service:slo_availability:objective{service="ratings"}')).toHaveLength(1);
    const coverage = await query('service:slo_sli:present{service="ratings"}');
    expect(coverage.map((s) => [s.metric.sli, s.metric.sli_source, s.value[1]]).sort()).toEqual([
      ["availability", "istio", "1"],
      ["latency", "istio", "1"],
    ]);
    // 2.6 % of its requests fail: more than 3x the 0.5 % budget, the ticket's burn.
    const { data } = await getJson(`${base}/api/v1/alerts`);
    const burning = (data.alerts as Json[])
      .filter((a) => a.labels.service === "ratings")
      .map((a) => a.labels.alertname);
    expect(burning).toContain("SLOAvailabilityBurnSlow");
    expect(burning).not.toContain("SLOLatencyBurnSlow");
  });

  test("a service both its app and its sidecar measure takes its sidecar's", async () => {
    const ratio = (fixture: Fixture, counter: string, failed: (s: Sample) => boolean) => {
      const series = samples(exposition(fixture)).filter(
        (s) => s.name === counter && (s.labels.reporter ?? "destination") === "destination",
      );
      return series.filter(failed).reduce((n, s) => n + s.value, 0) / series.reduce((n, s) => n + s.value, 0);
    };
    const sidecar = ratio("istio-proxy-productpage", "istio_requests_total", (s) =>
      /^5/.test(s.labels.response_code),
    );
    const app = ratio("client-golang-promhttp", "http_requests_total", (s) => /^5/.test(s.labels.code));
    expect(Math.abs(sidecar - app)).toBeGreaterThan(0.01);
    const [errors] = await query('service:http_errors:ratio_rate5m{service="productpage"}');
    expect(errors.metric.sli_source).toBe("istio");
    expect(Number(errors.value[1])).toBeCloseTo(sidecar, 3);
  });

  test("every Service Overview and Service Detail panel has the meshed service's data, or says why not", async () => {
    const gaps: string[] = [];
    for (const board of dashboards(objects).filter((b) =>
      ["obs-service-overview", "obs-service-detail"].includes(b.uid),
    )) {
      for (const panel of board.panels as Json[]) {
        const exprs = (panel.targets as Json[])
          .filter((t) => t.datasource.type === "prometheus")
          // The budgets over the compliance window are evaluated every 5 minutes: not in a test's time.
          .filter((t) => !/error_budget_remaining/.test(t.expr as string))
          .map((t) =>
            (t.expr as string).replaceAll("$service", "ratings").replaceAll("$__rate_interval", "1m"),
          );
        if (exprs.length === 0) continue;
        const withData = (await Promise.all(exprs.map((e) => query(e)))).flat().length > 0;
        if (!withData && !/\bonly\b/i.test(`${panel.title} ${panel.description ?? ""}`)) {
          gaps.push(`${board.title} / ${panel.title}`);
        }
      }
    }
    expect(gaps).toEqual([]);
    const sidecarPanels = (
      dashboards(objects).find((b) => b.uid === "obs-service-detail")?.panels as Json[]
    ).filter((p) => / \(sidecar\)$/.test(p.title as string));
    expect(sidecarPanels).toHaveLength(3);
    for (const panel of sidecarPanels) {
      const expr = (panel.targets[0].expr as string)
        .replaceAll("$service", "ratings")
        .replaceAll("$__rate_interval", "1m");
      expect(`${panel.title}: ${(await query(expr)).length > 0}`).toBe(`${panel.title}: true`);
    }
  });

  test("every panel of the Istio Mesh dashboard has data, and mTLS coverage is the share the destinations received over mutual TLS", async () => {
    const board = dashboards(objects).find((b) => b.uid === "obs-istio-mesh") as Json;
    const empty: string[] = [];
    for (const panel of board.panels as Json[]) {
      for (const target of panel.targets as Json[]) {
        const expr = (target.expr as string)
          .replaceAll("$service", ".*")
          .replaceAll("$__rate_interval", "1m");
        if ((await query(expr)).length === 0) empty.push(`${panel.title}: ${target.legendFormat ?? ""}`);
      }
    }
    expect(empty).toEqual([]);

    const received = [
      ...samples(exposition("istio-proxy-ratings")),
      ...samples(exposition("istio-proxy-productpage")),
    ].filter((s) => s.name === "istio_requests_total" && s.labels.reporter === "destination");
    const share = (series: typeof received) =>
      series
        .filter((s) => s.labels.connection_security_policy === "mutual_tls")
        .reduce((n, s) => n + s.value, 0) / series.reduce((n, s) => n + s.value, 0);
    const panel = (title: string) =>
      ((board.panels as Json[]).find((p) => p.title === title)?.targets[0].expr as string)
        .replaceAll("$service", ".*")
        .replaceAll("$__rate_interval", "1m");
    const coverage = valueOf(await query(panel("mTLS coverage")));
    expect(coverage).toBeCloseTo(share(received), 3);
    const pairs = await query(panel("mTLS by source → destination"));
    console.log(
      [
        `mTLS coverage (Prometheus, the Istio Mesh panel): ${coverage.toFixed(4)}; the fixtures' share: ${share(received).toFixed(4)}`,
        ...pairs.map(
          (p) =>
            `  ${p.metric.source_canonical_service} → ${p.metric.destination_service_name}: ${Number(p.value[1]).toFixed(4)}`,
        ),
      ].join("\n"),
    );
    expect(
      pairs
        .map((p) => [
          p.metric.source_canonical_service,
          p.metric.destination_service_name,
          Number(p.value[1]),
        ])
        .sort(),
    ).toEqual(
      [
        ["istio-ingressgateway", "productpage", 1],
        ["productpage", "ratings", 1],
        ["reviews", "ratings", 1],
        // The one plaintext pair: a caller outside the mesh.
        ["unknown", "ratings", 0],
      ].sort(),
    );
  });

  test("the service graph from the sidecars beside the spans' has the calls between services", async () => {
    const tracing = dashboards(objects).find((b) => b.uid === "obs-tracing") as Json;
    const panel = (tracing.panels as Json[]).find(
      (p) => p.title === "Calls between services (Istio sidecars)",
    ) as Json;
    const edges = await query((panel.targets[0].expr as string).replaceAll("$__rate_interval", "1m"));
    expect(
      edges.map((e) => `${e.metric.source_canonical_service} → ${e.metric.destination_service_name}`).sort(),
    ).toEqual([
      "istio-ingressgateway → productpage",
      "productpage → ratings",
      "reviews → ratings",
      "unknown → ratings",
    ]);
  });

  test("istiod's metrics with the pod label Kiali reads, and the mesh alerts as its exposition makes them", async () => {
    expect(await query('pilot_xds{job="istiod", pod="istiod-7d4f5b7c6-8kq2w"}')).toHaveLength(1);
    const { data } = await getJson(`${base}/api/v1/alerts`);
    const names = new Set((data.alerts as Json[]).map((a) => a.labels.alertname));
    // The rejects counter appeared within the last 10 minutes: its value is the increase.
    expect(names.has("IstioConfigRejected")).toBe(true);
    expect(names.has("IstioSidecarsMissing")).toBe(false);
    expect(names.has("IstiodTargetMissing")).toBe(false);
  });
});
