import * as yaml from "js-yaml";
import { springPodExposition, uriTemplates } from "../../../scripts/benchLoad/springPod";
import { ScrapeJob, ScrapeTargets, capturedNow, keptServices } from "../../../scripts/benchLoad/targets";
import { rendered } from "../../support/renderedStacks";
import { exposition, samples } from "../../kit/expositions/index";
import { configMapData } from "../../kit/rendered";
import { Json } from "../../kit/json";

test("a bench pod exposes the Spring Boot fixture with its request timer on ten URI templates: 1,534 series", () => {
  const pod = samples(springPodExposition("ticket-service"));
  const fixture = samples(exposition("spring-boot-percentiles-histogram"));
  expect(pod).toHaveLength(1534);
  const timer = pod.filter((s) => s.name.startsWith("http_server_requests_seconds"));
  // The catch-all of unmatched requests stays one tag set; the two real ones repeat per template.
  expect(new Set(timer.map((s) => s.labels.uri))).toEqual(
    new Set(["/**", ...uriTemplates("ticket-service")]),
  );
  expect(timer.filter((s) => s.labels.uri === "/api/tickets/{id}/reserve")).toHaveLength(
    fixture.filter((s) => s.name.startsWith("http_server_requests_seconds") && s.labels.uri !== "/**").length,
  );
  // Everything but the timer is the fixture's, unchanged.
  expect(pod.filter((s) => !s.name.startsWith("http_server_requests_seconds"))).toEqual(
    fixture.filter((s) => !s.name.startsWith("http_server_requests_seconds")),
  );
});

test("the node_exporter and kube-state-metrics fixtures parse as expositions of realistic size", () => {
  expect(samples(exposition("node-exporter")).length).toBeGreaterThan(500);
  expect(samples(exposition("kube-state-metrics")).length).toBeGreaterThan(1500);
});

describe.each(["kind", "prod"] as const)("the %s render's scrape jobs in the bench", (stack) => {
  let jobs: ScrapeJob[];
  beforeAll(async () => {
    const { objects } = await rendered(stack);
    jobs = (yaml.load(configMapData(objects, "prometheus-config")["prometheus.yml"]) as Json).scrape_configs;
  });

  test("the targets are the eight reference services the services job keeps", () => {
    const job = jobs.find((j) => /^services-/.test(j.job_name)) as ScrapeJob;
    expect(keptServices(job).map((k) => `${k.service}:${k.port}`)).toEqual([
      "auth-service:3005",
      "gateway-service:3001",
      "ticket-service:3002",
      "payment-service:3003",
      "stats-service:3004",
      "queue-service:3007",
      "community-service:3008",
      "catalog-service:3009",
    ]);
  });

  test("only discovery is replaced: the rendered relabel rules, paths and intervals stay", () => {
    const configs = new ScrapeTargets(jobs, "/tmp/bench").scrapeConfigs() as Json[];
    expect(configs.map((c) => c.job_name)).toEqual([
      "services-actuator-prometheus-10s",
      "node-exporter",
      "kube-state-metrics",
    ]);
    for (const config of configs) {
      const job = jobs.find((j) => j.job_name === config.job_name) as ScrapeJob;
      expect(config).not.toHaveProperty("kubernetes_sd_configs");
      expect(config.relabel_configs).toEqual(job.relabel_configs);
      expect(config.scrape_interval).toEqual(job.scrape_interval);
      expect(config.file_sd_configs[0].files[0]).toBe(`/tmp/bench/targets-${job.job_name}.json`);
    }
  });
});

test("the kube-state-metrics capture is served as if taken now: its newest object created now, its CronJob's next run still ahead", () => {
  const now = 1_900_000_000;
  const captured = samples(exposition("kube-state-metrics"));
  const served = samples(capturedNow(exposition("kube-state-metrics"), now));
  const value = (list: typeof served, name: string) => list.find((s) => s.name === name)!.value;
  expect(Math.max(...served.filter((s) => s.name.endsWith("_created")).map((s) => s.value))).toBe(now);
  const nextRun = value(served, "kube_cronjob_next_schedule_time");
  expect(nextRun).toBeGreaterThan(now);
  expect(nextRun - now).toBeLessThanOrEqual(3600);
  // Every time moves by one offset; everything else is the capture's.
  const offset = now - Math.max(...captured.filter((s) => s.name.endsWith("_created")).map((s) => s.value));
  served.forEach((s, i) => {
    const moved = /_(created|time|timestamp)$/.test(s.name);
    expect(s.value).toBe(captured[i].value + (moved ? offset : 0));
  });
});
