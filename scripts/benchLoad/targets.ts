// The scrape targets of the load: one local server per reference-service pod (springPod.ts), per
// node (node_exporter v1.9 fixture) and one kube-state-metrics (v2.16 fixture). Prometheus scrapes
// them through the rendered jobs themselves, relabel rules and intervals included: only their
// Kubernetes discovery becomes a file the bench writes, with the __meta_kubernetes_* labels the
// endpointslice role would attach. Rewriting the file adds pods while Prometheus runs.
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { AddressInfo } from "net";
import * as path from "path";
import { scrapePortName } from "../../components/common/workloadSpec";
import { KUBE_STATE_METRICS, NODE_EXPORTER } from "../../components/metrics/names";
import { DEMO_NAMESPACE } from "../../config/demo";
import { Fixture, SAMPLE, exposition, grown, growth, samples } from "../../tests/kit/expositions/index";
import { issueTls } from "../../tests/kit/tls";
import { springPodExposition } from "./springPod";

/** A rendered scrape job: the fields the bench reads, and the rest passed on as rendered. */
export interface ScrapeJob {
  readonly job_name: string;
  readonly metrics_path?: string;
  readonly relabel_configs?: readonly { readonly action?: string; readonly regex?: string }[];
  readonly scheme?: string;
  readonly [field: string]: unknown;
}

interface Target {
  readonly address: string;
  readonly labels: Record<string, string>;
}

/** A server certificate and its key, for targets a job scrapes over HTTPS. */
interface ServingTls {
  readonly cert: string;
  readonly key: string;
}

/**
 * One pod's server: its exposition with totals growing, regenerated at most once a second; over
 * HTTPS with `tls`.
 */
async function serve(
  text: string,
  metricsPath: string,
  tls?: ServingTls,
): Promise<{ address: string; server: http.Server }> {
  const start = Date.now();
  let cached = { second: -1, body: "" };
  const handler: http.RequestListener = (req, res) => {
    if (req.url !== metricsPath) {
      res.writeHead(404);
      res.end();
      return;
    }
    const second = Math.floor(Date.now() / 1000);
    if (cached.second !== second) {
      cached = { second, body: grown(text, growth(start)) };
    }
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
    res.end(cached.body);
  };
  const server = tls === undefined ? http.createServer(handler) : https.createServer(tls, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The namespace;service;port triples a rendered services job keeps, from its keep rule. */
export function keptServices(job: ScrapeJob): { namespace: string; service: string; port: string }[] {
  const keep = (job.relabel_configs ?? []).find((r) => r.action === "keep");
  return (
    String(keep?.regex ?? "")
      .replace(/^\(|\)$/g, "")
      .split("|")
      .map((triple) => triple.split(";"))
      .filter((parts) => parts.length === 3)
      .map(([namespace, service, port]) => ({ namespace, service, port }))
      // The rated load is the reference services'; the demo kind runs is not part of it.
      .filter(({ namespace }) => namespace !== DEMO_NAMESPACE)
  );
}

/** kube-state-metrics' families whose values are Unix times. */
const UNIX_TIME = /_(created|time|timestamp)$/;

/**
 * The kube-state-metrics capture as if taken now: its Unix times moved by the same offset, so that
 * its newest object was created at `now`. Replayed as captured, its CronJob's next run is long
 * overdue and `CronJobNotScheduled` fires.
 */
export function capturedNow(text: string, now: number): string {
  const created = samples(text).filter((s) => s.name.endsWith("_created"));
  const offset = now - Math.max(...created.map((s) => s.value));
  return text
    .split("\n")
    .map((line) => {
      const match = SAMPLE.exec(line);
      return match === null || !UNIX_TIME.test(match[1])
        ? line
        : line.slice(0, line.length - match[3].length) + String(Number(match[3]) + offset);
    })
    .join("\n");
}

const metaLabels = (
  namespace: string,
  service: string,
  port: string,
  pod: string,
  node: string,
  portName = "http-metrics",
) => ({
  __meta_kubernetes_namespace: namespace,
  __meta_kubernetes_service_name: service,
  __meta_kubernetes_endpointslice_port: port,
  __meta_kubernetes_endpointslice_port_name: portName,
  __meta_kubernetes_pod_name: pod,
  __meta_kubernetes_pod_node_name: node,
});

export class ScrapeTargets {
  private readonly servers: http.Server[] = [];
  private readonly targets = new Map<string, Target[]>();
  private podsPerService = 0;
  private seriesCount = 0;

  /** `jobs`: the rendered scrape jobs; `dir`: where the discovery files go. */
  constructor(
    private readonly jobs: readonly ScrapeJob[],
    private readonly dir: string,
  ) {}

  private job(name: string): ScrapeJob {
    const job = this.jobs.find(
      (j) => j.job_name === name || (name === "services" && /^services-/.test(j.job_name)),
    );
    if (job === undefined) {
      throw new Error(`no rendered scrape job ${name}`);
    }
    return job;
  }

  /** Issued once, for the jobs the render scrapes over HTTPS (node-exporter behind kube-rbac-proxy). */
  private tls?: Promise<ServingTls>;

  private servingTls(): Promise<ServingTls> {
    this.tls ??= issueTls(path.join(this.dir, "tls"), ["localhost"]).then((files) => ({
      cert: fs.readFileSync(files.serverCertFile, "utf8"),
      key: fs.readFileSync(files.serverKeyFile, "utf8"),
    }));
    return this.tls;
  }

  private async add(job: string, text: string, metricsPath: string, labels: Record<string, string>) {
    const scheme = this.jobs.find((j) => j.job_name === job)?.scheme;
    const tls = scheme === "https" ? await this.servingTls() : undefined;
    const { address, server } = await serve(text, metricsPath, tls);
    this.servers.push(server);
    this.targets.set(job, [...(this.targets.get(job) ?? []), { address, labels }]);
    this.seriesCount += samples(text).length;
  }

  private write(): void {
    for (const [job, targets] of this.targets) {
      fs.writeFileSync(
        this.file(job),
        JSON.stringify(targets.map((t) => ({ targets: [t.address], labels: t.labels }))),
      );
    }
  }

  private file(job: string): string {
    return `${this.dir}/targets-${job}.json`;
  }

  /** Servers for `nodes` node-exporters and one kube-state-metrics. */
  async start(nodes: number): Promise<void> {
    for (let i = 0; i < nodes; i++) {
      const node = `node-${i}`;
      await this.add(
        this.job("node-exporter").job_name,
        exposition("node-exporter" satisfies Fixture),
        "/metrics",
        metaLabels(
          "observability-node",
          NODE_EXPORTER.name,
          String(NODE_EXPORTER.ports.metrics.port),
          `node-exporter-${i}`,
          node,
          scrapePortName(NODE_EXPORTER),
        ),
      );
    }
    await this.add(
      this.job("kube-state-metrics").job_name,
      capturedNow(exposition("kube-state-metrics"), Math.floor(Date.now() / 1000)),
      "/metrics",
      metaLabels(
        "observability",
        KUBE_STATE_METRICS.name,
        String(KUBE_STATE_METRICS.ports["http-metrics"].port),
        "kube-state-metrics-0",
        "node-0",
        scrapePortName(KUBE_STATE_METRICS),
      ),
    );
    this.write();
  }

  /** Adds pods until every configured service has `count`, and tells Prometheus through the files. */
  async scaleServices(count: number): Promise<void> {
    const job = this.job("services");
    const metricsPath = job.metrics_path ?? "/metrics";
    for (let pod = this.podsPerService; pod < count; pod++) {
      for (const { namespace, service, port } of keptServices(job)) {
        await this.add(
          job.job_name,
          springPodExposition(service),
          metricsPath,
          metaLabels(namespace, service, port, `${service}-${pod}`, `node-${pod % 10}`),
        );
      }
    }
    this.podsPerService = Math.max(this.podsPerService, count);
    this.write();
  }

  /** Every service pod as [pod name, service, namespace], the log streams' sources. */
  pods(): [string, string, string][] {
    const services = keptServices(this.job("services"));
    return Array.from({ length: this.podsPerService }, (_, pod) =>
      services.map(({ service, namespace }): [string, string, string] => [
        `${service}-${pod}`,
        service,
        namespace,
      ]),
    ).flat();
  }

  /** Series the targets expose per scrape (Prometheus adds its own few per target). */
  series(): number {
    return this.seriesCount;
  }

  /** The three rendered jobs with discovery read from the bench's files. */
  scrapeConfigs(): Record<string, unknown>[] {
    return ["services", "node-exporter", "kube-state-metrics"].map((name) => {
      const job = this.job(name);
      return {
        ...Object.fromEntries(Object.entries(job).filter(([key]) => key !== "kubernetes_sd_configs")),
        file_sd_configs: [{ files: [this.file(job.job_name)], refresh_interval: "5s" }],
      };
    });
  }

  close(): void {
    this.servers.forEach((s) => s.close());
  }
}
