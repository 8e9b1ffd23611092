import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import main = require("../../../index");
import { ConfigError } from "../../../config";
import { CONFIGMAP_LIMIT_BYTES } from "../../../components/grafana/extraDashboards";
import { recordDeployment } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { EXTEND_DIR, EXTENDED_STACK } from "../../support/extendedStack";
import { Json } from "../../kit/json";

const GOOD_DASHBOARDS = path.join(EXTEND_DIR, "dashboards/payments");

/** The extension stack file's `observability:grafana`, edited. */
function grafanaKeys(edit: (grafana: Json) => void): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const { config, secretKeys } = readStackFile(EXTENDED_STACK, EXTEND_DIR);
  const grafana = JSON.parse(config["observability:grafana"]) as Json;
  edit(grafana);
  return { config: { ...config, "observability:grafana": JSON.stringify(grafana) }, secretKeys };
}

/** Runs the program on the config; returns the problems it was refused with and what it registered. */
async function refused(
  config: Record<string, string>,
  secretKeys: readonly string[],
): Promise<{ problems: readonly string[]; registered: number }> {
  const mocks = await recordDeployment("grafana", config, secretKeys);
  try {
    await main();
  } catch (error) {
    if (error instanceof ConfigError) {
      return { problems: error.problems, registered: mocks.registrations.length };
    }
    throw error;
  }
  throw new Error("expected the config to be refused");
}

const written: string[] = [];
afterAll(() => written.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A folder of dashboards written for one test: name → dashboard object (or raw text). */
function dashboardFolder(files: Record<string, Json | string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "extra-dashboards-"));
  written.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  }
  return dir;
}

const fixture = (name: string): Json =>
  JSON.parse(fs.readFileSync(path.join(GOOD_DASHBOARDS, name), "utf8")) as Json;

/** The extension config with its Payments folder read from `dir`. */
const withPaymentsFolder = (dir: string) =>
  grafanaKeys((g) => {
    g.extraDashboards = [{ path: dir, folder: "Payments" }];
  });

async function expectRefused(
  setup: { config: Record<string, string>; secretKeys: string[] },
  ...expected: RegExp[]
): Promise<void> {
  const { problems, registered } = await refused(setup.config, setup.secretKeys);
  expect(registered).toBe(0);
  for (const pattern of expected) {
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
  }
}

describe("bad Grafana extension config is refused before anything registers, naming the key", () => {
  test("invalid dashboard JSON names the key and the file", async () => {
    const dir = dashboardFolder({ "broken.json": '{ "uid": "broken", "title": "Broken", "panels": [ }' });
    await expectRefused(
      withPaymentsFolder(dir),
      new RegExp(
        `^observability:grafana\\.extraDashboards\\[0\\]\\.path \\(.*broken\\.json\\): must be valid JSON`,
      ),
    );
  });

  test("a Prometheus query Prometheus would refuse, with its message, once Grafana's interval variables are filled; one with a variable the viewer picks is left to Prometheus", async () => {
    const target = (expr: string) => ({
      datasource: { type: "prometheus", uid: "prometheus" },
      expr,
      refId: "A",
    });
    const dir = dashboardFolder({
      "bad.json": {
        uid: "bad-queries",
        title: "Bad queries",
        panels: [
          {
            type: "timeseries",
            title: "queue",
            targets: [target("rate(queue_size[$__rate_interval])"), target("max(0, up)")],
          },
          {
            type: "row",
            title: "row",
            panels: [
              {
                type: "stat",
                title: "p",
                targets: [target('rate(up{job="$job"})'), target("rate(up[$window])")],
              },
            ],
          },
        ],
      },
    });
    const { problems } = await refused(withPaymentsFolder(dir).config, withPaymentsFolder(dir).secretKeys);
    expect(problems.filter((p) => p.includes("bad.json"))).toEqual([
      expect.stringMatching(
        /^observability:grafana\.extraDashboards\[0\]\.path \(.*bad\.json\): panels\[0\]\.targets\[1\]\.expr does not parse as PromQL at 1:1: wrong number of arguments for aggregate expression provided, expected 1, got 2$/,
      ),
    ]);
  });

  test("a UID one of the stack's own dashboards has", async () => {
    const dir = dashboardFolder({
      "copy.json": { ...fixture("queue-latency.json"), uid: "obs-service-overview" },
    });
    await expectRefused(
      withPaymentsFolder(dir),
      /^observability:grafana\.extraDashboards\[0\]\.path \(.*copy\.json\): uid "obs-service-overview" must be unique, and the stack's own dashboard "Service Overview" has it already$/,
    );
  });

  test("the same UID in two extra folders names the first file", async () => {
    const setup = grafanaKeys((g) => {
      g.extraDashboards = [
        { path: "tests/unit/extend/dashboards/payments", folder: "Payments" },
        { path: dashboardFolder({ "again.json": fixture("queue-latency.json") }), folder: "Queue" },
      ];
    });
    await expectRefused(
      setup,
      /^observability:grafana\.extraDashboards\[1\]\.path \(.*again\.json\): uid "payments-queue-latency" must be unique, and tests\/unit\/extend\/dashboards\/payments\/queue-latency\.json has it already$/,
    );
  });

  test("a dashboard without a UID", async () => {
    const board = fixture("queue-latency.json");
    delete board.uid;
    await expectRefused(
      withPaymentsFolder(dashboardFolder({ "no-uid.json": board })),
      /^observability:grafana\.extraDashboards\[0\]\.path \(.*no-uid\.json\): must have a uid .*\(got null\)/,
    );
  });

  test("a datasource reference that resolves to no provisioned datasource: by UID, by legacy name, by variable", async () => {
    const board = fixture("queue-latency.json");
    board.panels[1].targets[0].datasource = { type: "prometheus", uid: "P1809F7CD0C75ACF3" };
    board.panels[2].datasource = "Mimir";
    board.panels[1].datasource = { type: "prometheus", uid: "${ds}" };
    await expectRefused(
      withPaymentsFolder(dashboardFolder({ "queue.json": board })),
      /\(.*queue\.json\): panels\[1\]\.targets\[0\]\.datasource references datasource uid "P1809F7CD0C75ACF3", which is not provisioned \(provisioned: Prometheus \(prometheus, uid prometheus\), Loki/,
      /\(.*queue\.json\): panels\[2\]\.datasource names datasource "Mimir", which is not provisioned/,
      /\(.*queue\.json\): panels\[1\]\.datasource uses \$ds, which is not a datasource variable of the dashboard/,
    );
  });

  test("a grafana.com input whose plugin type no provisioned datasource has", async () => {
    const board = fixture("payments-overview.json");
    board.__inputs.push({ name: "DS_INFLUXDB", label: "InfluxDB", type: "datasource", pluginId: "influxdb" });
    board.panels[0].datasource = { type: "influxdb", uid: "${DS_INFLUXDB}" };
    const setup = withPaymentsFolder(dashboardFolder({ "overview.json": board }));
    // One problem: the input, not again each panel that uses it.
    expect((await refused(setup.config, setup.secretKeys)).problems).toHaveLength(1);
    await expectRefused(
      setup,
      /\(.*overview\.json\): __inputs DS_INFLUXDB needs a datasource of type "influxdb", and none is provisioned \(types: prometheus, loki, tempo, alertmanager; add one in grafana\.extraDatasources\)/,
    );
  });

  test("a folder of dashboards over a ConfigMap's 1 MiB is refused with its size and its largest file", async () => {
    // A real shape of a big dashboard: many panels, each with its own long query.
    const board = fixture("queue-latency.json");
    const panel = board.panels[1];
    board.panels = Array.from({ length: 1400 }, (_, i) => ({
      ...panel,
      id: 100 + i,
      title: `Endpoint ${i} p99 latency`,
      targets: [{ ...panel.targets[0], expr: `${panel.targets[0].expr as string} # endpoint ${i}` }],
    }));
    const text = JSON.stringify(board, null, 2);
    expect(Buffer.byteLength(text)).toBeGreaterThan(CONFIGMAP_LIMIT_BYTES);
    await expectRefused(
      withPaymentsFolder(dashboardFolder({ "huge.json": board })),
      /^observability:grafana\.extraDashboards\[0\]\.path \(.*\) must fit in one ConfigMap \(at most 1 MiB\); its dashboards are 1\.\d\d MiB, the largest payments-queue-latency\.json 1\.\d\d MiB/,
    );
  });

  test("a path that is not a folder", async () => {
    await expectRefused(
      withPaymentsFolder("tests/unit/extend/dashboards/nowhere"),
      /^observability:grafana\.extraDashboards\[0\]\.path must be a folder of dashboard JSON files, relative to the project root; tried \/.*\/tests\/unit\/extend\/dashboards\/nowhere, which is not one$/,
    );
  });

  test("wrong types: extraDashboards not a list, a team without members", async () => {
    const setup = grafanaKeys((g) => {
      g.extraDashboards = { path: "tests/unit/extend/dashboards/payments", folder: "Payments" };
      g.teams[0].members = "kim@tiketi.example.com";
    });
    await expectRefused(
      setup,
      /^observability:grafana\.extraDashboards must be an array/,
      /^observability:grafana\.teams\[0\]\.members must be an array/,
    );
  });

  test("an SSO provider without its client secret", async () => {
    const setup = grafanaKeys((g) => {
      delete g.sso.clientSecret;
    });
    await expectRefused(setup, /^observability:grafana\.sso\.clientSecret is required$/);
  });

  test("a client secret in plain text", async () => {
    const { config } = grafanaKeys((g) => {
      g.sso.clientSecret = "s3cr3t-from-keycloak";
    });
    const { problems, registered } = await refused(config, []);
    expect(registered).toBe(0);
    expect(problems).toContain(
      "observability:grafana.sso.clientSecret holds a credential and must be set with `pulumi config set --secret --path 'observability:grafana.sso.clientSecret' <value>`",
    );
    expect(problems.join("\n")).not.toContain("s3cr3t-from-keycloak");
  });

  test("an unknown role in the group map", async () => {
    const setup = grafanaKeys((g) => {
      g.sso.roleMapping["/payments"] = "Owner";
    });
    await expectRefused(
      setup,
      /^observability:grafana\.sso\.roleMapping\.\/payments must be one of "Viewer", "Editor", "Admin", "GrafanaAdmin" \(got "Owner"\)$/,
    );
  });

  test("a generic OAuth provider without its token URL, and a role map on Entra ID", async () => {
    await expectRefused(
      grafanaKeys((g) => {
        delete g.sso.tokenUrl;
      }),
      /^observability:grafana\.sso\.tokenUrl is required for provider generic_oauth: it depends on your tenant$/,
    );
    await expectRefused(
      grafanaKeys((g) => {
        g.sso.provider = "azuread";
      }),
      /^observability:grafana\.sso\.roleMapping must be empty for provider azuread: Entra ID grants Grafana roles through the app registration's app roles/,
    );
  });

  test("a folder permission naming an unknown team or a folder that is not an extra dashboards folder", async () => {
    const setup = grafanaKeys((g) => {
      g.folderPermissions.push({ folder: "Payments", team: "billing", permission: "View" });
      g.folderPermissions.push({ folder: "Tiketi", team: "support", permission: "View" });
    });
    await expectRefused(
      setup,
      /^observability:grafana\.folderPermissions\[2\]\.team must name one of grafana\.teams \(payments, support\) \(got "billing"\)$/,
      /^observability:grafana\.folderPermissions\[3\]\.folder must name the folder of one of grafana\.extraDashboards \(Payments\) \(got "Tiketi"\)$/,
    );
  });

  test("clashing names: two teams of one name, two entries for one folder, an extra folder named like the stack's", async () => {
    const setup = grafanaKeys((g) => {
      g.teams.push({ name: "payments", members: [] });
      g.extraDashboards.push({ path: "tests/unit/extend/dashboards/payments", folder: "Payments" });
      g.extraDashboards.push({ path: "tests/unit/extend/dashboards/payments", folder: "Tiketi" });
    });
    await expectRefused(
      setup,
      /^observability:grafana\.teams\[2\] must be unique: payments appears more than once/,
      /^observability:grafana\.extraDashboards\[1\] must be unique: Payments appears more than once/,
      /^observability:grafana\.extraDashboards\[2\]\.folder must differ from grafana\.dashboardsFolder/,
    );
  });

  test("two folder titles that make the same folder UID", async () => {
    const setup = grafanaKeys((g) => {
      g.extraDashboards.push({
        path: dashboardFolder({ "other.json": { ...fixture("queue-latency.json"), uid: "other" } }),
        folder: "payments!",
      });
    });
    await expectRefused(
      setup,
      /^observability:grafana\.extraDashboards\[1\]\.folder must differ from "Payments" once made a folder UID \(both are extra-payments\)$/,
    );
  });
});
