// The platform's rules and USE dashboards on what the real exporters print. The real Prometheus of
// each profile runs its rendered prometheus.yml and every rendered rule file; only discovery and
// addresses are rewritten: kube-state-metrics, node-exporter, CoreDNS, the kubelet and cAdvisor
// become local servers answering with their fixture expositions (tests/kit/expositions, the kubelet's
// two and node-exporter's over HTTPS as the kubelet and kube-rbac-proxy serve them), and the API server is the test control plane's real one
// (tests/kit/cluster.ts), reached with its CA and an admin token in place of the ServiceAccount's.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KUBE_STATE_METRICS, NODE_EXPORTER, PROMETHEUS } from "../../components/metrics/names";
import { scrapePortName } from "../../components/common/workloadSpec";
import { ScrapeConfig } from "../../components/common/prometheusTypes";
import { KubeObject } from "../../render/manifest";
import { rendered } from "../support/renderedStacks";
import { StackName } from "../kit/stacks";
import { KIND_SHAPE, TestCluster, startCluster } from "../kit/cluster";
import { dashboards } from "../support/dashboards";
import { Fixture, expositionServer, samples } from "../kit/expositions/index";
import { getJson } from "../kit/http";
import { LocalHttpServer } from "../kit/httpServers";
import { Servers, eventually } from "../kit/processes";
import { startRenderedPrometheus } from "../kit/localServers";
import { Json } from "../kit/json";
import { everyGroupEvaluatedSince } from "../kit/ruleEvaluation";

/** The node of the fixtures' one-node cluster. */
const NODE = "kind-control-plane";

interface Source {
  readonly fixture: Fixture;
  readonly path: string;
  /**
   * Served over HTTPS, as the kubelet serves both its endpoints and kube-rbac-proxy node-exporter's
   * (metrics.nodeExporter.authProxy, on in both profiles; its checks of the caller are
   * nodeExporterProxy.test's).
   */
  readonly tls: boolean;
  /** The metadata Kubernetes discovery attaches to the target, which the job's relabelling reads. */
  readonly meta: Readonly<Record<string, string>>;
}

/** The pod behind a Service's endpoint, as endpointslice discovery announces it. */
const endpoint = (namespace: string, pod: string, meta: Readonly<Record<string, string>>) => ({
  __meta_kubernetes_namespace: namespace,
  __meta_kubernetes_pod_name: pod,
  __meta_kubernetes_pod_node_name: NODE,
  ...meta,
});

/** The platform's scrape jobs served from fixtures, by job name. */
const FIXTURE_SOURCES: Readonly<Record<string, Source>> = {
  "kube-state-metrics": {
    fixture: "kube-state-metrics",
    path: "/metrics",
    tls: false,
    meta: endpoint("observability", "kube-state-metrics-6b9f7d8c5-hx2lq", {
      __meta_kubernetes_service_name: KUBE_STATE_METRICS.name,
      __meta_kubernetes_endpointslice_port_name: scrapePortName(KUBE_STATE_METRICS) ?? "",
    }),
  },
  "node-exporter": {
    fixture: "node-exporter",
    path: "/metrics",
    tls: true,
    meta: endpoint("observability-node", "node-exporter-9b7tq", {
      __meta_kubernetes_service_name: NODE_EXPORTER.name,
      __meta_kubernetes_endpointslice_port_name: scrapePortName(NODE_EXPORTER) ?? "",
    }),
  },
  coredns: {
    fixture: "coredns",
    path: "/metrics",
    tls: false,
    meta: endpoint("kube-system", "coredns-674b8bbfcf-7xk2p", {
      __meta_kubernetes_service_name: "kube-dns",
      __meta_kubernetes_service_label_k8s_app: "kube-dns",
      __meta_kubernetes_endpointslice_port: "9153",
      __meta_kubernetes_endpointslice_port_name: "metrics",
    }),
  },
  kubelet: { fixture: "kubelet", path: "/metrics", tls: true, meta: { __meta_kubernetes_node_name: NODE } },
  cadvisor: {
    fixture: "cadvisor",
    path: "/metrics/cadvisor",
    tls: true,
    meta: { __meta_kubernetes_node_name: NODE },
  },
};

/** The API server's job: the `kubernetes` Service's endpoint in `default`. */
const APISERVER_JOB = "apiserver";
const APISERVER_META = {
  __meta_kubernetes_namespace: "default",
  __meta_kubernetes_service_name: "kubernetes",
  __meta_kubernetes_endpointslice_port_name: "https",
  __meta_kubernetes_endpointslice_port: "6443",
};

/** Every platform job: each must be rendered, served here and scraped. */
const PLATFORM_JOBS = [...Object.keys(FIXTURE_SOURCES), APISERVER_JOB];

/**
 * Each USE dashboard's variables set to objects the fixtures hold. A panel must have data for one
 * of its dashboard's sets: the namespace dashboard is read for the app namespace (quota, HPA) and
 * for the stack's (volumes).
 */
const VARIABLES: Readonly<Record<string, readonly Readonly<Record<string, string>>[]>> = {
  "obs-k8s-cluster": [{}],
  "obs-k8s-namespace": [{ namespace: "tiketi-spring" }, { namespace: "observability" }],
  "obs-k8s-workload": [{ namespace: "tiketi-spring", workload: "gateway-service" }],
  "obs-k8s-pod": [{ namespace: "tiketi-spring", pod: "gateway-service-7f3031d0-pxcvj" }],
  "obs-k8s-node": [{ node: NODE }],
  "obs-k8s-volumes": [{ namespace: "observability", persistentvolumeclaim: "data-prometheus-0" }],
};

/** Grafana's `$__rate_interval` at the rendered 15 s scrape interval: four intervals. */
const RATE_INTERVAL = "1m";

const substitute = (expr: string, values: Readonly<Record<string, string>>): string =>
  Object.entries(values).reduce(
    (e, [name, value]) => e.replaceAll(`$${name}`, value),
    expr.replaceAll("$__rate_interval", RATE_INTERVAL),
  );

interface Profile {
  readonly objects: readonly KubeObject[];
  readonly base: string;
  /** Jobs of the render served here, by name. */
  readonly jobs: readonly string[];
}

describe("platform rules and USE dashboards on what the real exporters print, both profiles", () => {
  const servers = new Servers();
  const local = new Map<string, LocalHttpServer>();
  const profiles = new Map<StackName, Profile>();
  let cluster: TestCluster | undefined;
  let dir: string;

  async function query(base: string, expr: string): Promise<Json[]> {
    const { data } = await getJson(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return data.result as Json[];
  }

  /** The API server's address and the credentials Prometheus reads from the ServiceAccount's files. */
  function apiServer(): { address: string; ca: string; token: string } {
    const kubeconfig = JSON.parse(fs.readFileSync(cluster?.kubeconfigPath ?? "", "utf8")) as Json;
    return {
      address: new URL(kubeconfig.clusters[0].cluster.server as string).host,
      ca: fs.readFileSync(kubeconfig.clusters[0].cluster["certificate-authority"] as string, "utf8"),
      token: kubeconfig.users[0].user.token as string,
    };
  }

  /** Discovery replaced by the local servers, announced with the metadata Kubernetes attaches. */
  function localTargets(job: ScrapeConfig, prometheusPort: number, apiAddress: string): ScrapeConfig {
    if (job.kubernetes_sd_configs === undefined) {
      // Each replica's own scrape of itself, on its local port.
      return JSON.parse(
        JSON.stringify(job).replaceAll(
          `localhost:${PROMETHEUS.ports.http.port}`,
          `127.0.0.1:${prometheusPort}`,
        ),
      ) as ScrapeConfig;
    }
    const rest = { ...job, kubernetes_sd_configs: undefined };
    const source = FIXTURE_SOURCES[job.job_name];
    if (source !== undefined) {
      return {
        ...rest,
        static_configs: [{ targets: [`127.0.0.1:${local.get(job.job_name)?.port}`], labels: source.meta }],
      };
    }
    if (job.job_name === APISERVER_JOB) {
      return { ...rest, static_configs: [{ targets: [apiAddress], labels: APISERVER_META }] };
    }
    return { ...rest, static_configs: [] };
  }

  async function startProfile(stack: StackName): Promise<Profile> {
    const { objects } = await rendered(stack);
    const api = apiServer();
    let scrapeConfigs: readonly ScrapeConfig[] = [];
    const { base } = await startRenderedPrometheus(
      servers,
      objects,
      path.join(dir, stack),
      (generated, port) => {
        scrapeConfigs = generated.scrape_configs.map((j) => localTargets(j, port, api.address));
        return { ...generated, scrape_configs: scrapeConfigs };
      },
      { serviceAccount: api },
    );
    const jobs = scrapeConfigs
      .map((j) => j.job_name)
      .filter((name) => name in FIXTURE_SOURCES || name === APISERVER_JOB);
    return { objects, base, jobs };
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "use-dashboards-"));
    // The kubelet's serving certificate is self-signed, as on kind and most EKS node groups.
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        `/CN=${NODE}`,
        "-keyout",
        path.join(dir, "kubelet.key"),
        "-out",
        path.join(dir, "kubelet.crt"),
      ],
      { stdio: "ignore" },
    );
    const tls = {
      key: fs.readFileSync(path.join(dir, "kubelet.key"), "utf8"),
      cert: fs.readFileSync(path.join(dir, "kubelet.crt"), "utf8"),
    };
    for (const [job, source] of Object.entries(FIXTURE_SOURCES)) {
      local.set(job, await expositionServer(source.fixture, source.path, source.tls ? tls : undefined));
    }
    cluster = await startCluster(KIND_SHAPE);
    for (const stack of ["kind", "prod"] as const) {
      profiles.set(stack, await startProfile(stack));
    }

    // Two scrapes of every platform target, then two evaluations of every group (a group may read
    // another's last round).
    for (const [stack, { base, jobs }] of profiles) {
      await eventually(
        async () => {
          const scraped = await query(base, "count_over_time(up[5m]) >= 2");
          const done = new Set(scraped.map((s) => s.metric.job as string));
          return jobs.every((j) => done.has(j)) ? true : undefined;
        },
        `${stack}: two scrapes of every platform target`,
        90000,
      );
    }
    for (let round = 0; round < 2; round++) {
      const since = Date.now() / 1000;
      for (const [stack, { base }] of profiles) {
        await eventually(
          async () => {
            const { data } = await getJson(`${base}/api/v1/rules`);
            return everyGroupEvaluatedSince(data.groups as Json[], since) ? true : undefined;
          },
          `${stack}: a rule evaluation of every group`,
          90000,
        );
      }
    }
  }, 300000);

  afterAll(async () => {
    await servers.stopAll();
    await cluster?.stop();
    await Promise.all([...local.values()].map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const profile = (stack: StackName): Profile => {
    const p = profiles.get(stack);
    if (p === undefined) throw new Error(`${stack} did not start`);
    return p;
  };

  describe.each<StackName>(["kind", "prod"])("%s", (stack) => {
    test("every platform target is scraped and up, the API server the test control plane's own", async () => {
      const { base, jobs } = profile(stack);
      expect(PLATFORM_JOBS.filter((j) => !jobs.includes(j))).toEqual([]);
      const up = await query(base, `up{job=~"${jobs.join("|")}"}`);
      const byJob = Object.fromEntries(up.map((s) => [s.metric.job as string, s.value[1] as string]));
      console.log(`${stack}: platform targets ${JSON.stringify(byJob)}`);
      expect(byJob).toEqual(Object.fromEntries(jobs.map((j) => [j, "1"])));
      // The test control plane's own requests, counted by the real API server (built without a version stamp).
      const [requests] = await query(base, `sum(apiserver_request_total{job="${APISERVER_JOB}"})`);
      expect(Number(requests?.value[1])).toBeGreaterThan(0);
    });

    test("every rule group evaluates without an error", async () => {
      const { base } = profile(stack);
      const { data } = await getJson(`${base}/api/v1/rules`);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const startedAt = samples(metrics).find((s) => s.name === "process_start_time_seconds")?.value ?? 0;
      // A group not evaluated yet because its interval (the SLO budgets': 5 minutes) is longer than
      // Prometheus has run; promtool evaluates those rules in npm test.
      const notYetDue = (g: Json) =>
        String(g.lastEvaluation).startsWith("0001-") && Date.now() / 1000 - startedAt < Number(g.interval);
      const groups = (data.groups as Json[]).filter((g) => !notYetDue(g));
      const failing = groups.flatMap((g) =>
        (g.rules as Json[])
          .filter((r) => r.health !== "ok")
          .map(
            (r) =>
              `${g.name as string}/${(r.name as string) ?? ""}: ${r.health as string} ${r.lastError ?? ""}`,
          ),
      );
      const failures = samples(metrics)
        .filter((s) => s.name === "prometheus_rule_evaluation_failures_total")
        .reduce((sum, s) => sum + s.value, 0);
      console.log(
        `${stack}: ${groups.length} rule groups evaluated, ${groups.flatMap((g) => g.rules as Json[]).length} rules, ${failures} evaluation failures; not yet due: ${
          (data.groups as Json[])
            .filter(notYetDue)
            .map((g) => g.name as string)
            .join(", ") || "none"
        }`,
      );
      expect(groups.length).toBeGreaterThan(5);
      expect(failing).toEqual([]);
      expect(failures).toBe(0);
    });

    test("every panel of the six USE dashboards has data, its variables set to objects the fixtures hold", async () => {
      const { base, objects } = profile(stack);
      const boards = dashboards(objects).filter((b) => (b.uid as string) in VARIABLES);
      expect(boards.map((b) => b.uid).sort()).toEqual(Object.keys(VARIABLES).sort());
      const empty: string[] = [];
      let panels = 0;
      for (const board of boards) {
        for (const panel of board.panels as Json[]) {
          const exprs = (panel.targets as Json[])
            .filter((t) => t.datasource.type === "prometheus")
            .map((t) => t.expr as string);
          if (exprs.length === 0) continue;
          panels++;
          let best: string[] | undefined;
          for (const values of VARIABLES[board.uid as string]) {
            const results = await Promise.all(exprs.map((e) => query(base, substitute(e, values))));
            const without = exprs.filter((_, i) => results[i].length === 0);
            if (best === undefined || without.length < best.length) best = without;
          }
          if (best !== undefined && best.length > 0) {
            empty.push(
              `${board.title as string} / ${panel.title as string}: no data for ${best.join(" ; ")}`,
            );
          }
        }
      }
      console.log(`${stack}: ${panels} USE panels queried, ${panels - empty.length} with data`);
      expect(empty).toEqual([]);
    });

    test("each variable offers the value the test sets it to", async () => {
      const { base, objects } = profile(stack);
      const missing: string[] = [];
      for (const board of dashboards(objects).filter((b) => (b.uid as string) in VARIABLES)) {
        for (const values of VARIABLES[board.uid as string]) {
          for (const variable of board.templating.list as Json[]) {
            const definition = substitute(variable.query.query as string, values);
            const labelValues = /^label_values\((.+), (\w+)\)$/.exec(definition);
            const queryResult = /^query_result\((.+)\)$/s.exec(definition);
            let offered: string[] = [];
            if (labelValues !== null) {
              const { data } = await getJson(
                `${base}/api/v1/label/${labelValues[2]}/values?match[]=${encodeURIComponent(labelValues[1])}`,
              );
              offered = data as string[];
            } else if (queryResult !== null) {
              const label = /\/(\w+)="/.exec(variable.regex as string)?.[1] ?? "";
              offered = (await query(base, queryResult[1])).map((s) => s.metric[label] as string);
            }
            if (!offered.includes(values[variable.name as string])) {
              missing.push(
                `${board.title as string} $${variable.name as string}: ${values[variable.name as string]} not in ${JSON.stringify(offered)}`,
              );
            }
          }
        }
      }
      expect(missing).toEqual([]);
    });

    test("the workload dashboard finds the pods of a Deployment, a StatefulSet and a DaemonSet", async () => {
      const { base, objects } = profile(stack);
      const board = dashboards(objects).find((b) => b.uid === "obs-k8s-workload") as Json;
      const panel = (board.panels as Json[]).find((p) => p.title === "CPU use by pod") as Json;
      const podsOf = async (namespace: string, workload: string) =>
        (await query(base, substitute(panel.targets[0].expr as string, { namespace, workload })))
          .map((s) => s.metric.pod as string)
          .sort();
      expect(await podsOf("tiketi-spring", "gateway-service")).toEqual(["gateway-service-7f3031d0-pxcvj"]);
      expect(await podsOf("observability", "prometheus")).toEqual(["prometheus-0"]);
      expect(await podsOf("observability-node", "node-exporter")).toEqual(["node-exporter-9b7tq"]);
      expect(await podsOf("observability", "alertmanager")).toEqual(["alertmanager-0"]);
    });
  });
});
