// Grafana's query path over the two real Prometheus replicas of the prod render: each with its
// rendered Thanos sidecar, under the rendered Thanos Query that the datasource names, all on
// 127.0.0.1. Both replicas scrape the same target, as in the cluster. Each replica in turn is killed
// (SIGKILL of Prometheus and its sidecar: the pod is gone) for two minutes while a reader queries
// every second as Grafana does, then restarted on its data; the second replica goes down 22 s after
// the first is back, as the next pod of a rolling update would. Amazon Managed Prometheus'
// deduplication is documented (docs/components.md), not emulated; what the replicas send it, their
// `__replica__` label, is checked on the real binary. The sidecars upload to the local S3 store as
// rendered; the store gateways over it, which this failover does not involve, are not run here
// (tests/servers/thanosHistory.test.ts and faults/thanosFaults.test.ts run them).
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { provisionedDatasources, serviceOfUrl, statefulSetPods } from "../../../checks/exposedBackends";
import { KubeObject } from "../../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { rendered, stackConfig } from "../../support/renderedStacks";
import { remoteWrite } from "../../kit/expositions/index";
import { LocalHttpServer, springActuator, webhookReceiver } from "../../kit/httpServers";
import { Running, Servers, eventually, restartServer } from "../../kit/processes";
import { objectNamed, workloadNamed } from "../../kit/rendered";
import {
  RunningThanos,
  renderedQueryEndpoints,
  startRenderedPrometheus,
  startThanosQuery,
  startThanosSidecar,
} from "../../kit/localServers";
import { Json } from "../../kit/json";
import { sleep } from "../../kit/sleep";
import { logFault, seconds } from "./faultLog";
import { startS3 } from "../../kit/objectStore";
import { LocalBucket, localBucket } from "../../kit/thanosBucket";

const METRIC = "tiketi_ha_probe";
const DOWN_MS = 120_000;
const READ_EVERY_MS = 1000;
/** What the reader asks, as a dashboard panel would: the target's request count. */
const QUERY = 'http_server_requests_seconds_count{application="ticket-service"}';
const AMP = {
  url: "https://aps-workspaces.ap-northeast-2.amazonaws.com/workspaces/ws-3f1e2d4c-5b6a-4789-9abc-def012345678/api/v1/remote_write",
  region: "ap-northeast-2",
  roleArn: "arn:aws:iam::111111111111:role/tiketi-prod-amp-writer",
  queryRoleArn: "arn:aws:iam::111111111111:role/tiketi-prod-grafana-amp",
};

/** A query as Grafana's datasource sends it (httpMethod POST); throws unless it succeeds. */
async function api(
  base: string,
  endpoint: "query" | "query_range",
  params: Record<string, string>,
): Promise<Json> {
  const response = await fetch(`${base}/api/v1/${endpoint}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await response.json()) as Json;
  if (body.status !== "success") {
    throw new Error(`${endpoint} ${JSON.stringify(params)}: ${response.status} ${JSON.stringify(body)}`);
  }
  return body.data;
}

/** The series and values of an answer, as a panel would draw them. */
const drawn = (data: Json) =>
  JSON.stringify((data.result as Json[]).map((r) => [r.metric, r.value ?? r.values]));

/** The longest time between consecutive raw samples of each series of a range-vector answer, in ms. */
function longestGaps(data: Json): number[] {
  return (data.result as Json[]).map((series) => {
    const times = (series.values as [number, string][]).map(([t]) => t * 1000);
    return Math.max(0, ...times.slice(1).map((t, i) => t - times[i]));
  });
}

interface Replica {
  readonly pod: string;
  readonly directory: string;
  prometheus: Running;
  sidecar: RunningThanos;
}

describe("Thanos Query over two real Prometheus replicas of the prod render", () => {
  const servers = new Servers();
  let dir: string;
  let objects: readonly KubeObject[];
  let target: LocalHttpServer;
  let query: RunningThanos;
  let scrapeIntervalMs: number;
  let bucket: LocalBucket;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-query-"));
    objects = (await rendered("prod")).objects;
    const storage = stackConfig("prod").metrics.objectStorage;
    if (typeof storage?.bucket !== "string") throw new Error("Pulumi.prod.yaml names a metrics bucket");
    const s3 = await startS3(servers, storage.bucket, storage.region);
    bucket = localBucket(objects, s3, path.join(dir, "bucket"));
    target = await springActuator("ticket-service");
    for (const pod of statefulSetPods(objects).filter(
      (p) => p.labels["app.kubernetes.io/name"] === "prometheus",
    )) {
      const directory = fs.mkdtempSync(path.join(dir, `${pod.name}-`));
      // The rendered global section (external labels, intervals); one job over the local target.
      const prometheus = await startRenderedPrometheus(
        servers,
        objects,
        directory,
        (config) => {
          scrapeIntervalMs = Number(/^(\d+)s$/.exec(String(config.global.scrape_interval))?.[1]) * 1000;
          return {
            global: config.global,
            scrape_configs: [
              {
                job_name: "ticket-service",
                metrics_path: "/actuator/prometheus",
                static_configs: [{ targets: [`127.0.0.1:${target.port}`] }],
              },
            ],
          };
        },
        { env: { POD_NAME: pod.name } },
      );
      const sidecar = await startThanosSidecar(servers, objects, prometheus, path.join(directory, "data"), {
        bucket,
      });
      replicas.push({ pod: pod.name, directory, prometheus, sidecar });
    }
    query = await startThanosQuery(servers, objects, (endpoint) => {
      if (endpoint.startsWith("thanos-store-")) {
        return undefined;
      }
      const replica = replicas.find((r) => endpoint.startsWith(`${r.pod}.`));
      if (replica === undefined) {
        throw new Error(`${endpoint} names no replica of the rendered StatefulSet`);
      }
      return replica.sidecar.grpc;
    });
    // Both replicas answer through the querier once each has scraped twice.
    await eventually(
      async () => {
        const raw = await api(query.base, "query", { query: `${QUERY}[1m]`, dedup: "false" });
        return (raw.result as Json[]).length === 2 &&
          (raw.result as Json[]).every((s) => (s.values as unknown[]).length >= 2)
          ? true
          : undefined;
      },
      "both replicas' samples through Thanos Query",
      60000,
    );
  });

  afterAll(async () => {
    await servers.stopAll();
    await target?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("Grafana's datasource is the rendered Thanos Query, which reads every replica's sidecar by its stable name", () => {
    const datasource = provisionedDatasources(objects).find((d) => d.type === "prometheus");
    expect(serviceOfUrl(objects, datasource?.url ?? "")?.metadata.name).toBe("thanos-query");
    const prometheus = workloadNamed(objects, "prometheus");
    const sidecarPort = (prometheus.spec.template.spec.containers as Json[])
      .find((c) => c.name === "thanos-sidecar")
      ?.ports.find((p: Json) => p.name === "sidecar-grpc").containerPort;
    expect(renderedQueryEndpoints(objects).filter((e) => !e.startsWith("thanos-store-"))).toEqual(
      replicas.map(
        (r) =>
          `${r.pod}.${prometheus.spec.serviceName}.${prometheus.metadata.namespace}.svc.cluster.local:${sidecarPort}`,
      ),
    );
  });

  test("both replicas hold the series; the querier answers with one, without the replica label", async () => {
    const raw = await api(query.base, "query", { query: QUERY, dedup: "false" });
    expect((raw.result as Json[]).map((r) => r.metric.prometheus_replica).sort()).toEqual(
      replicas.map((r) => r.pod),
    );
    const answer = await api(query.base, "query", { query: QUERY });
    expect((answer.result as Json[]).map((r) => r.metric)).toEqual([
      expect.not.objectContaining({ prometheus_replica: expect.anything() }),
    ]);
  });

  for (const index of [0, 1]) {
    test(`replica ${index} killed for two minutes: every query answered, the same answers, its gap filled`, async () => {
      const replica = replicas[index];
      const other = replicas[1 - index];
      // The range both replicas hold, up to the last minute and at least half of one: a replica
      // that took its first scrape later (a slow start) leaves earlier steps to the other alone.
      const firstSamples = await Promise.all(
        replicas.map(async (r) => {
          const raw = await api(r.prometheus.base, "query", { query: `${QUERY}[5m]` });
          return Math.min(
            ...(raw.result as Json[]).flatMap((s) => (s.values as [number, string][]).map(([t]) => t)),
          );
        }),
      );
      const coveredFrom = Math.ceil(Math.max(...firstSamples));
      await sleep(Math.max(0, (coveredFrom + 30) * 1000 - Date.now()));
      const windowEnd = Date.now() / 1000;
      const windowStart = Math.max(windowEnd - 60, coveredFrom);
      const range = { query: QUERY, start: String(windowStart), end: String(windowEnd), step: "10" };
      const before = drawn(await api(query.base, "query_range", range));

      const reads: { at: number; answer?: string; error?: string }[] = [];
      let reading = true;
      const reader = (async () => {
        while (reading) {
          const at = Date.now();
          await api(query.base, "query", { query: QUERY })
            .then((data) =>
              (data.result as Json[]).length === 1
                ? reads.push({
                    at,
                    answer: drawn({
                      result: (data.result as Json[]).map((r) => ({
                        metric: r.metric,
                        value: [0, r.value[1]],
                      })),
                    }),
                  })
                : reads.push({ at, error: `${(data.result as Json[]).length} series` }),
            )
            .catch((error: unknown) => reads.push({ at, error: String(error) }));
          await sleep(Math.max(0, READ_EVERY_MS - (Date.now() - at)));
        }
      })();
      servers.add({
        stop: async () => {
          reading = false;
          await reader;
        },
      });

      const killedAt = Date.now();
      replica.prometheus.server.process.kill("SIGKILL");
      replica.sidecar.server.process.kill("SIGKILL");
      await sleep(DOWN_MS / 2);
      const during = drawn(await api(query.base, "query_range", range));
      await sleep(killedAt + DOWN_MS - Date.now());
      replica.prometheus = {
        ...replica.prometheus,
        server: await restartServer(
          servers,
          replica.prometheus.server,
          `${replica.prometheus.base}/-/ready`,
          {
            env: { POD_NAME: replica.pod },
          },
        ),
      };
      replica.sidecar = {
        ...replica.sidecar,
        server: await restartServer(servers, replica.sidecar.server, `${replica.sidecar.base}/-/ready`, {
          env: replica.sidecar.env,
        }),
      };
      const upAfterMs = Date.now() - killedAt;
      // Two scrapes of the restarted replica, so that its gap has an end.
      await sleep(2 * scrapeIntervalMs + 2000);
      reading = false;
      await reader;
      const after = drawn(await api(query.base, "query_range", range));

      const lookback = `${Math.ceil((Date.now() - killedAt) / 1000) + 30}s`;
      const merged = longestGaps(await api(query.base, "query", { query: `${QUERY}[${lookback}]` }));
      const own = longestGaps(
        await api(replica.prometheus.base, "query", { query: `${QUERY}[${lookback}]` }),
      );
      const failed = reads.filter((r) => r.error !== undefined);
      const answers = new Set(reads.flatMap((r) => (r.answer === undefined ? [] : [r.answer])));
      logFault({
        fault: `Prometheus ${replica.pod} and its Thanos sidecar SIGKILLed for ${seconds(DOWN_MS)} (prod render, Thanos Query over both replicas)`,
        sent: `${reads.length} instant queries, one a second, through Thanos Query; a 60 s range query before, during and after`,
        arrived: `${reads.length - failed.length} answered, ${answers.size} distinct answer(s); the range answer ${before === during && during === after ? "identical" : "changed"} before, during and after`,
        lost: `${failed.length} failed queries${failed.length === 0 ? "" : ` (first: ${failed[0].error})`}; longest gap between samples: ${seconds(own[0] ?? 0)} in ${replica.pod} alone, ${seconds(Math.max(...merged))} through the querier`,
        gap: `${replica.pod} down ${seconds(upAfterMs)}, ${other.pod} up throughout`,
      });
      expect(failed).toEqual([]);
      expect(answers.size).toBe(1);
      expect(during).toBe(before);
      expect(after).toBe(before);
      expect(own[0]).toBeGreaterThanOrEqual(DOWN_MS - scrapeIntervalMs);
      expect(merged).toHaveLength(1);
      // Thanos' penalty deduplication moves to the other replica once the one it reads has been
      // silent for twice the last spacing between the samples it took (10 s to 20 s here): the
      // merged series keeps a gap of a few intervals where the killed replica's lasts two minutes.
      expect(merged[0]).toBeLessThanOrEqual(5 * scrapeIntervalMs);
    });
  }
});

describe("with remote write, each replica labels what it sends, and its alerts stay equal", () => {
  const servers = new Servers();
  let dir: string;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  const replicas = new Map<string, string>();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-replica-"));
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const { objects } = await renderWithConfig(
      "prod-amp-live",
      { ...config, "observability:metrics": JSON.stringify({ remoteWrite: AMP }) },
      secretKeys,
    );
    // The pod's name, as the rendered fieldRef gives it.
    const env = objectNamed(objects, "StatefulSet", "prometheus").spec.template.spec.containers[0]
      .env as Json[];
    expect(env).toEqual([
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      // 80 % of prod's 4Gi limit (components/common/goMemoryLimit.ts).
      { name: "GOMEMLIMIT", value: "3276MiB" },
    ]);
    receiver = await webhookReceiver();
    // The rendered global and alerting sections; Alertmanager is this receiver, the rule fires at once.
    for (const pod of ["prometheus-0", "prometheus-1"]) {
      const own = fs.mkdtempSync(path.join(dir, `${pod}-`));
      fs.writeFileSync(
        path.join(own, "rules.yml"),
        yaml.dump({
          groups: [
            { name: "ha", rules: [{ alert: "HaProbe", expr: "vector(1)", labels: { severity: "warning" } }] },
          ],
        }),
      );
      const { base } = await startRenderedPrometheus(
        servers,
        objects,
        own,
        (rendered) => ({
          global: { ...rendered.global, evaluation_interval: "1s" },
          alerting: {
            ...rendered.alerting,
            alertmanagers: [
              { api_version: "v2", static_configs: [{ targets: [`127.0.0.1:${receiver.port}`] }] },
            ],
          },
          rule_files: [path.join(own, "rules.yml")],
        }),
        {
          env: { POD_NAME: pod },
          // Both replicas render the same --web.external-url (the alerts' generatorURL); here each
          // gets its own, so the receiver can tell which replica sent an alert. The first
          // notification can leave before the Alertmanager target is discovered; the resend comes
          // after a minute by default, here after a second.
          args: (args, local) => [
            ...args.map((arg) =>
              arg.startsWith("--web.external-url=") ? `--web.external-url=${local}` : arg,
            ),
            "--rules.alert.resend-delay=1s",
          ],
        },
      );
      replicas.set(pod, base);
    }
  });

  afterAll(async () => {
    await servers.stopAll();
    await receiver?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("Prometheus expands ${POD_NAME} in the rendered external labels: what AMP deduplicates by", async () => {
    for (const [pod, base] of replicas) {
      await remoteWrite(`${base}/api/v1/write`, [
        { name: METRIC, labels: { service: "ticket-service" }, value: 1 },
      ]);
      const federated = await (
        await fetch(`${base}/federate?${new URLSearchParams({ "match[]": METRIC }).toString()}`)
      ).text();
      expect(federated).toContain(`__replica__="${pod}"`);
      expect(federated).toContain('cluster="tiketi-prod"');
    }
  });

  test("both replicas send Alertmanager the same alert, without __replica__", async () => {
    const alerts = await eventually(
      () => {
        const sent = (receiver.received as Json[][]).flat().filter((a) => a.labels?.alertname === "HaProbe");
        const senders = new Set(sent.map((a) => new URL(a.generatorURL as string).port));
        return Promise.resolve(senders.size === 2 ? sent : undefined);
      },
      "HaProbe from both replicas",
      30000,
    );
    const labelSets = new Set(alerts.map((a) => JSON.stringify(a.labels)));
    expect([...labelSets].map((l) => JSON.parse(l) as Json)).toEqual([
      {
        alertname: "HaProbe",
        severity: "warning",
        cluster: "tiketi-prod",
        env: "prod",
        region: "ap-northeast-2",
      },
    ]);
  });
});
