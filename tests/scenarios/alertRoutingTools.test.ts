// Per-team alert routing checked by the real amtool and Alertmanager of the deployed version
// (v0.28.1): the stack file that uses every routing key (tests/unit/extend/Pulumi.extended.yaml) passes
// `amtool check-config`, every route sends a matching alert to exactly its receivers, and a real
// Alertmanager renders the notification templates into what Slack, Teams and a webhook receive.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { RECEIVERS } from "../../components/metrics/alertmanagerConfig";
import { parsePulumiConfig } from "../../config/load";
import { renderStack, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { renderWithAlerting, startAlertmanager, writeAlertmanagerFiles } from "../kit/alertmanager";
import { LocalHttpServer, webhookReceiver } from "../kit/httpServers";
import { Servers, eventually } from "../kit/processes";
import { configMapData } from "../kit/rendered";
import { tools } from "../kit/tools";
import { EXTEND_DIR, EXTENDED_STACK } from "../support/extendedStack";
import { Json } from "../kit/json";

const run = promisify(execFile);
describe("the routes stack file under amtool", () => {
  let dir: string;
  let configFile: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "routes-"));
    configFile = writeAlertmanagerFiles((await renderStack(EXTENDED_STACK, EXTEND_DIR)).objects, dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("amtool check-config accepts it: the platform's 4 receivers, the teams' 4 and the templates", async () => {
    const { stdout } = await run(tools.amtool(), ["check-config", configFile]);
    expect(stdout).toContain("SUCCESS");
    expect(stdout).toContain(" - 8 receivers");
    expect(stdout).toContain(" - 1 templates");
  });

  // One case per route of Pulumi.extended.yaml, plus the cases `continue` and the order decide.
  const ROUTE_CASES: readonly (readonly [string[], string])[] = [
    // continue: the payments team and the platform's severity receiver both get it.
    [["namespace=payments", "severity=critical", "alertname=ServiceDown"], "payments-oncall,critical"],
    [["namespace=payments", "severity=warning", "alertname=HighMemory"], "payments-oncall,warning"],
    // Without a severity, past the team's route (continue) to the last route: warning while
    // alerting.otherSeverities is unset.
    [["namespace=payments", "alertname=PaymentsBacklog"], "payments-oncall,warning"],
    // No continue: the data team takes its alerts, critical ones included.
    [["team=analytics", "severity=critical", "alertname=EtlStalled"], "data-team"],
    [["team=data", "severity=warning", "alertname=EtlSlow"], "data-team"],
    // The data team's route leaves info out, and no route reads it: the last route.
    [["team=data", "severity=info", "alertname=EtlNote"], RECEIVERS.warning],
    [["service=community-service", "severity=warning", "alertname=HighLatency"], "community-mail"],
    [["alertname=AuditLogGap", "severity=warning"], "audit-hook"],
    // An OpenSLO alert policy's notification target: its alert goes there first, and only there.
    [
      [
        "alertname=CheckoutFastBurn",
        "slo=checkout-availability",
        "service=payment-service",
        "severity=critical",
      ],
      "payments-oncall",
    ],
    // A Sloth spec's page, routed by the team label the spec gives it.
    [
      [
        "alertname=StatsAvailabilityBurn",
        "slo=stats-service-requests-availability",
        "team=analytics",
        "severity=critical",
      ],
      "data-team",
    ],
    // Routes above the teams' and below them keep working.
    [["alertname=Watchdog", "namespace=payments", "severity=none"], RECEIVERS.watchdog],
    [["service=ticket-service", "severity=critical", "alertname=ServiceDown"], RECEIVERS.critical],
  ];

  test("every route of the stack file has a case that reaches its receiver first", () => {
    const { config, secretKeys } = readStackFile(EXTENDED_STACK, EXTEND_DIR);
    const routes = parsePulumiConfig(config, secretKeys).alerting.routes;
    const reached = new Set(ROUTE_CASES.map(([, receivers]) => receivers.split(",")[0]));
    expect(routes.map((r) => r.receiver).filter((r) => !reached.has(r))).toEqual([]);
  });

  test.each(ROUTE_CASES)("amtool routes %j to exactly %s", async (labels, receivers) => {
    const { stdout } = await run(tools.amtool(), [
      "config",
      "routes",
      "test",
      `--config.file=${configFile}`,
      `--verify.receivers=${receivers}`,
      ...labels,
    ]);
    expect(stdout.trim()).toBe(receivers);
  });
});

/** The routes stack with its credentials replaced by local receivers, as `pulumi config set --secret` would hold them. */
async function renderRoutesTo(urls: Readonly<Record<"slack" | "teams" | "webhook", string>>) {
  const { config, secretKeys } = readStackFile(EXTENDED_STACK, EXTEND_DIR);
  const alerting = JSON.parse(config["observability:alerting"]) as Json;
  const receiver = (name: string) => (alerting.receivers as Json[]).find((r) => r.name === name) as Json;
  receiver("payments-oncall").slack[0].webhookUrl = urls.slack;
  receiver("data-team").msteams[0].webhookUrl = urls.teams;
  receiver("audit-hook").webhook[0].url = urls.webhook;
  alerting.groupWait = "1s";
  (alerting.routes as Json[]).forEach((route) => delete route.groupWait);
  const { objects } = await renderWithConfig(
    "routes",
    { ...config, "observability:alerting": JSON.stringify(alerting) },
    secretKeys,
  );
  return objects;
}

describe("a real Alertmanager with the routes stack's config and templates", () => {
  const servers = new Servers();
  let dir: string;
  let base: string;
  let slack: LocalHttpServer & { readonly received: unknown[] };
  let teams: typeof slack;
  let webhook: typeof slack;
  let alertmanagerYml: string;

  beforeAll(async () => {
    [slack, teams, webhook] = await Promise.all([webhookReceiver(), webhookReceiver(), webhookReceiver()]);
    const objects = await renderRoutesTo({
      slack: `http://127.0.0.1:${slack.port}/services/T000/B000/XXXX`,
      teams: `http://127.0.0.1:${teams.port}/workflows/abc/triggers/manual/paths/invoke`,
      webhook: `http://127.0.0.1:${webhook.port}/audit`,
    });
    alertmanagerYml = configMapData(objects, "alertmanager-config")["alertmanager.yml"];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "routes-alertmanager-"));
    ({ base } = await startAlertmanager(servers, objects, dir));
  });

  afterAll(async () => {
    await servers.stopAll();
    await Promise.all([slack, teams, webhook].map((s) => s?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the receivers' URLs reach Alertmanager only through its Secret", () => {
    for (const server of [slack, teams, webhook]) {
      expect(alertmanagerYml).not.toContain(`127.0.0.1:${server.port}`);
    }
  });

  // As the stack's alert rules annotate: `<metrics.runbookBaseUrl>#<alertname in lowercase>`.
  const { config, secretKeys } = readStackFile(EXTENDED_STACK, EXTEND_DIR);
  const runbook = `${parsePulumiConfig(config, secretKeys).metrics.runbookBaseUrl}#paymentlatencyhigh`;
  const alerts = [
    {
      labels: {
        alertname: "PaymentLatencyHigh",
        severity: "critical",
        namespace: "payments",
        service: "payment-service",
      },
      annotations: { summary: "p99 latency above 1s", runbook_url: runbook },
      generatorURL: "https://prometheus.tiketi.example.com/graph?g0.expr=up",
    },
    {
      labels: { alertname: "EtlStalled", severity: "warning", team: "data" },
      annotations: { summary: "no batch for 1h" },
    },
    { labels: { alertname: "AuditLogGap", severity: "warning" }, annotations: { summary: "gap" } },
  ];

  test("Slack, Teams and the webhook receive the alerts of their routes, with runbook, Grafana and silence links", async () => {
    const response = await fetch(`${base}/api/v2/alerts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(alerts),
    });
    expect(response.status).toBe(200);
    await eventually(
      () =>
        Promise.resolve(slack.received.length * teams.received.length * webhook.received.length || undefined),
      "a notification at each receiver",
    );

    const slackMessage = (slack.received[0] as Json).attachments[0] as Json;
    expect(slackMessage.title).toBe("[FIRING:1] PaymentLatencyHigh (payment-service)");
    expect(slackMessage.title_link).toBe("https://grafana.tiketi.example.com");
    const explore =
      "https://grafana.tiketi.example.com/explore?schemaVersion=1&orgId=1&panes=" +
      encodeURIComponent(
        JSON.stringify({
          a: {
            datasource: "prometheus",
            queries: [{ refId: "A", expr: 'ALERTS{alertname="PaymentLatencyHigh"}' }],
            range: { from: "now-1h", to: "now" },
          },
        }),
      );
    const text = slackMessage.text as string;
    expect(text).toContain(`Runbook: ${runbook}`);
    expect(decodeURIComponent(text.split("Grafana: ")[1].split("\n")[0])).toBe(decodeURIComponent(explore));
    expect(text).toContain("Source: https://prometheus.tiketi.example.com/graph?g0.expr=up");
    const silence = text.split("Silence: ")[1].trim();
    expect(silence.startsWith("https://alertmanager.tiketi.example.com/#/silences/new?filter=")).toBe(true);
    expect(decodeURIComponent(silence.split("filter=")[1])).toBe(
      '{alertname="PaymentLatencyHigh",namespace="payments",service="payment-service",severity="critical"}',
    );

    // Teams Workflows get an Adaptive Card with the same title and text.
    const card = JSON.stringify(teams.received[0]);
    expect(card).toContain("[FIRING:1] EtlStalled");
    expect(card).toContain("Silence: https://alertmanager.tiketi.example.com/#/silences/new?filter=");

    // A webhook gets Alertmanager's JSON: the silence base is the external URL.
    expect(webhook.received[0]).toMatchObject({
      receiver: "audit-hook",
      externalURL: "https://alertmanager.tiketi.example.com",
      groupLabels: { alertname: "AuditLogGap" },
    });
  });
});

describe("a receiver that drops: the prod stack with the staging namespace's alerts routed to it", () => {
  const servers = new Servers();
  let dir: string;
  let configFile: string;
  let base: string;
  beforeAll(async () => {
    const objects = await renderWithAlerting("prod", {
      receivers: [{ name: "nowhere", drop: true }],
      routes: [{ matchers: ['namespace="staging"'], receiver: "nowhere" }],
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "drop-"));
    configFile = writeAlertmanagerFiles(objects, path.join(dir, "files"));
    ({ base } = await startAlertmanager(servers, objects, path.join(dir, "alertmanager")));
  });
  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("amtool takes the receiver without an integration, and routes staging's alerts, critical ones too, to it alone; the Watchdog still to its own", async () => {
    const { stdout } = await run(tools.amtool(), ["check-config", configFile]);
    expect(stdout).toContain("SUCCESS");
    const routed = async (...labels: string[]) =>
      (
        await run(tools.amtool(), ["config", "routes", "test", `--config.file=${configFile}`, ...labels])
      ).stdout.trim();
    expect(await routed("namespace=staging", "severity=critical", "alertname=ServiceDown")).toBe("nowhere");
    expect(await routed("namespace=staging", "alertname=Watchdog", "severity=none")).toBe(RECEIVERS.watchdog);
    expect(await routed("namespace=shop", "severity=critical", "alertname=ServiceDown")).toBe(
      RECEIVERS.critical,
    );
  });

  test("the real Alertmanager keeps a dropped alert in its API, with the receiver that drops it", async () => {
    const alert = { labels: { alertname: "ServiceDown", severity: "critical", namespace: "staging" } };
    const posted = await fetch(`${base}/api/v2/alerts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify([alert]),
    });
    expect(posted.status).toBe(200);
    const receivers = await eventually(async () => {
      const alerts = (await (
        await fetch(`${base}/api/v2/alerts?filter=namespace%3D%22staging%22`)
      ).json()) as {
        receivers: { name: string }[];
      }[];
      return alerts.length === 1 ? alerts[0].receivers.map((r) => r.name) : undefined;
    }, "the staging alert in the API");
    expect(receivers).toEqual(["nowhere"]);
  });
});
