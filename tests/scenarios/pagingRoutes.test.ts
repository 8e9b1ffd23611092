// A page is never delivered as a ticket, held to the real amtool of the deployed Alertmanager:
// Sloth's own example (tests/unit/slo/sloth/getting-started.yml: its page labelled severity pageteam,
// its ticket slack) laid over the kind stack, routed as its rendered rules label the alerts; a
// team's route that takes the page first; a severity a team's route names for its pager.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "js-yaml";
import { alertmanagerConfig } from "../../components/metrics/alertmanagerConfig";
import { parseStackConfig } from "../../config/load";
import { PROJECT_ROOT, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { writeAlertmanagerFiles } from "../kit/alertmanager";
import { Json } from "../kit/json";
import { configMapData } from "../kit/rendered";
import { tools } from "../kit/tools";

const run = promisify(execFile);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "paging-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The receivers amtool routes an alert of these labels to, comma-separated. */
async function routed(configFile: string, labels: Readonly<Record<string, string>>): Promise<string> {
  const { stdout } = await run(tools.amtool(), [
    "config",
    "routes",
    "test",
    `--config.file=${configFile}`,
    ...Object.entries(labels).map(([name, value]) => `${name}=${value}`),
  ]);
  return stdout.trim();
}

describe("Sloth's getting-started spec on the kind stack", () => {
  let configFile: string;
  let alerts: Record<string, string>[];

  beforeAll(async () => {
    const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
    const metrics = JSON.parse(config["observability:metrics"]) as Json;
    const { objects } = await renderWithConfig(
      "kind",
      {
        ...config,
        "observability:metrics": JSON.stringify({
          ...metrics,
          slothFiles: ["tests/unit/slo/sloth/getting-started.yml"],
          // Counted over kind's 7 days, which its Prometheus keeps.
          slothWindow: "7d",
        }),
      },
      secretKeys,
    );
    configFile = writeAlertmanagerFiles(objects, path.join(dir, "kind"));
    const rules = yaml.load(configMapData(objects, "prometheus-rules")["slo.yaml"]) as {
      groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[];
    };
    alerts = rules.groups
      .flatMap((group) => group.rules)
      .filter((rule) => rule.alert === "MyServiceHighErrorRate")
      .map((rule) => ({ alertname: rule.alert!, ...rule.labels }));
  });

  test("amtool check-config accepts the config with the page's route", async () => {
    const { stdout } = await run(tools.amtool(), ["check-config", configFile]);
    expect(stdout).toContain("SUCCESS");
  });

  test("its page (severity pageteam) goes to the critical receiver, its ticket (severity slack) to warning", async () => {
    expect(alerts.map((labels) => [labels.sloth_severity, labels.severity])).toEqual([
      ["page", "pageteam"],
      ["ticket", "slack"],
    ]);
    const [page, ticket] = alerts;
    expect(await routed(configFile, page)).toBe("critical");
    expect(await routed(configFile, ticket)).toBe("warning");
  });
});

/** Alertmanager's config for `alerting`, with the receivers' URLs held as secrets. */
function writeConfig(name: string, alerting: Json): string {
  const config = parseStackConfig({ alerting }, new Set(["alerting"]));
  const file = path.join(dir, `${name}.yml`);
  fs.writeFileSync(file, yaml.dump(alertmanagerConfig(config.alerting, config.metrics.slos)));
  return file;
}

const PAGE = {
  alertname: "MyServiceHighErrorRate",
  severity: "pageteam",
  sloth_severity: "page",
  routing_key: "myteam",
};
const TICKET = { alertname: "MyServiceHighErrorRate", severity: "slack", sloth_severity: "ticket" };

test("a team's route that takes the page first wins, even to a receiver that does not page; a page it does not match still pages", async () => {
  const file = writeConfig("team-first", {
    receivers: [
      { name: "myteam-chat", slack: [{ webhookUrl: "https://hooks.slack.com/x", channel: "#myteam" }] },
    ],
    routes: [{ matchers: ['routing_key="myteam"'], receiver: "myteam-chat" }],
  });
  expect(await routed(file, PAGE)).toBe("myteam-chat");
  expect(await routed(file, { ...PAGE, routing_key: "otherteam" })).toBe("critical");
  expect(await routed(file, TICKET)).toBe("warning");
});

test("Sloth's page pages even when its severity says warning; otherSeverities critical and refuse route as before", async () => {
  expect(await routed(writeConfig("unset", {}), { ...PAGE, severity: "warning" })).toBe("critical");
  const critical = writeConfig("critical", { otherSeverities: "critical" });
  expect(await routed(critical, PAGE)).toBe("critical");
  expect(await routed(critical, TICKET)).toBe("critical");
  const refuse = writeConfig("refuse", { otherSeverities: "refuse" });
  expect(await routed(refuse, PAGE)).toBe("critical");
  expect(await routed(refuse, { alertname: "TeamAlert", severity: "home" })).toBe("default");
});

test("a severity a team's route names for a receiver that pages pages wherever it comes from; one named for chat does not", async () => {
  const file = writeConfig("paging-severity", {
    receivers: [
      { name: "payments-pager", pagerduty: [{ routingKey: "0123456789abcdef0123456789abcdef" }] },
      { name: "payments-chat", slack: [{ webhookUrl: "https://hooks.slack.com/x", channel: "#payments" }] },
    ],
    routes: [
      { matchers: ['namespace="payments"', 'severity=~"page|sev1"'], receiver: "payments-pager" },
      { matchers: ['namespace="payments"', 'severity="chat"'], receiver: "payments-chat" },
    ],
  });
  expect(await routed(file, { alertname: "A", namespace: "payments", severity: "sev1" })).toBe(
    "payments-pager",
  );
  expect(await routed(file, { alertname: "A", namespace: "search", severity: "sev1" })).toBe("critical");
  expect(await routed(file, { alertname: "A", namespace: "search", severity: "page" })).toBe("critical");
  expect(await routed(file, { alertname: "A", namespace: "payments", severity: "chat" })).toBe(
    "payments-chat",
  );
  expect(await routed(file, { alertname: "A", namespace: "search", severity: "chat" })).toBe("warning");
  expect(await routed(file, { alertname: "A", namespace: "search", severity: "warning" })).toBe("warning");
});
