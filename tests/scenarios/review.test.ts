// The review's rules on the kind stack's own render, changed one field at a time as a pull request
// might: what the Kubernetes provider replaces, what Pulumi refuses, how a renamed type keeps its
// resources, what promtool refuses, and how stack files' secrets are compared without their values.
import * as yaml from "js-yaml";
import { Registration } from "../../render/mocks";
import { formatReview } from "../../review/format";
import { passes, review, stackFileKeys } from "../../review/review";
import { promtoolProblems } from "../../checks/promtoolRules";
import { Snapshot, snapshotOf } from "../../review/snapshot";
import { Json } from "../kit/json";
import { tools } from "../kit/tools";
import { rendered } from "../support/renderedStacks";
import { renderedExtended } from "../support/extendedStack";
import { PROJECT_ROOT, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { wiringGraph } from "../../components/wiring/graph";
import { parsePulumiConfig } from "../../config/load";

let registrations: readonly Registration[];

beforeAll(async () => {
  registrations = (await rendered("kind")).registrations;
});

const snapshot = (list: readonly Registration[]): Snapshot => snapshotOf("kind", { registrations: list }, {});

const isObject = (r: Registration, kind: string, name: string) =>
  r.type.endsWith(`:${kind}`) && (r.inputs.metadata as { name?: string } | undefined)?.name === name;

/** The kind render with one resource's registration changed. */
function changed(kind: string, name: string, change: (r: Registration) => Registration): Registration[] {
  const found = registrations.filter((r) => isObject(r, kind, name));
  expect(found).toHaveLength(1);
  return registrations.map((r) => (r === found[0] ? change(structuredClone(r)) : r));
}

const noKeys = { before: {}, after: {} };

test("the same render reviewed against itself changes nothing", () => {
  const reviewed = review(snapshot(registrations), snapshot(registrations), noKeys);
  expect(reviewed.verdict).toBe("nothing");
  expect(reviewed.resources).toEqual([]);
});

test("a namespace the program reads (Namespace.get) is neither created nor deleted: the cluster holds it", () => {
  const read: Registration = {
    ...registrations[0],
    type: "kubernetes:core/v1:Namespace",
    name: "istio-system",
    inputs: { id: "istio-system" },
    read: true,
  };
  expect(review(snapshot(registrations), snapshot([...registrations, read]), noKeys).resources).toEqual([]);
  expect(review(snapshot([...registrations, read]), snapshot(registrations), noKeys).resources).toEqual([]);
});

test("a StatefulSet's new selector replaces it, and with its claims that puts what it collects at risk", () => {
  const after = changed("StatefulSet", "prometheus", (r) => {
    ((r.inputs.spec as Json).selector as Json).matchLabels = { app: "prometheus-v2" };
    return r;
  });
  const reviewed = review(snapshot(registrations), snapshot(after), noKeys);
  expect(reviewed.resources).toEqual([
    expect.objectContaining({
      key: "StatefulSet observability/prometheus",
      change: "replaced",
      replacedBy: expect.arrayContaining(["spec.selector.matchLabels.app"]),
    }),
  ]);
  expect(reviewed.verdict).toBe("data at risk");
  expect(reviewed.atRisk.map((risk) => risk.subject)).toEqual(["StatefulSet observability/prometheus"]);
  expect(passes(reviewed, ["StatefulSet observability/prometheus"])).toBe(true);
});

/** The kind render with the first container of a workload's pod template on another image. */
const withImage = (kind: string, name: string, image: string) =>
  changed(kind, name, (r) => {
    (((r.inputs.spec as Json).template as Json).spec as Json).containers[0].image = image;
    return r;
  });

test("a server that keeps data going back to an older image on its volume is data at risk; forward, or a workload without claims, only rolls", () => {
  const back = review(
    snapshot(registrations),
    snapshot(withImage("StatefulSet", "loki", "docker.io/grafana/loki:3.5.3")),
    noKeys,
  );
  expect(back.verdict).toBe("data at risk");
  expect(back.atRisk).toEqual([
    {
      subject: "StatefulSet observability/loki",
      why: expect.stringContaining(
        "goes back from docker.io/grafana/loki:3.7.8 to docker.io/grafana/loki:3.5.3 on the same volume",
      ),
    },
  ]);
  const forward = review(
    snapshot(registrations),
    snapshot(withImage("StatefulSet", "loki", "docker.io/grafana/loki:3.7.9")),
    noKeys,
  );
  expect(forward.atRisk).toEqual([]);
  expect(forward.verdict).toBe("rolls");
  const stateless = review(
    snapshot(registrations),
    snapshot(
      withImage(
        "Deployment",
        "kube-state-metrics",
        "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.15.0",
      ),
    ),
    noKeys,
  );
  expect(stateless.atRisk).toEqual([]);
});

test("a protected resource that would be replaced is refused: Pulumi stops the update there", () => {
  const protectedBefore = changed("StatefulSet", "prometheus", (r) => ({ ...r, protect: true }));
  const after = protectedBefore.map((r) =>
    isObject(r, "StatefulSet", "prometheus")
      ? { ...r, inputs: { ...r.inputs, spec: { ...(r.inputs.spec as Json), serviceName: "prometheus-v2" } } }
      : r,
  );
  const reviewed = review(snapshot(protectedBefore), snapshot(after), noKeys);
  expect(reviewed.verdict).toBe("refused");
  expect(reviewed.refused[0]).toMatch(
    /^StatefulSet observability\/prometheus is protected, and the update would replace it/,
  );
  expect(passes(reviewed, ["StatefulSet observability/prometheus"])).toBe(false);
});

test("a ConfigMap's new content updates it in place under the program's provider, and that alone restarts nothing", () => {
  const after = changed("ConfigMap", "prometheus-config", (r) => {
    const data = r.inputs.data as Record<string, string>;
    data["prometheus.yml"] = `${data["prometheus.yml"]}\n# edited\n`;
    return r;
  });
  const reviewed = review(snapshot(registrations), snapshot(after), noKeys);
  expect(reviewed.resources).toEqual([
    expect.objectContaining({ key: "ConfigMap observability/prometheus-config", change: "updated" }),
  ]);
  expect(reviewed.verdict).toBe("no restart");
  expect(reviewed.reloads).toEqual([
    {
      key: "ConfigMap observability/prometheus-config",
      readers: [
        {
          workload: "StatefulSet observability/prometheus",
          takes: "live",
          how: "Prometheus reloads it itself within 30s, no restart",
        },
      ],
    },
  ]);
});

test("under a provider left at its defaults (a consumer's own), the same edit replaces the ConfigMap", () => {
  const defaults = (list: readonly Registration[]) =>
    list.map((r) =>
      r.type === "pulumi:providers:kubernetes" ? { ...r, inputs: { context: "kind-observability" } } : r,
    );
  const after = changed("ConfigMap", "prometheus-config", (r) => {
    const data = r.inputs.data as Record<string, string>;
    data["prometheus.yml"] = `${data["prometheus.yml"]}\n# edited\n`;
    return r;
  });
  const reviewed = review(snapshot(defaults(registrations)), snapshot(defaults(after)), noKeys);
  expect(reviewed.resources).toEqual([
    expect.objectContaining({ key: "ConfigMap observability/prometheus-config", change: "replaced" }),
  ]);
  expect(reviewed.verdict).toBe("no restart");
});

test("a dashboard edit reaches Grafana without a restart, as its controller says it re-reads the files", () => {
  const after = changed("ConfigMap", "grafana-dashboards", (r) => {
    const data = r.inputs.data as Record<string, string>;
    const [file] = Object.keys(data);
    data[file] = JSON.stringify({ ...JSON.parse(data[file]), description: "edited" });
    return r;
  });
  const reviewed = review(snapshot(registrations), snapshot(after), noKeys);
  expect(reviewed.verdict).toBe("no restart");
  expect(reviewed.rollouts).toEqual([]);
  expect(reviewed.reloads).toEqual([
    {
      key: "ConfigMap observability/grafana-dashboards",
      readers: [
        {
          workload: "StatefulSet observability/grafana",
          takes: "live",
          how: "Grafana re-reads the dashboard files within 30 s, no restart",
        },
      ],
    },
  ]);
  expect(reviewed.dashboards).toEqual([
    expect.objectContaining({ change: "changed", fields: ["description"] }),
  ]);
});

test("the Grafana provider's resources: a folder permission moved to another folder is replaced, new grants and members are updated in place", async () => {
  const extended = (await renderedExtended("kind")).registrations;
  const edited = (type: string, name: string, inputs: (r: Registration) => Record<string, unknown>) =>
    extended.map((r) => (r.type === type && r.name.endsWith(name) ? { ...r, inputs: inputs(r) } : r));
  const permission = "grafana:oss/folderPermission:FolderPermission";
  const team = "grafana:oss/team:Team";
  const changes = (after: readonly Registration[]) =>
    review(snapshot(extended), snapshot(after), noKeys).resources.map((r) => [r.key, r.change, r.replacedBy]);
  expect(
    changes(
      edited(permission, "folder-permission-extra-payments", (r) => ({
        ...r.inputs,
        folderUid: "extra-archive",
      })),
    ),
  ).toEqual([[`${permission} grafana-folder-permission-extra-payments`, "replaced", ["folderUid"]]]);
  expect(
    changes(
      edited(permission, "folder-permission-extra-payments", (r) => ({
        ...r.inputs,
        permissions: (r.inputs.permissions as Json[]).slice(0, -1),
      })),
    ),
  ).toEqual([[`${permission} grafana-folder-permission-extra-payments`, "updated", undefined]]);
  expect(
    changes(edited(team, "team-payments", (r) => ({ ...r.inputs, members: ["kim@tiketi.example.com"] }))),
  ).toEqual([[`${team} grafana-team-payments`, "updated", undefined]]);
  expect(changes(edited(team, "team-payments", (r) => ({ ...r.inputs, orgId: "2" })))).toEqual([
    [`${team} grafana-team-payments`, "replaced", ["orgId"]],
  ]);
});

test("a component type renamed with an alias keeps its resources; without one, the update would fail", () => {
  const component = registrations.find((r) => r.type === "observability:index:MetricsStack");
  expect(component).toBeDefined();
  // Its resources' URNs are made under its own, as the engine would make them.
  const renamed = (aliases: readonly string[]) =>
    registrations.map((r) =>
      r === component
        ? { ...r, type: "observability:index:Metrics", aliases: [...r.aliases, ...aliases] }
        : {
            ...r,
            parent: r.parent.split("observability:index:MetricsStack").join("observability:index:Metrics"),
          },
    );
  const aliased = review(
    snapshot(registrations),
    snapshot(renamed(["observability:index:MetricsStack"])),
    noKeys,
  );
  expect(aliased.resources).toEqual([]);
  const unaliased = review(snapshot(registrations), snapshot(renamed([])), noKeys);
  expect(unaliased.verdict).toBe("refused");
  expect(unaliased.refused).toContain(
    "StatefulSet observability/prometheus is registered under a new URN with no alias to its old one: Pulumi would create it while the old one exists, and the API server refuses (add the old type or name as an alias)",
  );
});

test("promtool's complaint about a rule file refuses the change, naming the file", async () => {
  const broken = changed("ConfigMap", "prometheus-rules", (r) => {
    (r.inputs.data as Record<string, string>)["team.yaml"] =
      "groups:\n  - name: team\n    rules:\n      - alert: Broken\n        expr: rate(x[5m]\n";
    return r;
  });
  expect(await promtoolProblems(registrations, tools.promtool())).toEqual([]);
  const problems = await promtoolProblems(broken, tools.promtool());
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^promtool check rules: .*team\.yaml/s);
});

test("an alert whose severity no route reads is named with where it goes and the routes that exist; one a route reads is not", () => {
  const after = changed("ConfigMap", "prometheus-rules", (r) => {
    (r.inputs.data as Record<string, string>)["team.yaml"] = [
      "groups:",
      "  - name: team",
      "    rules:",
      "      - { alert: TeamPage, expr: up == 0, labels: { severity: page } }",
      "      - { alert: TeamTicket, expr: up == 0, labels: { severity: warning } }",
    ].join("\n");
    return r;
  });
  expect(review(snapshot(registrations), snapshot(after), noKeys).unrouted).toEqual([
    'Prometheus: alert TeamPage (team.yaml, group team): severity "page" is read by no route, so it goes to warning; the routes read critical, warning (the platform\'s)',
  ]);
});

/** The stack's render with Sloth's getting-started spec added, `metrics` merged into its metrics section. */
async function withSloth(stack: "kind" | "prod", metrics: Json) {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  return renderWithConfig(
    stack,
    {
      ...config,
      "observability:metrics": JSON.stringify({
        ...(JSON.parse(config["observability:metrics"]) as Json),
        slothFiles: ["tests/unit/slo/sloth/getting-started.yml"],
        ...metrics,
      }),
    },
    secretKeys,
  );
}

test("Sloth's getting-started spec added: its page (severity pageteam) goes to the critical receiver, its ticket (slack) to warning, as the review prints them", async () => {
  // Over kind's 7 days: Prometheus keeps 7.
  const added = await withSloth("kind", { slothWindow: "7d" });
  const reviewed = review(snapshot(registrations), snapshot(added.registrations), noKeys);
  const alert =
    "Prometheus: alert MyServiceHighErrorRate (slo.yaml, group slo/myservice-requests-availability)";
  expect(reviewed.alertReceivers).toEqual([
    `${alert} [sloth_severity=page]: critical`,
    `${alert} [sloth_severity=ticket]: warning`,
    "Prometheus: alert SLOIndicatorMissing (slo.yaml, group slo/myservice-requests-availability): warning",
  ]);
  expect(reviewed.unrouted).toEqual([
    `${alert} [sloth_severity=page]: severity "pageteam" is read by no route, so it goes to critical; the routes read critical, warning (the platform's)`,
    `${alert} [sloth_severity=ticket]: severity "slack" is read by no route, so it goes to warning; the routes read critical, warning (the platform's)`,
  ]);
  expect(formatReview([reviewed], "text", "main", [])).toContain(
    `WHERE THE ALERTS GO\n- ${alert} [sloth_severity=page]: critical\n- ${alert} [sloth_severity=ticket]: warning\n`,
  );
});

test("a team route ahead of the platform's takes Sloth's page first; an alert whose routes depend on its series' labels is told with the conditions", () => {
  const alertmanager = changed("ConfigMap", "alertmanager-config", (r) => {
    const data = r.inputs.data as Record<string, string>;
    const config = yaml.load(data["alertmanager.yml"]) as { route: { routes: Json[] } };
    config.route.routes.splice(1, 0, { receiver: "myteam", matchers: ['routing_key="myteam"'] });
    config.route.routes.splice(1, 0, {
      receiver: "payments",
      matchers: ['namespace="payments"'],
      continue: true,
    });
    data["alertmanager.yml"] = yaml.dump(config);
    return r;
  });
  const after = alertmanager.map((r) =>
    isObject(r, "ConfigMap", "prometheus-rules")
      ? (() => {
          const edited = structuredClone(r);
          (edited.inputs.data as Record<string, string>)["team.yaml"] = [
            "groups:",
            "  - name: team",
            "    rules:",
            "      - { alert: Burn, expr: up == 0, labels: { severity: pageteam, sloth_severity: page, routing_key: myteam } }",
            "      - { alert: Burn, expr: up == 0, labels: { severity: slack, sloth_severity: ticket } }",
            "      - { alert: Down, expr: up == 0, labels: { severity: critical } }",
            "      - { alert: Unsaid, expr: up == 0 }",
            "      - { alert: Notice, expr: up == 0, labels: { severity: info, routing_key: other } }",
          ].join("\n");
          return edited;
        })()
      : r,
  );
  const receivers = review(snapshot(registrations), snapshot(after), noKeys).alertReceivers;
  // The platform's alerts the new routes may take are named with where they went before.
  expect(receivers).toContain(
    'Prometheus: alert PodCrashLooping (platform.yaml, group platform-workloads): critical → payments if namespace="payments"; myteam if routing_key="myteam", otherwise critical',
  );
  expect(receivers.filter((line) => line.includes("team.yaml"))).toEqual([
    'Prometheus: alert Burn (team.yaml, group team) [sloth_severity=page]: payments if namespace="payments"; myteam',
    'Prometheus: alert Burn (team.yaml, group team) [sloth_severity=ticket]: payments if namespace="payments"; myteam if routing_key="myteam", otherwise warning',
    'Prometheus: alert Down (team.yaml, group team): payments if namespace="payments"; myteam if routing_key="myteam", otherwise critical',
    'Prometheus: alert Notice (team.yaml, group team): payments if namespace="payments"; warning',
    'Prometheus: alert Unsaid (team.yaml, group team): payments if namespace="payments"; myteam if routing_key="myteam", otherwise warning',
  ]);
});

test("stack files' secrets are compared by their ciphertext, never shown", () => {
  const file = (password: string, folder: string) =>
    [
      "config:",
      "  observability:grafana:",
      `    dashboardsFolder: ${folder}`,
      "    database:",
      "      password:",
      `        secure: ${password}`,
    ].join("\n");
  const before = stackFileKeys(file("v1:AAAA", "Tiketi"));
  const after = stackFileKeys(file("v1:BBBB", "Tiketi"));
  expect(Object.keys(after)).toEqual([
    "observability:grafana.dashboardsFolder",
    "observability:grafana.database.password",
  ]);
  expect(JSON.stringify(after)).not.toContain("BBBB");
  const reviewed = review(snapshot(registrations), snapshot(registrations), { before, after });
  expect(reviewed.configKeys).toEqual(["observability:grafana.database.password"]);
  expect(reviewed.secrets).toEqual(["observability:grafana.database.password"]);
});

describe("values, as they were and will be", () => {
  test("a container's env and resources say what they change from and to", () => {
    const after = changed("StatefulSet", "loki", (r) => {
      const container = ((((r.inputs.spec as Json).template as Json).spec as Json).containers as Json[])[0];
      container.resources.limits.memory = "1Gi";
      container.env = [...(container.env as Json[]), { name: "LOKI_DEBUG", value: "true" }].map((e: Json) =>
        e.name === "GOMEMLIMIT" ? { ...e, value: "819MiB" } : e,
      );
      return r;
    });
    const reviewed = review(snapshot(registrations), snapshot(after), noKeys);
    expect(reviewed.rollouts.map((w) => w.because)).toEqual([
      [
        "container loki: env GOMEMLIMIT 409MiB → 819MiB; LOKI_DEBUG added (true), resources limits.memory 512Mi → 1Gi",
      ],
    ]);
  });

  test("a changed ConfigMap names the keys of its file that change, as they were and will be, updated in place as the program's provider allows", () => {
    const after = changed("ConfigMap", "loki-config", (r) => {
      const data = r.inputs.data as Record<string, string>;
      const loki = yaml.load(data["loki.yaml"]) as Json;
      const was = loki.limits_config.retention_period as string;
      loki.limits_config.retention_period = "720h";
      data["loki.yaml"] = yaml.dump(loki);
      expect(was).not.toBe("720h");
      return r;
    });
    const reviewed = review(snapshot(registrations), snapshot(after), noKeys);
    const key = "ConfigMap observability/loki-config";
    expect(reviewed.configValues[key]).toEqual([
      expect.stringMatching(/^loki\.yaml: limits_config\.retention_period \S+ → 720h$/),
    ]);
    expect(formatReview([reviewed], "text", "main", [])).toContain(
      `${key}: data.loki.yaml (${reviewed.configValues[key][0]})`,
    );
    expect(reviewed.resources.find((r) => r.key === key)?.change).toBe("updated");
  });

  test("a new route without continue above the severity routes is flagged with what it stops; one that continues is not", () => {
    const withRoute = (route: Json) =>
      changed("ConfigMap", "alertmanager-config", (r) => {
        const data = r.inputs.data as Record<string, string>;
        const config = yaml.load(data["alertmanager.yml"]) as Json;
        const routes = config.route.routes as Json[];
        const severity = routes.findIndex((x) => x.receiver === "critical");
        config.route.routes = [...routes.slice(0, severity), route, ...routes.slice(severity)];
        data["alertmanager.yml"] = yaml.dump(config);
        return r;
      });
    const stopping = withRoute({ receiver: "payments", matchers: ['namespace="payments"'] });
    expect(review(snapshot(registrations), snapshot(stopping), noKeys).warnings).toEqual([
      'the route namespace="payments" → payments has no continue and sits above the severity routes: every alert it matches stops there and no longer reaches critical (severity="critical") or warning (severity="warning"); set continue: true to send them to both',
    ]);
    // Already there before the change: not this change's doing.
    expect(review(snapshot(stopping), snapshot(stopping), noKeys).warnings).toEqual([]);
    const continuing = withRoute({
      receiver: "payments",
      matchers: ['namespace="payments"'],
      continue: true,
    });
    expect(review(snapshot(registrations), snapshot(continuing), noKeys).warnings).toEqual([]);
  });

  test("a time interval is named when added or removed, with the periods that change when changed", () => {
    const withIntervals = (intervals: Json[]) =>
      changed("ConfigMap", "alertmanager-config", (r) => {
        const data = r.inputs.data as Record<string, string>;
        data["alertmanager.yml"] = yaml.dump({
          ...(yaml.load(data["alertmanager.yml"]) as Json),
          time_intervals: intervals,
        });
        return r;
      });
    const nights = { times: [{ start_time: "00:00", end_time: "07:00" }] };
    const weekends = { name: "weekends", time_intervals: [{ weekdays: ["saturday", "sunday"] }] };
    const before = withIntervals([{ name: "off-hours", time_intervals: [nights, { weekdays: ["sunday"] }] }]);
    const after = withIntervals([
      { name: "off-hours", time_intervals: [nights, { weekdays: ["saturday", "sunday"] }] },
      weekends,
    ]);
    const reviewed = review(snapshot(before), snapshot(after), noKeys);
    expect(reviewed.timeIntervals).toEqual([
      { name: "off-hours", change: "changed", fields: ["period 2"] },
      { name: "weekends", change: "added", fields: [] },
    ]);
    expect(formatReview([reviewed], "text", "main", [])).toContain(
      "ALERTMANAGER TIME INTERVALS\n- off-hours changed: period 2\n- weekends added",
    );
    expect(review(snapshot(after), snapshot(registrations), noKeys).timeIntervals).toEqual([
      { name: "off-hours", change: "removed", fields: [] },
      { name: "weekends", change: "removed", fields: [] },
    ]);
  });
});

test("on prod, where Prometheus keeps 2 days, Sloth's ticket (its 3-day window) is Thanos Ruler's and its page Prometheus': the review says which evaluates each, and where each goes", async () => {
  const base = await rendered("prod");
  const added = await withSloth("prod", {});
  const reviewed = review(snapshot(base.registrations), snapshot(added.registrations), noKeys);
  const alert = (evaluator: string) =>
    `${evaluator}: alert MyServiceHighErrorRate (slo.yaml, group slo/myservice-requests-availability)`;
  // One alert in each evaluator: their names differ by it, so no label tells them apart.
  expect(reviewed.alertReceivers).toEqual([
    `${alert("Prometheus")}: critical`,
    "Prometheus: alert SLOIndicatorMissing (slo.yaml, group slo/myservice-requests-availability): warning",
    `${alert("Thanos Ruler")}: warning`,
  ]);
});

test("a load balancer subnet added: the review names the UI's admission it closes and the one it opens, with their networks", async () => {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  const exposure = JSON.parse(config["observability:exposure"]) as Json;
  const before = exposure.ingress.loadBalancerCidrs as string[];
  const after = [...before, "10.0.48.0/20"];
  exposure.ingress.loadBalancerCidrs = after;
  const edited = { ...config, "observability:exposure": JSON.stringify(exposure) };
  const prod = await rendered("prod");
  const reviewed = review(
    snapshotOf("prod", prod, { flows: wiringGraph(parsePulumiConfig(config, secretKeys)) }),
    snapshotOf("prod", await renderWithConfig("prod", edited, secretKeys), {
      flows: wiringGraph(parsePulumiConfig(edited, secretKeys)),
    }),
    noKeys,
  );
  const text = formatReview([reviewed], "text", "main", []);
  const admission = (cidrs: readonly string[]) =>
    `- the Ingress load balancer (${cidrs.join(", ")}) → observability/grafana 3006/TCP: UI`;
  expect(text).toContain(`NETWORK FLOWS OPENED\n${admission(after)}\n`);
  expect(text).toContain(`NETWORK FLOWS CLOSED\n${admission(before)}\n`);
});
