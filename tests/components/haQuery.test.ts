// Two real Prometheus replicas holding different samples, and Grafana's
// configured query path resolved the way Kubernetes would route it: the rendered datasource URL
// names a Service, whose selector picks pods among those the rendered StatefulSet creates. Through
// that path every query gets the same answer; through the Service over both replicas consecutive
// queries alternate between the two histories. Amazon Managed Prometheus' deduplication is
// documented (docs/components.md), not emulated; what the replicas send it, their `__replica__` label, is
// checked on the real binary.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import {
  ReplicaPod,
  podsSelectedBy,
  provisionedDatasources,
  serviceOfUrl,
  statefulSetPods,
} from "../../checks/exposedBackends";
import { KubeObject } from "../../render/manifest";
import { PROJECT_ROOT, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { rendered } from "../renderedStacks";
import { remoteWrite } from "../../testkit/expositions/index";
import { webhookReceiver } from "../../testkit/httpServers";
import { Running, Servers, eventually } from "../../testkit/processes";
import { objectNamed } from "../../testkit/rendered";
import { startPrometheus, startRenderedPrometheus } from "../../testkit/localServers";
import { Json } from "../../testkit/json";
import { sleep } from "../../testkit/sleep";

const METRIC = "tiketi_ha_probe";
const ROUNDS = 12;
/** Rounds replica 1 misses, as after a restart: its history has a gap replica 0's has not. */
const GAP = [4, 5, 6, 7];
const QUERY = `count_over_time(${METRIC}[5m])`;
const REPEATS = 20;
const AMP = {
  url: "https://aps-workspaces.ap-northeast-2.amazonaws.com/workspaces/ws-3f1e2d4c-5b6a-4789-9abc-def012345678/api/v1/remote_write",
  region: "ap-northeast-2",
  roleArn: "arn:aws:iam::111111111111:role/tiketi-prod-amp-writer",
  queryRoleArn: "arn:aws:iam::111111111111:role/tiketi-prod-grafana-amp",
};

/** An instant query as Grafana's datasource sends it (httpMethod POST): the value, or none. */
async function query(base: string, expr: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/query`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ query: expr }).toString(),
  });
  const body = (await response.json()) as Json;
  if (body.status !== "success") {
    throw new Error(`${expr}: ${JSON.stringify(body)}`);
  }
  return JSON.stringify((body.data.result as Json[]).map((r) => [r.metric, r.value[1]]));
}

describe("Grafana's query path over two real Prometheus replicas", () => {
  const servers = new Servers();
  let dir: string;
  let objects: readonly KubeObject[];
  const byPod = new Map<string, Running>();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-query-"));
    objects = (await rendered("prod")).objects;
    for (const pod of statefulSetPods(objects).filter(
      (p) => p.labels["app.kubernetes.io/name"] === "prometheus",
    )) {
      byPod.set(pod.name, await startPrometheus(servers, objects, dir));
    }
    // Each replica ingests through its remote-write receiver, as from the collector; replica 1
    // misses some rounds and holds other values.
    for (let round = 0; round < ROUNDS; round++) {
      await remoteWrite(`${byPod.get("prometheus-0")?.base}/api/v1/write`, [
        { name: METRIC, labels: { service: "ticket-service" }, value: round },
      ]);
      if (!GAP.includes(round)) {
        await remoteWrite(`${byPod.get("prometheus-1")?.base}/api/v1/write`, [
          { name: METRIC, labels: { service: "ticket-service" }, value: 100 + round },
        ]);
      }
      await sleep(250);
    }
  });

  afterAll(async () => {
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The pods a rendered Service routes to, among the replicas running here. */
  function routed(service: KubeObject): ReplicaPod[] {
    const pods = podsSelectedBy(service, statefulSetPods(objects));
    expect(pods.every((p) => byPod.has(p.name))).toBe(true);
    return pods;
  }

  test("the replicas really hold different histories", async () => {
    const answers = await Promise.all(
      ["prometheus-0", "prometheus-1"].map((pod) => query(byPod.get(pod)?.base ?? "", QUERY)),
    );
    expect(answers).toEqual([
      JSON.stringify([[{ service: "ticket-service" }, String(ROUNDS)]]),
      JSON.stringify([[{ service: "ticket-service" }, String(ROUNDS - GAP.length)]]),
    ]);
  });

  test("through the rendered datasource's Service: one replica, the same answer every time", async () => {
    const datasource = provisionedDatasources(objects).find((d) => d.type === "prometheus");
    const service = serviceOfUrl(objects, datasource?.url ?? "");
    expect(service?.metadata.name).toBe("prometheus-query");
    const pods = routed(service as KubeObject);
    expect(pods.map((p) => p.name)).toEqual(["prometheus-0"]);
    const answers = new Set<string>();
    for (let i = 0; i < REPEATS; i++) {
      // Whichever endpoint kube-proxy picks: there is only one.
      const pod = pods[i % pods.length];
      answers.add(await query(byPod.get(pod.name)?.base ?? "", QUERY));
    }
    expect([...answers]).toEqual([JSON.stringify([[{ service: "ticket-service" }, String(ROUNDS)]])]);
  });

  test("through the Service over both replicas, consecutive answers alternate", async () => {
    const pods = routed(objectNamed(objects, "Service", "prometheus"));
    expect(pods.map((p) => p.name)).toEqual(["prometheus-0", "prometheus-1"]);
    const answers: string[] = [];
    for (let i = 0; i < REPEATS; i++) {
      answers.push(await query(byPod.get(pods[i % pods.length].name)?.base ?? "", QUERY));
    }
    expect(new Set(answers).size).toBe(2);
    expect(answers.filter((a, i) => i > 0 && a !== answers[i - 1])).toHaveLength(REPEATS - 1);
  });
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
