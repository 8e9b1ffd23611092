// The rated load's series as a stack's rendered Prometheus keeps them: the bench's targets
// (benchLoad/targets.ts) scraped through the rendered jobs, the rendered rules evaluated on them.
import * as path from "path";
import * as yaml from "js-yaml";
import { KubeObject } from "../../render/manifest";
import { startAlertmanager } from "../../tests/kit/alertmanager";
import { Json } from "../../tests/kit/json";
import { startPrometheus } from "../../tests/kit/localServers";
import { Running, Servers } from "../../tests/kit/processes";
import { configMapData, containerEnv } from "../../tests/kit/rendered";
import { metricSettled } from "../../tests/kit/thanosCluster";
import { RATED, StackName } from "../benchLoad/load";
import { ScrapeJob, ScrapeTargets } from "../benchLoad/targets";
import { HistoryFamily } from "../../tests/kit/metricHistory";

const COUNTER = /_(total|count|sum|bucket)$/;

/** An API answer's data and its warnings (a store that timed out makes a partial answer). */
export async function post(
  url: string,
  params: Record<string, string>,
): Promise<{ data: unknown; warnings: string[] }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await response.json()) as Json;
  if (body.status !== "success") {
    throw new Error(`${url}: ${JSON.stringify(body).slice(0, 500)}`);
  }
  return { data: body.data as unknown, warnings: (body.warnings ?? []) as string[] };
}

/**
 * `measure` run on the rendered Prometheus of `stack` at its rated load, once every target is
 * scraped and every rule group has run (the series stop growing for 30 s).
 */
export async function atRatedLoad<T>(
  servers: Servers,
  objects: readonly KubeObject[],
  dir: string,
  stack: StackName,
  measure: (prometheus: Running) => Promise<T>,
): Promise<T> {
  const alertmanager = await startAlertmanager(servers, objects, dir);
  const rendered = yaml.load(configMapData(objects, "prometheus-config")["prometheus.yml"]) as {
    scrape_configs: ScrapeJob[];
  };
  const targets = new ScrapeTargets(rendered.scrape_configs, dir);
  try {
    await targets.start(RATED[stack].nodes);
    await targets.scaleServices(RATED[stack].podsPerService);
    const prometheus = await startPrometheus(servers, objects, dir, {
      directory: path.join(dir, `rated-prometheus-${stack}`),
      scrapeConfigs: targets.scrapeConfigs(),
      alertmanager: alertmanager.base,
      env: containerEnv(objects, "prometheus"),
    });
    await metricSettled(
      prometheus.base,
      "prometheus_tsdb_head_series",
      "the rated load's series settling",
      30000,
      900000,
    );
    const result = await measure(prometheus);
    await prometheus.server.stop();
    return result;
  } finally {
    await alertmanager.server.stop();
    targets.close();
  }
}

/** Every series Prometheus holds from the last two minutes, its rules' among them. */
export async function heldSeries(prometheus: Running): Promise<Json[]> {
  const end = Math.floor(Date.now() / 1000);
  const { data } = await post(`${prometheus.base}/api/v1/series`, {
    "match[]": '{__name__=~".+"}',
    start: String(end - 120),
    end: String(end),
  });
  return data as Json[];
}

/** The series as history families from `from`: counters rise by a different slope each, gauges wander. */
export function families(series: readonly Json[], from: number, step: number): HistoryFamily[] {
  const byName = new Map<string, Record<string, string>[]>();
  for (const { __name__: name, ...labels } of series as Record<string, string>[]) {
    byName.set(name, [...(byName.get(name) ?? []), labels]);
  }
  return [...byName].map(([name, labels]) => ({
    name,
    type: "gauge",
    series: labels,
    value: COUNTER.test(name)
      ? (i: number, t: number) => ((t - from) / step) * (1 + (i % 7))
      : (i: number, t: number) => ((t / step + 31 * i) % 97) + (i % 13),
  }));
}
