// A target that explodes past its sample_limit, through the real Prometheus with the kind stack's
// config and rules as rendered: stats-service with its own limit of 1,000 (apps.services[].sampleLimit),
// its Service discovered as an EndpointSlice announces it and sent to a local server. Only the
// scrape-limit alerts' `for` is shortened (metrics.alerts.overrides, as a stack file would), and the
// scrape and evaluation intervals are a second, so the test waits seconds, not minutes.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ScrapeConfig } from "../../components/common/prometheusTypes";
import { KubeObject } from "../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { exposition } from "../kit/expositions/index";
import { getJson } from "../kit/http";
import { LocalHttpServer, listen } from "../kit/httpServers";
import { Json } from "../kit/json";
import { startRenderedPrometheus } from "../kit/localServers";
import { Servers, eventually } from "../kit/processes";
import { configSetJson, configSetPath } from "../kit/userEdits";
import { metricTotal } from "../../scripts/benchLoad/telemetry";

const SERVICE = { name: "stats-service", port: "3004", index: 4 };
const LIMIT = 1000;
const POD = "stats-service-6d5f8b7c9-r2x4m";
/** What Spring Boot with percentile histograms prints (238 samples), the app's ordinary size. */
const SPRING = exposition("spring-boot-percentiles-histogram");

/** The app's exposition with `extra` more series of a counter labelled by user: the explosion. */
function explodedBy(extra: number): string {
  const lines = Array.from({ length: extra }, (_, i) => `ticket_views_total{user_id="u${i}"} ${i % 7}`);
  return [
    SPRING.trimEnd(),
    "# HELP ticket_views_total Ticket views",
    "# TYPE ticket_views_total counter",
    ...lines,
    "",
  ].join("\n");
}

async function renderLimitedStack(): Promise<readonly KubeObject[]> {
  const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
  const shortly = { for: "2s" };
  const edited = configSetJson(
    configSetPath(config, `apps.services.${SERVICE.index}.sampleLimit`, String(LIMIT)),
    "metrics.alerts.overrides",
    {
      ScrapeSamplesNearLimit: shortly,
      ScrapeSampleLimitExceeded: shortly,
      ScrapeLabelLimitExceeded: shortly,
    },
  );
  const services = JSON.parse(edited["observability:apps"]) as Json;
  expect(services.services[SERVICE.index].name).toBe(SERVICE.name);
  return (await renderWithConfig("kind", edited, secretKeys)).objects;
}

describe("a target past its sample_limit, through the real Prometheus with the rendered config and rules", () => {
  const servers = new Servers();
  let app: LocalHttpServer;
  let body = SPRING;
  let dir: string;
  let base: string;
  let job: ScrapeConfig;

  async function query(expr: string): Promise<Json[]> {
    const { data } = await getJson(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return data.result as Json[];
  }
  const valueOf = async (expr: string) => {
    const [first] = await query(expr);
    return first === undefined ? undefined : Number(first.value[1]);
  };
  /** `up` of the app's first scrape that started a second or more after `since` (ms). */
  const upAfter = (since: number) =>
    eventually(async () => {
      const started = await valueOf(`timestamp(up{service="${SERVICE.name}"})`);
      return started !== undefined && started * 1000 > since + 1000
        ? valueOf(`up{service="${SERVICE.name}"}`)
        : undefined;
    }, "a scrape of the app after its exposition changed");
  const alertsNamed = async (name: string) => {
    const { data } = await getJson(`${base}/api/v1/alerts`);
    return (data.alerts as Json[]).filter((a) => a.labels.alertname === name);
  };

  beforeAll(async () => {
    const objects = await renderLimitedStack();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "scrape-limits-"));
    app = await listen((_, response) => {
      response.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
      response.end(body);
    });
    ({ base } = await startRenderedPrometheus(servers, objects, dir, (generated, port) => {
      const own = generated.scrape_configs.find((j) => j.job_name.endsWith(`-samples-${LIMIT}`));
      if (own === undefined) throw new Error("no job of stats-service's own limit was rendered");
      job = own;
      // Prometheus' own job, for the counter of label-limit refusals: at the port it listens on here.
      const self = generated.scrape_configs.find((j) => j.job_name === "prometheus")!;
      return {
        global: { ...generated.global, scrape_interval: "1s", evaluation_interval: "1s" },
        // The scrape-limit alerts' file alone; alerts are read from the API, not sent anywhere.
        rule_files: generated.rule_files.filter((file) => file.endsWith("/self-monitoring.yaml")),
        scrape_configs: [
          {
            ...self,
            scrape_interval: "1s",
            static_configs: self.static_configs!.map((group) => ({
              ...group,
              targets: [`127.0.0.1:${port}`],
            })),
          },
          {
            ...own,
            kubernetes_sd_configs: undefined,
            scrape_interval: "1s",
            static_configs: [
              {
                targets: [`127.0.0.1:${app.port}`],
                labels: {
                  __meta_kubernetes_namespace: "tiketi-spring",
                  __meta_kubernetes_service_name: SERVICE.name,
                  __meta_kubernetes_endpointslice_port: SERVICE.port,
                  __meta_kubernetes_pod_name: POD,
                  __meta_kubernetes_pod_node_name: "kind-control-plane",
                },
              },
            ],
          },
        ],
      };
    }));
  });

  afterAll(async () => {
    await servers.stopAll();
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the app's own job carries its limit and the default label limit; Prometheus reports the limit per target", async () => {
    expect([job.sample_limit, job.label_limit]).toEqual([LIMIT, 64]);
    await eventually(
      async () => ((await valueOf(`up{service="${SERVICE.name}"}`)) === 1 ? true : undefined),
      "the app's first scrape",
    );
    expect(await valueOf(`scrape_sample_limit{service="${SERVICE.name}"}`)).toBe(LIMIT);
    expect(await valueOf(`scrape_samples_post_metric_relabeling{service="${SERVICE.name}"}`)).toBe(238);
    expect(await query('count({__name__=~"jvm_.+", service="stats-service"})')).toHaveLength(1);
  });

  test("at 85 % of its limit it is still stored whole, and ScrapeSamplesNearLimit fires for it", async () => {
    const since = Date.now();
    body = explodedBy(LIMIT * 0.85 - 238);
    expect(await upAfter(since)).toBe(1);
    expect(await valueOf(`count(ticket_views_total{service="${SERVICE.name}"})`)).toBe(LIMIT * 0.85 - 238);
    const [near] = await eventually(async () => {
      const firing = (await alertsNamed("ScrapeSamplesNearLimit")).filter((a) => a.state === "firing");
      return firing.length > 0 ? firing : undefined;
    }, "ScrapeSamplesNearLimit to fire");
    expect(near.labels).toMatchObject({
      job: job.job_name,
      service: SERVICE.name,
      pod: POD,
      severity: "warning",
    });
    expect(Number(near.value)).toBeCloseTo(0.85, 5);
    expect(await alertsNamed("ScrapeSampleLimitExceeded")).toEqual([]);
  });

  test("past it Prometheus refuses the whole scrape: up 0, the refusal counted, nothing of it stored, and ScrapeSampleLimitExceeded fires naming it", async () => {
    const refusedBefore = await metricTotal(
      `${base}/metrics`,
      "prometheus_target_scrapes_exceeded_sample_limit",
    );
    const since = Date.now();
    const exposed = 5000;
    body = explodedBy(exposed - 238);
    expect(await upAfter(since)).toBe(0);
    expect(
      await metricTotal(`${base}/metrics`, "prometheus_target_scrapes_exceeded_sample_limit"),
    ).toBeGreaterThan(refusedBefore);
    // The scrape's own series are written; what the target would have stored is counted, not stored.
    expect(await valueOf(`scrape_samples_post_metric_relabeling{service="${SERVICE.name}"}`)).toBe(exposed);
    expect(await valueOf(`scrape_sample_limit{service="${SERVICE.name}"}`)).toBe(LIMIT);
    // No sample of a refused scrape is stored: the newest of the app's own series is from before it.
    // (Prometheus 3.5 marks stale only the series past the first 1,000 of the refused exposition, so
    // these still read as their last value for the 5-minute lookback.)
    const refusedAt = await valueOf(`timestamp(up{service="${SERVICE.name}"})`);
    const stored = await query(`{service="${SERVICE.name}", __name__!~"up|scrape_.+|ALERTS.*"}[1m]`);
    expect(stored).toHaveLength(LIMIT * 0.85);
    const newest = Math.max(
      ...stored.flatMap((series) => (series.values as [number, string][]).map(([t]) => t)),
    );
    expect(newest).toBeLessThan(refusedAt!);
    expect(await valueOf(`count(ticket_views_total{service="${SERVICE.name}"})`)).toBe(LIMIT * 0.85 - 238);
    const { data } = await getJson(`${base}/api/v1/targets?state=active`);
    const target = (data.activeTargets as Json[]).find((t) => t.labels.service === SERVICE.name)!;
    expect([target.health, target.lastError]).toEqual(["down", "sample limit exceeded"]);

    const [exceeded] = await eventually(async () => {
      const firing = (await alertsNamed("ScrapeSampleLimitExceeded")).filter((a) => a.state === "firing");
      return firing.length > 0 ? firing : undefined;
    }, "ScrapeSampleLimitExceeded to fire");
    expect(exceeded.labels).toEqual({
      alertname: "ScrapeSampleLimitExceeded",
      severity: "critical",
      job: job.job_name,
      instance: `127.0.0.1:${app.port}`,
      namespace: "tiketi-spring",
      pod: POD,
      node: "kind-control-plane",
      service: SERVICE.name,
      tier: "app",
    });
    expect(Number(exceeded.value)).toBe(exposed / LIMIT);
    expect(exceeded.annotations.summary).toBe(
      `${job.job_name} at 127.0.0.1:${app.port} is past its sample_limit: its scrapes are refused`,
    );
    // The near-limit warning gives way to it.
    await eventually(
      async () => ((await alertsNamed("ScrapeSamplesNearLimit")).length === 0 ? true : undefined),
      "ScrapeSamplesNearLimit to resolve",
    );
  });

  test("a series with more labels than label_limit has the whole scrape refused, and ScrapeLabelLimitExceeded names the target", async () => {
    const counter = "prometheus_target_scrape_pool_exceeded_label_limits";
    const refusedBefore = await metricTotal(`${base}/metrics`, counter);
    const since = Date.now();
    // 60 labels of its own, beside the job's 7 target labels and its name: 68, past the default 64.
    const wide = Array.from({ length: 60 }, (_, i) => `l${i}="v"`).join(",");
    body = [
      SPRING.trimEnd(),
      "# TYPE checkout_attempts_total counter",
      `checkout_attempts_total{${wide}} 1`,
      "",
    ].join("\n");
    expect(await upAfter(since)).toBe(0);
    expect(await metricTotal(`${base}/metrics`, counter)).toBeGreaterThan(refusedBefore);
    const { data } = await getJson(`${base}/api/v1/targets?state=active`);
    const target = (data.activeTargets as Json[]).find((t) => t.labels.service === SERVICE.name)!;
    expect(target.lastError).toMatch(
      /^label_limit exceeded \(metric: checkout_attempts_total, number of labels: 68, limit: 64\)$/,
    );
    const [refused] = await eventually(async () => {
      const firing = (await alertsNamed("ScrapeLabelLimitExceeded")).filter((a) => a.state === "firing");
      return firing.length > 0 ? firing : undefined;
    }, "ScrapeLabelLimitExceeded to fire");
    expect(refused.labels).toMatchObject({
      job: job.job_name,
      instance: `127.0.0.1:${app.port}`,
      service: SERVICE.name,
      severity: "critical",
    });
    // Prometheus itself answers whole, so it is not named.
    expect((await alertsNamed("ScrapeLabelLimitExceeded")).map((a) => a.labels.job)).toEqual([job.job_name]);
  });
});
