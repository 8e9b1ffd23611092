// Load at a business SLO's burn-rate thresholds: demo-payments, run by the local `node` from the
// very JavaScript the kind render puts in its ConfigMap and with its rendered environment, fails a
// chosen share of its payments, first below and then above the page alert's burn rates of the kind
// stack's SLO over them. A real Prometheus scrapes it through the rendered app job and evaluates the
// SLO's rendered rule group, every duration in it (rate windows, `for`) divided by SPEEDUP: a
// minute stands for an hour. Its alerts go to the real Alertmanager of the kind render.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { RecordingRule, RuleFile, RuleGroup } from "../../components/common/prometheusTypes";
import { DEMO_PROGRAM_CONFIGMAP } from "../../components/demo/names";
import { CONFIGURED_SLO_ALERTS } from "../../components/metrics/configuredSlos";
import { BURN_RATES } from "../../components/metrics/sloEngine";
import { KubeObject } from "../../render/manifest";
import { startAlertmanager } from "../kit/alertmanager";
import { demoScrapeJob, renderedDemoEnv } from "../kit/demo";
import { getJson } from "../kit/http";
import { Json } from "../kit/json";
import { startPrometheus } from "../kit/localServers";
import { Running, Servers, freePort } from "../kit/processes";
import { configMapData } from "../kit/rendered";
import { rendered } from "../support/renderedStacks";
import { sleep } from "../kit/sleep";

const SERVICE = "demo-payments";
const SLO = "demo-payment-failures";
/** How many times faster than rendered the SLO's windows run: 1h becomes 60 s, 5m becomes 5 s. */
const SPEEDUP = 60;
const LOAD_PER_SECOND = "20";
/** Long enough for the page's 1h window (60 s here) to read the phase alone. */
const PHASE_SECONDS = 80;
/**
 * The 6x pair's short window (30m) divided by 60. Until a phase has run this long its windows hold
 * a few seconds of requests, and a few random failures among the first ones can burn past 6x on
 * their own (a rehearsal saw 8x at 10 s, at an offered 4x): the "below" phase is judged after it.
 */
const WARM_UP_SECONDS = 30;
/** The burn rates offered: below the page's lower factor, and above its higher one. */
const BELOW = 4;
const ABOVE = 18;

const SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const shortened = (duration: string) => {
  const [, n, unit] = /^(\d+)([smhd])$/.exec(duration)!;
  return `${(Number(n) * SECONDS[unit as keyof typeof SECONDS]) / SPEEDUP}s`;
};

/** The rendered rule group of the SLO's burn rates and alerts, every duration shortened, evaluated every second. */
function acceleratedRules(objects: readonly KubeObject[]): KubeObject[] {
  const files = configMapData(objects, "prometheus-rules");
  const group = Object.values(files)
    .flatMap((text) => (yaml.load(text) as RuleFile).groups)
    .find((g) => g.name === `slo/${SLO}`) as RuleGroup;
  const fast: RuleGroup = {
    ...group,
    interval: "1s",
    rules: group.rules.map((rule) => ({
      ...rule,
      expr: rule.expr.replace(/\[(\d+[smhd])\]/g, (_, d: string) => `[${shortened(d)}]`),
      ...("alert" in rule && rule.for !== undefined ? { for: shortened(rule.for) } : {}),
    })),
  };
  const [first] = Object.keys(files);
  return objects.map((o) =>
    o.kind === "ConfigMap" && o.metadata.name === "prometheus-rules"
      ? { ...o, data: { [first]: yaml.dump({ groups: [fast] }) } }
      : o,
  );
}

describe("load at the burn-rate thresholds of the demo's payment SLO (windows shortened 60 times)", () => {
  const servers = new Servers();
  let dir: string;
  let objects: readonly KubeObject[];
  let prometheus: Running;
  let alertmanager: Running;
  let port: number;
  let budget: number;

  const query = async (expr: string): Promise<Json[]> =>
    (await getJson(`${prometheus.base}/api/v1/query?query=${encodeURIComponent(expr)}`)).data
      .result as Json[];
  const value = async (expr: string): Promise<number | undefined> => {
    const [series] = await query(expr);
    return series === undefined ? undefined : Number(series.value[1]);
  };

  beforeAll(async () => {
    objects = (await rendered("kind")).objects;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "slo-load-"));
    const objective = Object.values(configMapData(objects, "prometheus-rules"))
      .flatMap((text) => (yaml.load(text) as RuleFile).groups.flatMap((g) => g.rules))
      .find(
        (r): r is RecordingRule =>
          "record" in r && r.record === "slo:objective:ratio" && r.labels?.slo === SLO,
      )!;
    budget = +(1 - Number(/vector\(([0-9.]+)\)/.exec(objective.expr)![1])).toFixed(10);
    fs.writeFileSync(path.join(dir, "demo.js"), configMapData(objects, DEMO_PROGRAM_CONFIGMAP)["demo.js"]);
    port = await freePort();
    alertmanager = await startAlertmanager(servers, objects, dir);
    prometheus = await startPrometheus(servers, acceleratedRules(objects), dir, {
      scrapeConfigs: [demoScrapeJob(objects, new Map([[SERVICE, port]]), "1s")],
      alertmanager: alertmanager.base,
    });
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Runs demo-payments failing `errorRatio` of its payments for PHASE_SECONDS; logs what was seen
   * every 5 s, and returns what was seen from `judgedFrom` seconds on.
   */
  async function phase(
    name: string,
    errorRatio: number,
    judgedFrom = 0,
  ): Promise<{ pageInPrometheus: string[]; pageInAlertmanager: boolean[] }> {
    const payments = await servers.start(
      process.execPath,
      [path.join(dir, "demo.js")],
      `http://127.0.0.1:${port}/actuator/health`,
      {
        env: {
          ...renderedDemoEnv(objects, SERVICE),
          PORT: String(port),
          DEMO_ERROR_RATIO: String(errorRatio),
          DEMO_LOAD_PER_SECOND: LOAD_PER_SECOND,
          // No collector here: spans are dropped.
          ZIPKIN_ENDPOINT: "http://127.0.0.1:9/api/v2/spans",
        },
      },
    );
    const seen = { pageInPrometheus: [] as string[], pageInAlertmanager: [] as boolean[] };
    const started = Date.now();
    while (Date.now() - started < PHASE_SECONDS * 1000) {
      await sleep(5000);
      const ratio = (w: string) => value(`slo:sli_error:ratio_rate${w}{slo="${SLO}"}`);
      const [offered, hour, sixHours] = await Promise.all([ratio("5m"), ratio("1h"), ratio("6h")]);
      const [alert] = await query(`ALERTS{alertname="${CONFIGURED_SLO_ALERTS.page}", slo="${SLO}"}`);
      const state = (alert?.metric.alertstate as string | undefined) ?? "inactive";
      const delivered = ((await getJson(`${alertmanager.base}/api/v2/alerts`)) as unknown as Json[]).some(
        (a) => a.labels.alertname === CONFIGURED_SLO_ALERTS.page && a.labels.slo === SLO,
      );
      const judged = Date.now() - started >= judgedFrom * 1000;
      if (judged) {
        seen.pageInPrometheus.push(state);
        seen.pageInAlertmanager.push(delivered);
      }
      const burn = (r: number | undefined) => (r === undefined ? "-" : (r / budget).toFixed(1));
      console.log(
        `${name} t=${Math.round((Date.now() - started) / 1000)}s offered ${errorRatio} errors; ratio 5m(5s) ${offered?.toFixed(3) ?? "-"}; burn 1h(60s) ${burn(hour)}, 6h(360s) ${burn(sixHours)}; page ${state}, in Alertmanager: ${delivered}${judged ? "" : " (warm-up, not judged)"}`,
      );
    }
    await payments.stop();
    return seen;
  }

  test("the page alert stays silent below its burn rates and fires above them, reaching Alertmanager", async () => {
    const factors = BURN_RATES.page.map((p) => p.factor);
    // Below both pairs (6x over 6h and 30m, 14.4x over 1h and 5m), then above both.
    expect(BELOW).toBeLessThan(Math.min(...factors));
    expect(ABOVE).toBeGreaterThan(Math.max(...factors));
    const below = await phase("below", +(BELOW * budget).toFixed(4), WARM_UP_SECONDS);
    expect(below.pageInPrometheus.filter((s) => s !== "inactive")).toEqual([]);
    expect(below.pageInAlertmanager.filter(Boolean)).toEqual([]);
    const above = await phase("above", +(ABOVE * budget).toFixed(4));
    expect(above.pageInPrometheus).toContain("firing");
    expect(above.pageInAlertmanager).toContain(true);
  }, 300000);
});
