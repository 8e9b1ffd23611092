// ServiceMonitors and PodMonitors scraped without the Prometheus Operator, by an
// Alloy Deployment that remote-writes into Prometheus (metrics.prometheusOperatorMonitors).
import { execFile } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { openApiProblems } from "../../../checks/kubernetesSchema";
import { networkPolicyProblems } from "../../../checks/networkPolicyCoverage";
import { podSecurityProblems } from "../../../checks/podSecurity";
import { renderedPods } from "../../../checks/podSpecs";
import { MONITOR_SCRAPER_RULES } from "../../../components/metrics/monitorScraper";
import { POLICIES } from "../../../policy/rules";
import { KubeObject } from "../../../render/manifest";
import { PROJECT_ROOT, RenderedStack, renderStack, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered, stackConfig } from "../../support/renderedStacks";
import { StackName } from "../../kit/stacks";
import { configMapData, objectNamed } from "../../kit/rendered";
import { strictDecodeProblems } from "../../../testing/strictDecode";
import { tools } from "../../kit/tools";
import { EXTEND_DIR, EXTENDED_STACK, extendedMetricsBlock } from "../../support/extendedStack";
import { Json } from "../../kit/json";

const run = promisify(execFile);

function renderProdWithMonitors(): Promise<RenderedStack> {
  const prod = readStackFile("prod", PROJECT_ROOT);
  return renderWithConfig(
    "prod-monitors",
    { ...prod.config, "observability:metrics": extendedMetricsBlock() },
    [...prod.secretKeys, "observability:metrics"],
  );
}

const RENDERS: readonly [StackName, () => Promise<RenderedStack>, number][] = [
  ["kind", () => renderStack(EXTENDED_STACK, EXTEND_DIR), 1],
  ["prod", renderProdWithMonitors, 2],
];

const scraperPodSpec = (objects: readonly KubeObject[]): Json =>
  objectNamed(objects, "Deployment", "monitor-scraper").spec.template.spec;
const namespacePeer = (namespace: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
});
const prometheusPeer = {
  ...namespacePeer("observability"),
  podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
};

describe.each(RENDERS)("stack %s with prometheusOperatorMonitors", (stack, render, prometheusReplicas) => {
  let renderedStack: RenderedStack;
  let objects: readonly KubeObject[];
  beforeAll(async () => {
    renderedStack = await render();
    objects = renderedStack.objects;
  });

  test("every object decodes strictly and passes the policy pack; the scraper pod is restricted and isolated", () => {
    const pods = renderedPods(objects).filter((p) => p.owner.includes("monitor-scraper"));
    expect(pods).toHaveLength(1);
    expect(pods.flatMap((pod) => podSecurityProblems(pod, { nodeNamespace: "observability-node" }))).toEqual(
      [],
    );
    expect(networkPolicyProblems(pods, objects)).toEqual([]);
    expect(objects.flatMap(openApiProblems)).toEqual([]);
    expect(strictDecodeProblems(objects)).toEqual([]);
    const inputs = renderedStack.registrations.map((r) => ({
      type: r.type,
      props: r.inputs,
      protect: r.protect,
    }));
    expect(POLICIES.map((p) => [p.name, p.check(inputs)])).toEqual(POLICIES.map((p) => [p.name, []]));
  });

  test("one Alloy replica in the restricted namespace, replaced (never doubled) on a change", () => {
    const deployment = objectNamed(objects, "Deployment", "monitor-scraper");
    expect(deployment.metadata.namespace).toBe("observability");
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: "Recreate" });
    const spec = scraperPodSpec(objects);
    expect(spec.serviceAccountName).toBe("monitor-scraper");
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(spec.containers).toHaveLength(1);
    expect(spec.containers[0].image).toBe("docker.io/grafana/alloy:v1.19.0");
    expect(spec.containers[0].resources.limits.memory).toBe(stack === "kind" ? "256Mi" : "512Mi");
    expect(spec.hostNetwork).toBeUndefined();
    // Not the log agent: its config scrapes no monitors, and the monitored namespaces get no Role.
    expect(configMapData(objects, "alloy-config")["config.alloy"]).not.toContain("prometheus.operator");
    expect(
      objects.filter((o) => ["cert-manager", "ingress-nginx"].includes(o.metadata.namespace ?? "")),
    ).toEqual([]);
  });

  test("the Alloy config watches both monitor kinds in the configured namespaces and writes to every Prometheus replica", () => {
    const text = configMapData(objects, "monitor-scraper-config")["config.alloy"];
    for (const kind of ["servicemonitors", "podmonitors"]) {
      expect(text).toContain(
        `prometheus.operator.${kind} "teams" {\n  namespaces = ["cert-manager", "ingress-nginx"]\n  forward_to = [prometheus.remote_write.prometheus.receiver]\n`,
      );
    }
    const urls = [...text.matchAll(/url = "([^"]+)"/g)].map((m) => m[1]);
    expect(urls).toEqual(
      Array.from(
        { length: prometheusReplicas },
        (_, i) => `http://prometheus-${i}.prometheus-peers.observability.svc:9090/api/v1/write`,
      ),
    );
    expect(text.match(/target_label = "tier"\n\s+replacement = "app"/g)).toHaveLength(prometheusReplicas);
  });

  test("its ClusterRole reads the monitors and what they select, and no Secret", () => {
    const role = objects.find(
      (o) => o.kind === "ClusterRole" && o.metadata.name === "observability-monitor-scraper",
    ) as Json;
    expect(role.rules).toEqual(MONITOR_SCRAPER_RULES);
    expect(JSON.stringify(role.rules)).not.toContain("secrets");
    const binding = objectNamed(objects, "ClusterRoleBinding", "observability-monitor-scraper");
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: "monitor-scraper", namespace: "observability" },
    ]);
  });

  test("its NetworkPolicy: Prometheus' write port, the monitored namespaces, the API server at cluster.apiServerCidrs (kind: any address); only Prometheus scrapes it", () => {
    const policy = objectNamed(objects, "NetworkPolicy", "monitor-scraper").spec;
    expect(policy.egress).toEqual([
      { ports: [{ protocol: "TCP", port: 9090 }], to: [prometheusPeer] },
      { to: [namespacePeer("cert-manager"), namespacePeer("ingress-nginx")] },
      {
        ports: [
          { protocol: "TCP", port: 443 },
          { protocol: "TCP", port: 6443 },
        ],
        to: (stackConfig(stack).cluster.apiServerCidrs ?? ["0.0.0.0/0"]).map((cidr) => ({
          ipBlock: { cidr },
        })),
      },
    ]);
    expect(policy.ingress).toEqual([{ ports: [{ protocol: "TCP", port: 12345 }], from: [prometheusPeer] }]);
    const prometheusIngress = objectNamed(objects, "NetworkPolicy", "prometheus").spec.ingress as Json[];
    const writers = prometheusIngress.find((r) => r.ports?.[0]?.port === 9090)?.from as Json[];
    expect(writers).toContainEqual({
      ...namespacePeer("observability"),
      podSelector: { matchLabels: { "app.kubernetes.io/name": "monitor-scraper" } },
    });
  });

  test("Prometheus scrapes the scraper itself, so its per-monitor target counts reach the alert", () => {
    const prometheus = yaml.load(configMapData(objects, "prometheus-config")["prometheus.yml"]) as Json;
    const job = prometheus.scrape_configs.find((j: Json) => j.job_name === "monitor-scraper");
    expect(job.relabel_configs[0]).toEqual({
      source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_endpointslice_port_name"],
      regex: "monitor-scraper;http",
      action: "keep",
    });
    expect(Object.keys(configMapData(objects, "prometheus-rules"))).toContain("monitors.yaml");
  });
});

test("off by default: neither committed stack runs a scraper or loads the monitors' rule", async () => {
  for (const stack of ["kind", "prod"] as const) {
    const { objects } = await rendered(stack);
    expect(objects.filter((o) => o.metadata.name.includes("monitor-scraper"))).toEqual([]);
    expect(Object.keys(configMapData(objects, "prometheus-rules"))).not.toContain("monitors.yaml");
  }
});

describe("a ServiceMonitor whose selector matches nothing is reported", () => {
  // What the scraper exports per monitor endpoint once Prometheus has scraped it: Alloy's scrape
  // manager gauge with its job, instance and component labels.
  const pool = (scrapeJob: string, component: string) =>
    `prometheus_target_scrape_pool_targets{job="monitor-scraper", instance="10.244.0.17:12345", namespace="observability", component_id="prometheus.operator.${component}.teams", component_path="/", scrape_job="${scrapeJob}"}`;
  const matching = "serviceMonitor/cert-manager/cert-manager/0";
  const empty = "serviceMonitor/ingress-nginx/ingress-nginx-controller/0";
  const emptyPods = "podMonitor/ingress-nginx/admission-webhook/0";

  test("promtool: MonitorSelectsNothing fires after 15 minutes for the empty pools only", async () => {
    const { objects } = await renderStack(EXTENDED_STACK, EXTEND_DIR);
    const rulesText = configMapData(objects, "prometheus-rules")["monitors.yaml"];
    const rule = (yaml.load(rulesText) as Json).groups[0].rules[0];
    const annotations = (job: string) =>
      Object.fromEntries(
        Object.entries(rule.annotations as Record<string, string>).map(([k, v]) => [
          k,
          v.replaceAll("{{ $labels.scrape_job }}", job),
        ]),
      );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "monitors-"));
    try {
      fs.writeFileSync(path.join(dir, "monitors.yaml"), rulesText);
      const unitTests = {
        rule_files: ["monitors.yaml"],
        evaluation_interval: "1m",
        tests: [
          {
            interval: "1m",
            input_series: [
              { series: pool(matching, "servicemonitors"), values: "2x30" },
              { series: pool(empty, "servicemonitors"), values: "0x30" },
              { series: pool(emptyPods, "podmonitors"), values: "0x30" },
            ],
            alert_rule_test: [
              { eval_time: "10m", alertname: "MonitorSelectsNothing", exp_alerts: [] },
              {
                eval_time: "20m",
                alertname: "MonitorSelectsNothing",
                exp_alerts: [empty, emptyPods].map((job) => ({
                  exp_labels: { severity: "warning", scrape_job: job },
                  exp_annotations: annotations(job),
                })),
              },
            ],
          },
        ],
      };
      fs.writeFileSync(path.join(dir, "tests.yaml"), yaml.dump(unitTests));
      const { stdout } = await run(tools.promtool(), ["test", "rules", path.join(dir, "tests.yaml")]);
      expect(stdout).toContain("SUCCESS");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
