// The platform alerts as rendered: each names its object and links the USE dashboard that shows
// it; none reads a component EKS hides; the API server is scraped with the least RBAC; and the
// real Alertmanager silences what a node that is not ready, or a critical alert, explains.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { AlertRule, RuleFile } from "../../../components/common/prometheusTypes";
import { USE_DASHBOARDS } from "../../../components/common/grafanaUids";
import { rendered } from "../../support/renderedStacks";
import { STACKS } from "../../kit/stacks";
import { Servers, eventually } from "../../kit/processes";
import { startAlertmanager } from "../../kit/alertmanager";
import { configMapData, objectNamed, prometheusYml } from "../../kit/rendered";
import { PLATFORM_ALERT_CASES } from "./platformRuleCases";
import { Json } from "../../kit/json";

const GRAFANA = { kind: "http://localhost:30006", prod: "https://grafana.tiketi.example.com" };

async function platformRules(stack: (typeof STACKS)[number]) {
  const { objects } = await rendered(stack);
  const file = yaml.load(configMapData(objects, "prometheus-rules")["platform.yaml"]) as RuleFile;
  return { objects, rules: file.groups.flatMap((g) => g.rules) };
}

describe.each(STACKS)("the %s render's platform rules", (stack) => {
  let objects: Awaited<ReturnType<typeof platformRules>>["objects"];
  let alerts: AlertRule[];
  let expressions: string[];
  beforeAll(async () => {
    const platform = await platformRules(stack);
    objects = platform.objects;
    alerts = platform.rules.filter((r): r is AlertRule => "alert" in r);
    expressions = platform.rules.map((r) => r.expr);
  });

  test("every alert links a USE dashboard at Grafana's URL, its variables filled from labels the summary names", () => {
    const uids = Object.values(USE_DASHBOARDS).map((d) => d.uid);
    expect(alerts.length).toBeGreaterThan(40);
    for (const rule of alerts) {
      const url = new URL(
        (rule.annotations.dashboard_url ?? "").replace(/\{\{ \$labels\.(\w+) \}\}/g, "<$1>"),
      );
      expect(`${url.origin}`).toBe(GRAFANA[stack]);
      const uid = url.pathname.replace(/^\/d\//, "");
      expect(uids).toContain(uid);
      const dashboard = Object.values(USE_DASHBOARDS).find((d) => d.uid === uid) as {
        variables: readonly string[];
      };
      expect([...url.searchParams.keys()]).toEqual(dashboard.variables.map((v) => `var-${v}`));
      for (const value of url.searchParams.values()) {
        const label = /^<(\w+)>$/.exec(value)?.[1] as string;
        expect(`${rule.alert}: ${rule.annotations.summary}`).toContain(`$labels.${label}`);
      }
      expect(["critical", "warning"]).toContain(rule.labels.severity);
    }
  });

  test("every alert has a firing and a silent promtool case of its own", () => {
    const cased = new Set(PLATFORM_ALERT_CASES.map((c) => c.alert));
    expect(alerts.map((a) => a.alert).filter((a) => !cased.has(a))).toEqual([]);
  });

  test("the labels a dashboard link reads are on the alert when it fires", () => {
    for (const rule of alerts) {
      const linked = [...(rule.annotations.dashboard_url ?? "").matchAll(/\$labels\.(\w+)/g)].map(
        (m) => m[1],
      );
      const fired = PLATFORM_ALERT_CASES.filter(
        (c) => c.alert === rule.alert && c.fires !== undefined,
      ).flatMap((c) => [c.fires ?? []].flat());
      for (const labels of fired) {
        expect({ alert: rule.alert, missing: linked.filter((l) => !(l in labels)) }).toEqual({
          alert: rule.alert,
          missing: [],
        });
      }
    }
  });

  test("no rule reads the scheduler, the controller manager or etcd, which EKS does not expose", () => {
    const hidden = /\b(scheduler_|etcd_|workqueue_|leader_election_|kube-scheduler|kube-controller-manager)/;
    expect(expressions.filter((e) => hidden.test(e))).toEqual([]);
    const prometheusConfig = prometheusYml(objects);
    expect(prometheusConfig.scrape_configs.map((j: Json) => j.job_name)).toEqual(
      expect.arrayContaining(["kubelet", "cadvisor", "apiserver", "coredns"]),
    );
    expect(JSON.stringify(prometheusConfig)).not.toMatch(/scheduler|controller-manager|etcd/);
  });

  test("Prometheus may read the API server's /metrics and nothing more of its non-resource URLs", () => {
    const role = objectNamed(objects, "ClusterRole", "observability-prometheus");
    expect(role.rules.filter((r: Json) => r.nonResourceURLs !== undefined)).toEqual([
      { nonResourceURLs: ["/metrics"], verbs: ["get"] },
    ]);
  });
});

describe("the real Alertmanager with the kind render's inhibitions", () => {
  const servers = new Servers();
  let dir: string;
  let base: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "inhibit-alertmanager-"));
    ({ base } = await startAlertmanager(servers, (await rendered("kind")).objects, dir));
  });
  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const down = "ip-10-0-97-10.ec2.internal";
  const up = "ip-10-0-98-10.ec2.internal";
  const pod = (node: string, name: string) => ({
    namespace: "tiketi-spring",
    pod: name,
    container: "app",
    node,
  });
  const alerts: Record<string, Json> = {
    nodeDown: { alertname: "NodeNotReady", severity: "critical", node: down },
    crashOnDownNode: { alertname: "PodCrashLooping", severity: "critical", ...pod(down, "a") },
    kubeletOfDownNode: { alertname: "PlatformTargetDown", severity: "critical", job: "kubelet", node: down },
    crashElsewhere: { alertname: "PodCrashLooping", severity: "critical", ...pod(up, "b") },
    notReadyOfCrashing: { alertname: "PodNotReady", severity: "warning", ...pod(up, "b") },
    notReadyElsewhere: { alertname: "PodNotReady", severity: "warning", ...pod(up, "c") },
    volumeFull: {
      alertname: "VolumeAlmostFull",
      severity: "critical",
      namespace: "observability",
      persistentvolumeclaim: "data-loki-0",
    },
    volumeFilling: {
      alertname: "VolumeFillingUp",
      severity: "warning",
      namespace: "observability",
      persistentvolumeclaim: "data-loki-0",
    },
  };

  test("a node not ready silences its pods and its kubelet; a critical alert the warnings of its object", async () => {
    const posted = await fetch(`${base}/api/v2/alerts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.values(alerts).map((labels) => ({ labels, annotations: {} }))),
    });
    expect(posted.status).toBe(200);
    const expected = {
      nodeDown: false,
      crashOnDownNode: true,
      kubeletOfDownNode: true,
      crashElsewhere: false,
      notReadyOfCrashing: true,
      notReadyElsewhere: false,
      volumeFull: false,
      volumeFilling: true,
    };
    // Alertmanager works out inhibitions after it has taken the alerts: on a busy machine the
    // first listing can come before that. What it lists once it settles is what is judged.
    let inhibited: Record<string, boolean> = {};
    await eventually(
      async () => {
        const listed = (await (await fetch(`${base}/api/v2/alerts`)).json()) as Json[];
        inhibited = Object.fromEntries(
          Object.entries(alerts).map(([key, labels]) => {
            const alert = listed.find((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v));
            return [key, (alert?.status.inhibitedBy.length ?? 0) > 0];
          }),
        );
        return JSON.stringify(inhibited) === JSON.stringify(expected) ? true : undefined;
      },
      "Alertmanager's inhibitions",
      30000,
    ).catch(() => undefined);
    expect(inhibited).toEqual(expected);
  });
});
