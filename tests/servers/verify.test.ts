// `npm run verify`'s checks against the servers the server tests boot with the kind render:
// Prometheus (scraping the real Alertmanager, the Loki stand-in, the collector and itself; the jobs
// whose servers cannot run here scrape a Micrometer exposition stand-in), Alertmanager, the Loki
// stand-in (tests/kit/lokiStandIn.ts: Loki is AGPL and not built here), the collector with the OTLP
// sink in Tempo's place, and a Grafana stand-in (Grafana 12 cannot be
// built here; tests/kit/grafanaStandIn.ts answers its health, proxy and search APIs with the
// shapes Grafana returns). A healthy stack passes; each failure verify must report is made for
// real (a target on a closed port, a datasource whose backend is unreachable, Loki without lines)
// and must come out as its line with its fix.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { KubeObject } from "../../render/manifest";
import { Finding, exitCode, findingLine } from "../../scripts/cli/findings";
import { CheckContext, verifyChecks } from "../../scripts/verify/checkList";
import { runChecks } from "../../scripts/verify/checks";
import { EndpointName, VerifyExpectations, verifyExpectations } from "../../scripts/verify/expectations";
import { rendered, stackConfig } from "../support/renderedStacks";
import { startAlertmanager } from "../kit/alertmanager";
import { GrafanaStandIn, startGrafanaStandIn } from "../kit/grafanaStandIn";
import { postJson } from "../kit/http";
import { LocalHttpServer, springActuator } from "../kit/httpServers";
import { Running, Servers, eventually, freePort } from "../kit/processes";
import { configMapData } from "../kit/rendered";
import {
  LocalCollector,
  startBackends,
  startCollector,
  startLoki,
  startPrometheus,
} from "../kit/localServers";
import { LokiStandIn } from "../kit/lokiStandIn";

const PASSWORD = "verify-test-password";
const servers = new Servers();
let dir: string;
let objects: readonly KubeObject[];
let expected: VerifyExpectations;
let alertmanager: Running;
let loki: LokiStandIn;
let prometheus: Running;
let promDir: string;
let collector: LocalCollector;
let tempo: string;
let backends: Awaited<ReturnType<typeof startBackends>>;
let exposition: LocalHttpServer;
let grafana: GrafanaStandIn;
let appPods = 0;
const transcript: string[] = [];

const host = (base: string) => new URL(base).host;

/** The stack's scrape jobs on local servers: the real one where it runs here, else the stand-in. */
function scrapeJobs(down: readonly string[]): Record<string, unknown>[] {
  const real: Record<string, string> = {
    prometheus: host(prometheus.base),
    alertmanager: host(alertmanager.base),
    loki: host(loki.base),
    "otel-collector": `127.0.0.1:${collector.ports.get(8888)}`,
  };
  return [...expected.stackJobs, ...expected.otherJobs].map((job) => ({
    job_name: job,
    scrape_interval: "1s",
    ...(job in real ? {} : { metrics_path: "/actuator/prometheus" }),
    static_configs: [
      {
        targets: [
          down.includes(job) ? `127.0.0.1:${closedPort}` : (real[job] ?? `127.0.0.1:${exposition.port}`),
        ],
      },
    ],
  }));
}
let closedPort: number;

/** Prometheus configured as in the render (its rules, Alertmanager) with local targets, reloaded. */
function configurePrometheus(down: readonly string[] = []): void {
  const renderedConfig = yaml.load(configMapData(objects, "prometheus-config")["prometheus.yml"]) as Record<
    string,
    unknown
  >;
  const rulesDir = path.join(promDir, "rules");
  fs.mkdirSync(rulesDir, { recursive: true });
  fs.writeFileSync(
    path.join(rulesDir, "self-monitoring.yaml"),
    configMapData(objects, "prometheus-rules")["self-monitoring.yaml"],
  );
  fs.writeFileSync(
    path.join(promDir, "prometheus.yml"),
    yaml.dump({
      global: renderedConfig.global,
      rule_files: [path.join(rulesDir, "self-monitoring.yaml")],
      alerting: {
        alertmanagers: [{ api_version: "v2", static_configs: [{ targets: [host(alertmanager.base)] }] }],
      },
      scrape_configs: scrapeJobs(down),
    }),
  );
  prometheus.server.process.kill("SIGHUP");
}

const context = (): CheckContext => {
  const urls: Record<EndpointName, string> = {
    prometheus: prometheus.base,
    alertmanager: alertmanager.base,
    loki: loki.base,
    collectorOtlpHttp: `http://127.0.0.1:${collector.ports.get(4318)}`,
    collectorTelemetry: `http://127.0.0.1:${collector.ports.get(8888)}`,
    tempo,
    grafana: grafana.base,
  };
  return {
    stack: "kind",
    namespace: "observability",
    expected: {
      ...expected,
      logs: { ...expected.logs, tenant: loki.tenant === "fake" ? undefined : loki.tenant },
    },
    endpoints: { url: (name) => Promise.resolve(urls[name]) },
    runningAppPods: () => Promise.resolve(appPods),
    grafanaPassword: () => Promise.resolve(PASSWORD),
  };
};

/** The named checks, run as `npm run verify` runs them (retried until `waitMs` has passed). */
async function verify(
  label: string,
  names: readonly string[],
  waitMs: number,
  keep = true,
): Promise<Finding[]> {
  const checks = verifyChecks(context()).filter((c) => names.includes(c.name));
  const findings = await runChecks(checks, {
    deadline: Date.now() + waitMs,
    intervalMs: 1000,
    progress: (line) => keep && transcript.push(line),
  });
  if (keep) {
    transcript.push(`--- ${label} (exit ${exitCode(findings)})\n${findings.map(findingLine).join("\n")}`);
  }
  return findings;
}

const ALL = [
  "Prometheus targets",
  "Alertmanager cluster",
  "Watchdog",
  "Loki",
  "collector and Tempo",
  "Grafana",
];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-"));
  objects = (await rendered("kind")).objects;
  expected = verifyExpectations(stackConfig("kind"), objects);
  closedPort = await freePort();
  exposition = await springActuator("exposition-stand-in");
  alertmanager = await startAlertmanager(servers, objects, dir);
  loki = await startLoki(servers, objects);
  promDir = path.join(dir, "prometheus");
  prometheus = await startPrometheus(servers, objects, dir, { directory: promDir });
  backends = await startBackends(servers, objects, dir, "otel-collector-config");
  tempo = backends.sink.base;
  collector = await startCollector(
    servers,
    "otel-collector",
    configMapData(objects, "otel-collector-config")["config.yaml"],
    dir,
    {
      tempo: backends.sink.grpc,
      prometheus: backends.prometheus,
    },
  );
  grafana = await startGrafanaStandIn({
    user: expected.grafana.adminUser,
    password: PASSWORD,
    folder: expected.dashboards.folder,
    dashboards: expected.dashboards.list,
    datasources: {
      prometheus: { type: "prometheus", url: prometheus.base },
      loki: { type: "loki", url: loki.base },
      tempo: { type: "tempo", url: tempo },
      alertmanager: { type: "alertmanager", url: alertmanager.base },
    },
  });
  configurePrometheus();
}, 240000);

afterAll(async () => {
  process.stdout.write(`npm run verify against the local servers:\n${transcript.join("\n")}\n`);
  await grafana?.close();
  await exposition?.close();
  await servers.stopAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("Loki without lines while app pods run is reported with its fix", async () => {
  appPods = 2;
  const findings = await verify("Loki not receiving", ["Loki"], 0);
  expect(findings).toEqual([
    expect.objectContaining({
      status: "blocking",
      message: expect.stringMatching(
        /^Loki receives no lines from Alloy: none from tiketi-spring, observability-demo in the last 15m, though 2 pod\(s\) run there$/,
      ),
      fix: expect.stringContaining("kubectl -n observability logs statefulset/alloy | grep -i error"),
    }),
  ]);
  appPods = 0;
  const idle = await verify("Loki, no app pod yet", ["Loki"], 0);
  expect(idle).toEqual([
    expect.objectContaining({
      status: "warning",
      message: expect.stringContaining("no pod runs in tiketi-spring, observability-demo yet"),
    }),
  ]);
});

test("a healthy stack passes every check, exit code 0", async () => {
  // A line as Alloy pushes it from an app pod: the labels its relabel rules set.
  await postJson(
    `${loki.base}/loki/api/v1/push`,
    {
      streams: [
        {
          stream: {
            namespace: "tiketi-spring",
            app: "ticket-service",
            pod: "ticket-service-7d9f8-abcde",
            container: "ticket-service",
            cluster: "observability",
          },
          values: [
            [
              `${BigInt(Date.now()) * 1_000_000n}`,
              " INFO [ticket-service,,] 1 --- [main] c.t.TicketApplication : Started TicketApplication in 4.2 seconds",
            ],
          ],
        },
      ],
    },
    loki.headers,
  );
  appPods = 1;
  const findings = await verify("healthy", ALL, 90000);
  expect(findings.filter((f) => f.status !== "ok")).toEqual([]);
  expect(exitCode(findings)).toBe(0);
  const text = findings.map(findingLine).join("\n");
  expect(text).toContain(
    `every target of the stack is up (${expected.stackJobs.map((j) => `${j} 1/1`).join(", ")})`,
  );
  expect(text).toContain("Alertmanager runs as one replica, clustering off");
  expect(text).toMatch(/the Watchdog alert reaches Alertmanager \(active\)/);
  expect(text).toMatch(/Loki is ready and received [1-9]\d* line\(s\) from Alloy/);
  expect(text).toMatch(
    /the collector receives and exports: the probe span went through \([1-9]\d* accepted, [1-9]\d* sent, 0 failed/,
  );
  expect(text).toContain("Tempo is ready");
  for (const ds of expected.datasources) {
    expect(text).toContain(`Grafana datasource ${ds.name} (uid ${ds.uid}) is healthy`);
  }
  expect(text).toContain(
    `Grafana folder ${expected.dashboards.folder} holds all ${expected.dashboards.list.length} dashboards`,
  );
});

test("a target down is named with the scrape's last error and the NetworkPolicy fix", async () => {
  configurePrometheus(["node-exporter"]);
  await eventually(
    async () => {
      const findings = await verify("node-exporter on a closed port", ["Prometheus targets"], 0, false);
      return findings.some((f) => f.status === "blocking" && f.message.includes("down")) ? true : undefined;
    },
    "the node-exporter target to be down",
    30000,
  );
  const findings = await verify("node-exporter on a closed port", ["Prometheus targets"], 0);
  expect(findings.filter((f) => f.status === "blocking")).toEqual([
    expect.objectContaining({
      message: expect.stringMatching(
        new RegExp(
          `^target node-exporter http://127\\.0\\.0\\.1:${closedPort}/actuator/prometheus down: .*connection refused`,
        ),
      ),
      fix: expect.stringContaining("check the NetworkPolicy that lets Prometheus reach node-exporter"),
    }),
  ]);
  expect(exitCode(findings)).toBe(1);
  configurePrometheus();
});

test("a datasource whose backend is unreachable is reported with Grafana's error and its fix", async () => {
  grafana.datasources.set("loki", { type: "loki", url: `http://127.0.0.1:${closedPort}` });
  const findings = await verify("Loki datasource unreachable", ["Grafana"], 0);
  grafana.datasources.set("loki", { type: "loki", url: loki.base });
  expect(findings.filter((f) => f.status === "blocking")).toEqual([
    expect.objectContaining({
      message: expect.stringMatching(
        new RegExp(
          `^Grafana datasource Loki \\(uid loki\\) is unhealthy \\(400\\): Get "http://127\\.0\\.0\\.1:${closedPort}/loki/api/v1/labels": .*ECONNREFUSED`,
        ),
      ),
      fix: expect.stringContaining("Grafana cannot query http://loki.observability.svc:3100"),
    }),
  ]);
  expect(findings.filter((f) => f.status === "ok")).toHaveLength(expected.datasources.length);
});

test("a Grafana that refuses the Secret's password says so, once", async () => {
  const findings = await runChecks(
    verifyChecks({ ...context(), grafanaPassword: () => Promise.resolve("changed-in-the-ui") }).filter(
      (c) => c.name === "Grafana",
    ),
    { deadline: Date.now() },
  );
  transcript.push(`--- Grafana password changed in the UI\n${findings.map(findingLine).join("\n")}`);
  expect(findings).toEqual([
    {
      status: "blocking",
      message: "Grafana refuses the admin login of user admin with the password in the stack's Secret (401)",
      fix: expect.stringContaining("kubectl -n observability rollout restart statefulset/grafana"),
    },
  ]);
});

test("a collector that cannot export is reported, the probe span accepted but not sent", async () => {
  // The collector's Tempo is the sink; a second collector pointed at a closed port stands for Tempo unreachable.
  const stuck = await startCollector(
    servers,
    "otel-collector-stuck",
    configMapData(objects, "otel-collector-config")["config.yaml"],
    dir,
    {
      tempo: `127.0.0.1:${closedPort}`,
      prometheus: backends.prometheus,
    },
  );
  const base = context();
  const findings = await runChecks(
    verifyChecks({
      ...base,
      exportWithinMs: 8000,
      endpoints: {
        url: (name) =>
          name === "collectorOtlpHttp"
            ? Promise.resolve(`http://127.0.0.1:${stuck.ports.get(4318)}`)
            : name === "collectorTelemetry"
              ? Promise.resolve(`http://127.0.0.1:${stuck.ports.get(8888)}`)
              : base.endpoints.url(name),
      },
    }).filter((c) => c.name === "collector and Tempo"),
    { deadline: Date.now() },
  );
  transcript.push(`--- collector cannot reach Tempo\n${findings.map(findingLine).join("\n")}`);
  expect(findings[0]).toEqual(
    expect.objectContaining({
      status: "blocking",
      message: expect.stringMatching(
        /^the collector accepted the probe span but exported nothing within 8 s/,
      ),
      fix: expect.stringContaining("NetworkPolicy from otel-collector to tempo:4317"),
    }),
  );
});
