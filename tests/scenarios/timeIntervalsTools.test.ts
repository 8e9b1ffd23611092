// Routes' time intervals (alerting.timeIntervals, routes[].muteTimeIntervals and
// activeTimeIntervals) held to the real amtool and Alertmanager of the deployed version: the config
// accepts and refuses what Alertmanager does (a few values Alertmanager takes are refused on
// purpose, each with its reason), a muted route and a route outside its active interval notify no
// one while the Watchdog still does, and the rendered config loads where no time zone database is,
// as in an image without one. Every interval here holds always or never: no verdict depends on the
// wall clock.
import { execFile } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { RECEIVERS, timeInterval } from "../../components/metrics/alertmanagerConfig";
import { ConfigError } from "../../config";
import { parsePulumiConfig } from "../../config/load";
import { PROJECT_ROOT } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { renderWithAlerting, startAlertmanager, writeAlertmanagerFiles } from "../kit/alertmanager";
import { LocalHttpServer, webhookReceiver } from "../kit/httpServers";
import { Json } from "../kit/json";
import { Servers, eventually } from "../kit/processes";
import { configMapData } from "../kit/rendered";
import { tools } from "../kit/tools";

const run = promisify(execFile);

/** Where Go's time package looks for zones on Linux, besides ZONEINFO and the Go root's zip. */
const ZONE_DATABASES = [
  "/usr/share/zoneinfo",
  "/usr/share/lib/zoneinfo",
  "/usr/lib/locale/TZ",
  "/etc/zoneinfo",
];

/**
 * A command prefix that runs a program where no time zone database is, as in an image without
 * one: a mount namespace of its own with an empty directory over each of Go's zone directories,
 * no ZONEINFO, and a Go root without its zoneinfo.zip.
 */
const WITHOUT_ZONE_DATABASE = {
  wrapper: [
    "unshare",
    "--user",
    "--map-root-user",
    "--mount",
    "sh",
    "-c",
    [
      ...ZONE_DATABASES.filter((dir) => fs.existsSync(dir)).map((dir) => `mount -t tmpfs tmpfs ${dir}`),
      'exec "$@"',
    ].join(" && "),
    "sh",
  ],
  env: { ZONEINFO: "", GOROOT: path.join(os.tmpdir(), "no-go-root") },
};

/** A minimal Alertmanager config whose one route mutes during `interval`; a field left undefined is left out. */
const configWith = (interval: ReturnType<typeof timeInterval>) =>
  yaml.dump(
    {
      route: {
        receiver: "team",
        routes: [{ receiver: "team", matchers: ['team="payments"'], mute_time_intervals: [interval.name] }],
      },
      receivers: [{ name: "team" }],
      time_intervals: [interval],
    },
    { skipInvalid: true },
  );

/** Whether amtool check-config (`wrapper` around it, if given) accepts `config`, and what it said. */
async function amtoolVerdict(config: string, wrapper: readonly string[] = []): Promise<[boolean, string]> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "intervals-")), "alertmanager.yml");
  fs.writeFileSync(file, config);
  const [command, ...args] = [...wrapper, tools.amtool(), "check-config", file];
  try {
    const { stdout } = await run(command, args, { env: { ...process.env, ...WITHOUT_ZONE_DATABASE.env } });
    return [true, stdout];
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    return [false, `${stdout}${stderr}`];
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

describe("the config's grammar of time intervals is amtool's", () => {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  /** The config's verdict on an interval of one period: accepted, or the problem it names. */
  function configVerdict(period: unknown): true | string {
    const alerting = {
      receivers: [{ name: "team", drop: true }],
      routes: [{ matchers: ['team="payments"'], receiver: "team", muteTimeIntervals: ["quiet"] }],
      timeIntervals: [{ name: "quiet", periods: [period] }],
    };
    try {
      parsePulumiConfig({ ...config, "observability:alerting": JSON.stringify(alerting) }, secretKeys);
      return true;
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.join("\n");
      throw error;
    }
  }
  /** The period as the config renders it, numbers as their text, whether the config takes it or not. */
  const rendered = (period: Json) =>
    timeInterval({
      name: "quiet",
      periods: [
        Object.fromEntries(
          Object.entries(period).map(([key, value]) => [
            key,
            Array.isArray(value) ? value.map((v) => (typeof v === "number" ? String(v) : v)) : value,
          ]),
        ),
      ],
    } as Parameters<typeof timeInterval>[0]);

  const BOTH_ACCEPT: readonly Json[] = [
    {},
    { times: [{ start: "00:00", end: "24:00" }] },
    {
      times: [
        { start: "09:00", end: "09:01" },
        { start: "23:59", end: "24:00" },
      ],
    },
    { weekdays: ["Monday:FRIDAY", "sunday", "saturday:saturday"] },
    { daysOfMonth: ["1:7", "-7:-1", "1:-1", "-3:-3", 15, "31"] },
    { months: ["january:march", "12", "May", "1:12", 7] },
    { years: ["2026:2027", 2001, "1:9999"] },
    { location: "UTC" },
  ];
  const BOTH_REFUSE: readonly Json[] = [
    { times: [{ start: "9:00", end: "17:00" }] },
    { times: [{ start: "09:00", end: "24:01" }] },
    { times: [{ start: "24:00", end: "24:00" }] },
    { times: [{ start: "17:00", end: "09:00" }] },
    { times: [{ start: "09:00", end: "09:00" }] },
    { times: [{ start: "09:00" }] },
    { times: [{ start: "09:00", end: "17:60" }] },
    { weekdays: ["saturday:sunday"] },
    { weekdays: ["someday"] },
    { weekdays: ["monday:tuesday:wednesday"] },
    { weekdays: ["1"] },
    { weekdays: ["monday:"] },
    { daysOfMonth: [0] },
    { daysOfMonth: [32] },
    { daysOfMonth: ["-32"] },
    { daysOfMonth: ["-7:1"] },
    { daysOfMonth: ["5:3"] },
    { daysOfMonth: ["-1:-7"] },
    { daysOfMonth: ["25:-4"] },
    { daysOfMonth: ["first"] },
    { months: ["march:january"] },
    { months: ["smarch"] },
    { years: ["2027:2026"] },
    { years: ["twenty"] },
    { location: "Mars/Olympus_Mons" },
  ];
  // Alertmanager loads these; the config refuses them, each for the reason its message gives.
  const CONFIG_REFUSES: readonly (readonly [Json, string])[] = [
    [{ months: ["13"] }, "must be a month (january to december, any case, or 1 to 12)"],
    [{ months: ["0:3"] }, "must be a month (january to december, any case, or 1 to 12)"],
    [{ months: ["+3"] }, "must be a month (january to december, any case, or 1 to 12)"],
    [{ years: ["0"] }, "must be a year such as 2026"],
    [{ location: "Local" }, "must be UTC"],
    [{ location: "Europe/Berlin" }, "must be UTC: Alertmanager's image may hold no time zone database"],
  ];

  test.each(BOTH_ACCEPT)("both take %j", async (period) => {
    expect(configVerdict(period)).toBe(true);
    expect(await amtoolVerdict(configWith(rendered(period)))).toEqual([
      true,
      expect.stringContaining("SUCCESS"),
    ]);
  });

  test.each(BOTH_REFUSE)("both refuse %j", async (period) => {
    expect(configVerdict(period)).toEqual(
      expect.stringContaining("observability:alerting.timeIntervals[0].periods[0]"),
    );
    expect(await amtoolVerdict(configWith(rendered(period)))).toEqual([
      false,
      expect.stringContaining("FAILED"),
    ]);
  });

  test.each(CONFIG_REFUSES)("amtool takes %j; the config refuses it: %s", async (period, problem) => {
    expect(configVerdict(period)).toEqual(expect.stringContaining(problem));
    expect(await amtoolVerdict(configWith(rendered(period)))).toEqual([
      true,
      expect.stringContaining("SUCCESS"),
    ]);
  });
});

describe("no time zone database: why the config takes UTC alone", () => {
  const berlin = configWith(timeInterval({ name: "office", periods: [{ location: "Europe/Berlin" }] }));

  test("a zone amtool takes on a machine with a database stops Alertmanager's config loading without one", async () => {
    expect(await amtoolVerdict(berlin)).toEqual([true, expect.stringContaining("SUCCESS")]);
    expect(await amtoolVerdict(berlin, WITHOUT_ZONE_DATABASE.wrapper)).toEqual([
      false,
      expect.stringContaining("unknown time zone Europe/Berlin"),
    ]);
  });

  test("UTC needs no database: amtool takes it there", async () => {
    const utc = configWith(timeInterval({ name: "office", periods: [{ location: "UTC" }] }));
    expect(await amtoolVerdict(utc, WITHOUT_ZONE_DATABASE.wrapper)).toEqual([
      true,
      expect.stringContaining("SUCCESS"),
    ]);
  });
});

describe("a real Alertmanager with quiet hours: muted and inactive routes notify no one, the Watchdog still does", () => {
  const servers = new Servers();
  let dir: string;
  let base: string;
  let configFile: string;
  let team: LocalHttpServer & { readonly received: unknown[] };
  let watchdog: typeof team;
  let alertmanagerYml: Json;

  beforeAll(async () => {
    [team, watchdog] = await Promise.all([webhookReceiver(), webhookReceiver()]);
    const objects = await renderWithAlerting("prod", {
      groupWait: "1s",
      watchdog: { url: `http://127.0.0.1:${watchdog.port}/ping` },
      receivers: [
        { name: "team-hook", webhook: [{ url: `http://127.0.0.1:${team.port}/alerts`, port: team.port }] },
      ],
      timeIntervals: [
        // Every minute of every day: the route is always muted.
        { name: "always", periods: [{ times: [{ start: "00:00", end: "24:00" }], location: "UTC" }] },
        { name: "in-2001", periods: [{ years: [2001] }] },
      ],
      routes: [
        { matchers: ['namespace="payments"'], receiver: "team-hook", muteTimeIntervals: ["always"] },
        { matchers: ['namespace="orders"'], receiver: "team-hook", activeTimeIntervals: ["in-2001"] },
        { matchers: ['team="ops"'], receiver: "team-hook" },
        // It would take the Watchdog, and mute it, if the Watchdog's route did not come first.
        { matchers: ['alertname=~".+"'], receiver: "team-hook", muteTimeIntervals: ["always"] },
      ],
    });
    alertmanagerYml = yaml.load(configMapData(objects, "alertmanager-config")["alertmanager.yml"]) as Json;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "intervals-alertmanager-"));
    configFile = writeAlertmanagerFiles(objects, path.join(dir, "files"));
    // Run as the image may run it: no time zone database to fall back on.
    ({ base } = await startAlertmanager(
      servers,
      objects,
      path.join(dir, "alertmanager"),
      WITHOUT_ZONE_DATABASE,
    ));
  });

  afterAll(async () => {
    await servers.stopAll();
    await Promise.all([team, watchdog].map((s) => s?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the rendered config has the intervals, under Alertmanager's names, and amtool takes it", async () => {
    expect(alertmanagerYml.time_intervals).toEqual([
      {
        name: "always",
        time_intervals: [{ times: [{ start_time: "00:00", end_time: "24:00" }], location: "UTC" }],
      },
      { name: "in-2001", time_intervals: [{ years: ["2001"] }] },
    ]);
    const { stdout } = await run(tools.amtool(), ["check-config", configFile]);
    expect(stdout).toContain("SUCCESS");
  });

  test("amtool routes the Watchdog to its own receiver, though every team route's matchers would take it", async () => {
    const { stdout } = await run(tools.amtool(), [
      "config",
      "routes",
      "test",
      `--config.file=${configFile}`,
      "alertname=Watchdog",
      "severity=none",
      "namespace=payments",
      "team=ops",
    ]);
    expect(stdout.trim()).toBe(RECEIVERS.watchdog);
  });

  test("of four alerts, the Watchdog and the unmuted route's notify; the muted and the inactive route's are suppressed", async () => {
    const alerts = [
      { alertname: "Watchdog", severity: "none", namespace: "payments" },
      { alertname: "PaymentsDown", severity: "critical", namespace: "payments" },
      { alertname: "OrdersDown", severity: "critical", namespace: "orders" },
      { alertname: "OpsCheck", severity: "warning", team: "ops" },
    ].map((labels) => ({ labels }));
    const posted = await fetch(`${base}/api/v2/alerts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(alerts),
    });
    expect(posted.status).toBe(200);

    const suppressed = async (reason: string) => {
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const line = metrics
        .split("\n")
        .find((l) => l.startsWith(`alertmanager_notifications_suppressed_total{reason="${reason}"}`));
      return line === undefined ? 0 : Number(line.split(" ")[1]);
    };
    // Each group is flushed once within the test (group_interval is 5m): once a notification and
    // both suppressions are counted, no other notification of these alerts comes.
    await eventually(
      async () =>
        watchdog.received.length > 0 &&
        team.received.length > 0 &&
        (await suppressed("mute_time_interval")) > 0 &&
        (await suppressed("active_time_interval")) > 0
          ? true
          : undefined,
      "the Watchdog's and the ops route's notifications, and both suppressions",
    );
    const notified = (server: typeof team) =>
      server.received.flatMap((n) => ((n as Json).alerts as Json[]).map((a) => a.labels.alertname as string));
    expect(notified(watchdog)).toEqual(["Watchdog"]);
    expect(notified(team)).toEqual(["OpsCheck"]);
    expect(await suppressed("mute_time_interval")).toBe(1);
    expect(await suppressed("active_time_interval")).toBe(1);
  });
});
