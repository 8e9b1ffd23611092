// Teams' scrape jobs with the real tools: a real Prometheus runs a team's basic-auth job exactly as
// rendered (password read from the mounted Secret's file), and Alloy's own parser accepts the
// ServiceMonitor/PodMonitor scraper's configuration.
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { KubeObject } from "../../render/manifest";
import { renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { getJson } from "../kit/http";
import { Servers, eventually } from "../kit/processes";
import { configMapData, objectNamed } from "../kit/rendered";
import { startRenderedPrometheus } from "../kit/localServers";
import { tools } from "../kit/tools";
import { EXTEND_DIR, EXTENDED_STACK } from "../support/extendedStack";
import { Json } from "../kit/json";

const run = promisify(execFile);
const PASSWORD = "billing-scrape-password-7f3a";

/** The scrape stack with a real password, as `pulumi config set --secret` would hand it over. */
async function renderScrapeStack(): Promise<readonly KubeObject[]> {
  const { config, secretKeys } = readStackFile(EXTENDED_STACK, EXTEND_DIR);
  const metrics = JSON.parse(config["observability:metrics"]) as Json;
  metrics.extraScrapeConfigs[1].basic_auth.password = PASSWORD;
  const { objects } = await renderWithConfig(
    "scrape-live",
    { ...config, "observability:metrics": JSON.stringify(metrics) },
    secretKeys,
  );
  return objects;
}

/** postgres_exporter's own exposition, behind basic auth at the job's path, recording what it was asked. */
function billingExporter() {
  const requests: { url: string; authorized: boolean }[] = [];
  const expected = `Basic ${Buffer.from(`prometheus:${PASSWORD}`).toString("base64")}`;
  const server = http.createServer((req, res) => {
    const authorized = req.headers.authorization === expected;
    requests.push({ url: req.url ?? "", authorized });
    if (!authorized) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="metrics"' });
      res.end();
      return;
    }
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
    res.end(
      [
        "# HELP pg_up Whether the last scrape of metrics from PostgreSQL was able to connect to the server (1 for yes, 0 for no).",
        "# TYPE pg_up gauge",
        "pg_up 1",
        "",
      ].join("\n"),
    );
  });
  return new Promise<{ port: number; requests: typeof requests; close: () => Promise<void> }>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        requests,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

describe("a real Prometheus runs the team's basic-auth job as rendered", () => {
  let dir: string;
  let exporter: Awaited<ReturnType<typeof billingExporter>>;
  const servers = new Servers();
  let base: string;

  beforeAll(async () => {
    const objects = await renderScrapeStack();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "extra-scrape-"));
    exporter = await billingExporter();
    // Only the team's job, its Service address replaced by the local stand-in: everything else
    // (path, params, auth, labels) is as rendered.
    ({ base } = await startRenderedPrometheus(servers, objects, dir, (generated) => {
      const job = generated.scrape_configs.find((j) => j.job_name === "billing-legacy");
      return {
        ...generated,
        rule_files: [],
        scrape_configs: [
          {
            ...job!,
            scrape_interval: "1s",
            static_configs: job!.static_configs!.map((group) => ({
              ...group,
              targets: [`127.0.0.1:${exporter.port}`],
            })),
          },
        ],
      };
    }));
  });

  afterAll(async () => {
    await servers.stopAll();
    await exporter?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the target is up with the password from its file, at the job's path and params, labelled tier=app", async () => {
    const target = await eventually(async () => {
      const { data } = await getJson(`${base}/api/v1/targets?state=active`);
      return (data.activeTargets as Json[]).find(
        (t) => t.labels.job === "billing-legacy" && t.health === "up",
      );
    }, "the billing-legacy target to be up");
    expect(target.labels).toMatchObject({ job: "billing-legacy", team: "billing", tier: "app" });
    expect(target.scrapeUrl).toBe(`http://127.0.0.1:${exporter.port}/internal/metrics?format=prometheus`);
    expect(exporter.requests.length).toBeGreaterThan(0);
    expect(exporter.requests.every((r) => r.authorized)).toBe(true);
    expect(exporter.requests[0].url).toBe("/internal/metrics?format=prometheus");
    const { data } = await getJson(
      `${base}/api/v1/query?query=${encodeURIComponent('pg_up{job="billing-legacy"}')}`,
    );
    expect(data.result).toHaveLength(1);
    expect(data.result[0].metric).toMatchObject({ team: "billing", tier: "app" });
  });
});

test("Alloy validates the monitor scraper's configuration at the rendered stability level", async () => {
  const objects = await renderScrapeStack();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "monitor-scraper-"));
  try {
    const file = path.join(dir, "config.alloy");
    fs.writeFileSync(file, configMapData(objects, "monitor-scraper-config")["config.alloy"]);
    const args = objectNamed(objects, "Deployment", "monitor-scraper").spec.template.spec.containers[0]
      .args as string[];
    const stability = args.filter((arg) => arg.startsWith("--stability.level="));
    expect(stability).toHaveLength(1);
    // Exit code 0: every component exists at that level and takes these arguments.
    await run(tools.alloy(), ["validate", ...stability, file]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
