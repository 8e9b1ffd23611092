// Per-team alert routing as rendered under mocks: the committed stacks (no team keys) and
// tests/unit/extend/Pulumi.extended.yaml (every key). What Alertmanager makes of it is
// tests/scenarios/alertRoutingTools.test.ts' job; this file checks the objects the program registers.
import * as yaml from "js-yaml";
import { TEMPLATE } from "../../../components/metrics/notificationTemplates";
import { externalUrls } from "../../../components/metrics/externalUrls";
import { PROFILE_DEFAULTS } from "../../../config";
import { parseStackConfig } from "../../../config/load";
import { KubeObject } from "../../../render/manifest";
import { renderStack, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered } from "../../support/renderedStacks";
import { STACKS } from "../../kit/stacks";
import { configMapData, containerArgs, objectNamed } from "../../kit/rendered";
import { EXTEND_DIR, EXTENDED_STACK } from "../../support/extendedStack";
import { Json } from "../../kit/json";
import { notificationPorts } from "../../../components/metrics/notificationPorts";

const SECRETS = "/etc/alertmanager/secrets";

const alertmanagerYml = (objects: readonly KubeObject[]) =>
  yaml.load(configMapData(objects, "alertmanager-config")["alertmanager.yml"]) as Json;
const templates = (objects: readonly KubeObject[]) =>
  configMapData(objects, "alertmanager-config")["notifications.tmpl"];
const flag = (args: readonly string[], name: string) =>
  args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
/** The ports Alertmanager's NetworkPolicy lets it open to addresses outside the cluster. */
const outsideEgressPorts = (objects: readonly KubeObject[]) =>
  ((objectNamed(objects, "NetworkPolicy", "alertmanager").spec.egress ?? []) as Json[])
    .filter((rule) => (rule.to as Json[]).some((peer) => peer.ipBlock?.cidr === "0.0.0.0/0"))
    .flatMap((rule) => (rule.ports as Json[]).map((p) => `${p.protocol}/${p.port}`));

describe.each(STACKS)("committed stack %s (no team routing keys)", (stack) => {
  test("routing is the platform's severity routes, and every receiver's text comes from the templates file", async () => {
    const { objects } = await rendered(stack);
    const am = alertmanagerYml(objects);
    // Sloth's page pages whatever its severity; the last route takes what the severity routes do
    // not: alerting.otherSeverities, or warning while it is unset.
    expect(am.route.routes.map((r: Json) => r.receiver)).toEqual([
      "watchdog",
      "critical",
      "critical",
      "warning",
      "warning",
    ]);
    expect(am.route.routes[2]).toEqual({
      receiver: "critical",
      matchers: ['sloth_severity="page"'],
      repeat_interval: "1h",
    });
    expect(am.route.routes[4]).toEqual({ receiver: "warning" });
    expect(am.receivers.map((r: Json) => r.name)).toEqual(["default", "critical", "warning", "watchdog"]);
    expect(am.templates).toEqual(["/etc/alertmanager/notifications.tmpl"]);
    expect(am.time_intervals).toBeUndefined();
    for (const name of Object.values(TEMPLATE)) {
      expect(templates(objects)).toContain(`{{ define "${name}"`);
    }
  });

  test("external URLs: kind's Prometheus at its NodePort; otherwise the in-cluster URLs, served at the root", async () => {
    const { objects } = await rendered(stack);
    const prometheus = containerArgs(objects, "prometheus", {});
    const alertmanager = containerArgs(objects, "alertmanager", {});
    expect(flag(prometheus, "--web.external-url")).toBe(
      stack === "kind" ? "http://localhost:30090" : "http://prometheus.observability.svc:9090",
    );
    expect(flag(alertmanager, "--web.external-url")).toBe("http://alertmanager.observability.svc:9093");
    expect(flag(prometheus, "--web.route-prefix")).toBe("/");
    expect(flag(alertmanager, "--web.route-prefix")).toBe("/");
    expect(templates(objects)).toContain(
      stack === "kind" ? '"http://localhost:30006"' : '"https://grafana.tiketi.example.com"',
    );
  });

  test("Alertmanager may open only what its receivers need outside the cluster: nothing on kind, which has none; Slack's HTTPS on prod", async () => {
    expect(outsideEgressPorts((await rendered(stack)).objects)).toEqual(stack === "kind" ? [] : ["TCP/443"]);
  });
});

describe("the routes stack (every team routing key)", () => {
  let objects: readonly KubeObject[];
  beforeAll(async () => {
    await Promise.all(STACKS.map((s) => rendered(s))); // the Pulumi runtime renders one stack at a time
    ({ objects } = await renderStack(EXTENDED_STACK, EXTEND_DIR));
  });

  test("team routes sit between the Watchdog's and the severity routes, in the file's order, with their options; an SLO alert's own receivers come first", () => {
    const routes = alertmanagerYml(objects).route.routes as Json[];
    expect(routes.map((r) => r.receiver)).toEqual([
      "watchdog",
      "payments-oncall",
      "payments-oncall",
      "data-team",
      "community-mail",
      "audit-hook",
      "critical",
      "critical",
      "warning",
      "warning",
    ]);
    // The OpenSLO file's alert policy notifies payments-oncall.
    expect(routes[1]).toEqual({
      receiver: "payments-oncall",
      matchers: ['alertname="CheckoutFastBurn"', 'slo="checkout-availability"', 'severity="critical"'],
    });
    expect(routes[2]).toEqual({
      receiver: "payments-oncall",
      matchers: ['namespace="payments"'],
      continue: true,
      group_by: ["alertname", "service", "namespace"],
      repeat_interval: "30m",
    });
    expect(routes[3]).toEqual({
      receiver: "data-team",
      matchers: ['team=~"data|analytics"', 'severity!="info"'],
      group_wait: "10s",
      group_interval: "2m",
    });
  });

  test("every integration reads its credential from a file of the receivers Secret and uses the templates", () => {
    const receivers = Object.fromEntries(
      (alertmanagerYml(objects).receivers as Json[]).map((r) => [r.name, r]),
    );
    const title = `{{ template "${TEMPLATE.title}" . }}`;
    const text = `{{ template "${TEMPLATE.text}" . }}`;
    expect(receivers["payments-oncall"].slack_configs).toEqual([
      expect.objectContaining({
        api_url_file: `${SECRETS}/payments-oncall.slack.0`,
        channel: "#payments-alerts",
        title,
        text,
      }),
      expect.objectContaining({
        api_url_file: `${SECRETS}/payments-oncall.slack.1`,
        channel: "#payments-leads",
      }),
    ]);
    expect(receivers["payments-oncall"].pagerduty_configs).toEqual([
      expect.objectContaining({
        routing_key_file: `${SECRETS}/payments-oncall.pagerduty.0`,
        description: title,
      }),
    ]);
    expect(receivers["data-team"].opsgenie_configs).toEqual([
      expect.objectContaining({
        api_key_file: `${SECRETS}/data-team.opsgenie.0`,
        api_url: "https://api.eu.opsgenie.com",
        responders: [{ type: "team", name: "data-platform" }],
        message: title,
        description: text,
      }),
    ]);
    expect(receivers["data-team"].msteamsv2_configs).toEqual([
      expect.objectContaining({ webhook_url_file: `${SECRETS}/data-team.msteams.0`, title, text }),
    ]);
    expect(receivers["community-mail"].email_configs).toEqual([
      expect.objectContaining({
        to: "community-dev@tiketi.example.com",
        smarthost: "smtp.tiketi.example.com:587",
        auth_username: "alertmanager",
        auth_password_file: `${SECRETS}/community-mail.email.0`,
        headers: { Subject: title },
        text,
      }),
    ]);
    expect(receivers["audit-hook"].webhook_configs).toEqual([
      { url_file: `${SECRETS}/audit-hook.webhook.0`, send_resolved: true },
    ]);
  });

  test("a time interval is rendered under Alertmanager's names and muted by its route, text as written", () => {
    const am = alertmanagerYml(objects);
    expect(am.time_intervals).toEqual([
      {
        name: "community-off-hours",
        time_intervals: [
          {
            times: [
              { start_time: "00:00", end_time: "07:00" },
              { start_time: "19:00", end_time: "24:00" },
            ],
          },
          { weekdays: ["saturday", "sunday"] },
          { months: ["december"], days_of_month: ["24:31"] },
        ],
      },
    ]);
    expect((am.route.routes as Json[]).find((r) => r.receiver === "community-mail")).toEqual({
      receiver: "community-mail",
      matchers: ['service="community-service"'],
      mute_time_intervals: ["community-off-hours"],
    });
  });

  test("Alertmanager may open exactly the receivers' ports outside the cluster: HTTPS, SMTP 587, the webhook's 8443", () => {
    expect(outsideEgressPorts(objects)).toEqual(["TCP/443", "TCP/587", "TCP/8443"]);
  });

  test("links open at the configured external URLs", () => {
    expect(flag(containerArgs(objects, "prometheus", {}), "--web.external-url")).toBe(
      "https://prometheus.tiketi.example.com",
    );
    expect(flag(containerArgs(objects, "alertmanager", {}), "--web.external-url")).toBe(
      "https://alertmanager.tiketi.example.com",
    );
    expect(templates(objects)).toContain('"https://grafana.tiketi.example.com"');
  });

  test("credentials reach only the Secret, one key per integration", async () => {
    const { config, secretKeys } = readStackFile(EXTENDED_STACK, EXTEND_DIR);
    // Each in its integration's format (the program checks them once decrypted), and each marked.
    const sentinel = (key: string) =>
      ({
        pd: `sentinelpd${"0".repeat(22)}`,
        slack0: "https://hooks.slack.com/services/T0/B0/sentinel-slack0",
        slack1: "https://hooks.slack.com/services/T0/B0/sentinel-slack1",
        teams: "https://teams.example.com/webhook/sentinel-teams",
        hook: "https://audit.example.com/sentinel-hook",
      })[key] ?? `sentinel-credential-${key}`;
    const alerting = JSON.parse(config["observability:alerting"]) as Json;
    const byName = (name: string) => (alerting.receivers as Json[]).find((r) => r.name === name) as Json;
    byName("payments-oncall").pagerduty[0].routingKey = sentinel("pd");
    byName("payments-oncall").slack[0].webhookUrl = sentinel("slack0");
    byName("payments-oncall").slack[1].webhookUrl = sentinel("slack1");
    byName("data-team").opsgenie[0].apiKey = sentinel("og");
    byName("data-team").msteams[0].webhookUrl = sentinel("teams");
    byName("community-mail").email[0].password = sentinel("smtp");
    byName("audit-hook").webhook[0].url = sentinel("hook");
    const { objects: withSentinels } = await renderWithConfig(
      "routes-sentinels",
      { ...config, "observability:alerting": JSON.stringify(alerting) },
      secretKeys,
    );
    expect(objectNamed(withSentinels, "Secret", "alertmanager-receivers").stringData).toEqual({
      "payments-oncall.slack.0": sentinel("slack0"),
      "payments-oncall.slack.1": sentinel("slack1"),
      "payments-oncall.pagerduty.0": sentinel("pd"),
      "data-team.opsgenie.0": sentinel("og"),
      "data-team.msteams.0": sentinel("teams"),
      "community-mail.email.0": sentinel("smtp"),
      "audit-hook.webhook.0": sentinel("hook"),
    });
    expect(JSON.stringify(withSentinels.filter((o) => o.kind !== "Secret"))).not.toContain("sentinel");
  });
});

describe("builders", () => {
  const kindWith = (alerting: Json, exposure: Json = {}) =>
    parseStackConfig(
      { profile: "kind", alerting: { ...PROFILE_DEFAULTS.kind.alerting, ...alerting }, exposure },
      new Set(["alerting"]),
    );

  test("notificationPorts: the platform's e-mail opens its smarthost port, its webhook and Watchdog 443 and 80", () => {
    const email = { to: ["a@example.com"], from: "b@example.com", smarthost: "smtp.example.com:2525" };
    expect(notificationPorts(kindWith({ email }).alerting)).toEqual([2525]);
    expect(notificationPorts(kindWith({ watchdog: { url: "x" } }).alerting)).toEqual([80, 443]);
    expect(notificationPorts(kindWith({}).alerting)).toEqual([]);
  });

  test("notificationPorts: a team's Opsgenie API URL and webhook port open theirs, not 443", () => {
    const receivers = [
      { name: "a", opsgenie: [{ apiKey: "k", apiUrl: "https://opsgenie.internal:9443" }] },
      { name: "b", webhook: [{ url: "u", port: 8080 }] },
    ];
    expect(notificationPorts(kindWith({ receivers }).alerting)).toEqual([8080, 9443]);
  });

  test("externalUrls: set keys win; Prometheus follows its NodePort; Grafana is the one MetricsStack is given, if any", () => {
    const kind = kindWith({}, { nodePorts: { prometheus: 31090, grafana: 31006 } });
    expect(externalUrls({ ...kind, grafanaUrl: "http://localhost:31006" })).toEqual({
      prometheus: "http://localhost:31090",
      alertmanager: "http://alertmanager.observability.svc:9093",
      grafana: "http://localhost:31006",
    });
    expect(externalUrls(kind).grafana).toBeUndefined();
    expect(
      externalUrls(kindWith({ externalUrls: { alertmanager: "https://am.example.com/alertmanager" } }))
        .alertmanager,
    ).toBe("https://am.example.com/alertmanager");
  });
});
