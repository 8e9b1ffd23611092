// The metrics bucket (metrics.objectStorage) as the prod render deploys it: what each Thanos process
// is told, how it reaches the bucket, and what a hub adds. The real binaries run these renders in
// tests/servers/thanosHistory.test.ts.
import * as yaml from "js-yaml";
import { CHUNK_POOL_SHARE, INDEX_CACHE_SHARE } from "../../../components/metrics/thanosStoreWorkload";
import { parseQuantity } from "../../../config/quantity";
import { KubeObject } from "../../../render/manifest";
import { RenderedStack } from "../../../render/renderStack";
import { rendered } from "../../support/renderedStacks";
import { STAGING_STORES, renderHub } from "../../support/hubProd";
import { dashboards } from "../../support/dashboards";
import { renderedQueryEndpoints } from "../../kit/localServers";
import { Json } from "../../kit/json";
import { configMapData, containerArgs, objectNamed, workloadNamed } from "../../kit/rendered";

const OBJSTORE = "/etc/thanos/objstore/objstore.yaml";
// PEM-shaped text: the render passes it on as it is, and Thanos reads the files.
const TLS = {
  ca: "-----BEGIN CERTIFICATE-----\nMIIBmTCCAT+gAwIBAgIU\n-----END CERTIFICATE-----\n",
  certificate: "-----BEGIN CERTIFICATE-----\nMIIBlzCCAT2gAwIBAgIU\n-----END CERTIFICATE-----\n",
  key: "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n",
};

const args = (objects: readonly KubeObject[], workload: string, container = workload) =>
  containerArgs(objects, workload, {}, container);
const flag = (list: readonly string[], name: string) =>
  list.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
const podTemplate = (objects: readonly KubeObject[], workload: string) =>
  workloadNamed(objects, workload).spec.template;

describe("prod: each replica's blocks to S3, two store gateways, one compactor", () => {
  let objects: readonly KubeObject[];
  beforeAll(async () => {
    objects = (await rendered("prod")).objects;
  });

  test("one bucket config, S3 in the bucket's region through the AWS SDK's chain (IRSA), and every Thanos process that touches the bucket mounts it and rolls on it", () => {
    expect(yaml.load(configMapData(objects, "thanos-objstore")["objstore.yaml"])).toEqual({
      type: "S3",
      config: {
        bucket: "tiketi-prod-metrics",
        endpoint: "s3.ap-northeast-2.amazonaws.com",
        region: "ap-northeast-2",
        aws_sdk_auth: true,
      },
    });
    const checksums = ["prometheus", "thanos-store", "thanos-compactor"].map((workload) => {
      const template = podTemplate(objects, workload);
      expect(template.spec.volumes).toContainEqual({
        name: "objstore",
        configMap: { name: "thanos-objstore" },
      });
      return template.metadata.annotations["checksum/objstore"] as string;
    });
    expect(new Set(checksums).size).toBe(1);
    for (const [workload, container] of [
      ["prometheus", "thanos-sidecar"],
      ["thanos-store", "thanos-store"],
      ["thanos-compactor", "thanos-compactor"],
    ]) {
      expect(flag(args(objects, workload, container), "--objstore.config-file")).toBe(OBJSTORE);
    }
  });

  test("Prometheus cuts 2-hour blocks only and keeps two days; its sidecar uploads them, and the history the volume held", () => {
    const prometheus = args(objects, "prometheus");
    expect([
      flag(prometheus, "--storage.tsdb.min-block-duration"),
      flag(prometheus, "--storage.tsdb.max-block-duration"),
      flag(prometheus, "--storage.tsdb.retention.time"),
    ]).toEqual(["2h", "2h", "2d"]);
    const sidecar = podTemplate(objects, "prometheus").spec.containers.find(
      (c: Json) => c.name === "thanos-sidecar",
    );
    expect(sidecar.args).toContain("--shipper.upload-compacted");
    // It records what it uploaded beside the blocks.
    expect(sidecar.volumeMounts).toContainEqual({ name: "data", mountPath: "/prometheus" });
  });

  test("the store gateways: two, spread over zones, one at a time through a drain, an index cache and a chunk pool a quarter of their memory each, this cluster's blocks only", () => {
    const store = workloadNamed(objects, "thanos-store");
    expect(store.kind).toBe("StatefulSet");
    expect(store.spec.replicas).toBe(2);
    expect(store.spec.template.spec.topologySpreadConstraints.map((c: Json) => c.topologyKey)).toEqual([
      "kubernetes.io/hostname",
      "topology.kubernetes.io/zone",
    ]);
    expect(objectNamed(objects, "PodDisruptionBudget", "thanos-store").spec.minAvailable).toBe(1);
    const limit = store.spec.template.spec.containers[0].resources.limits.memory as string;
    expect(flag(args(objects, "thanos-store"), "--index-cache-size")).toBe(
      `${Math.floor((parseQuantity(limit) * INDEX_CACHE_SHARE) / 2 ** 20)}MB`,
    );
    // Thanos' default chunk pool (2 GB) is the whole limit.
    expect(flag(args(objects, "thanos-store"), "--chunk-pool-size")).toBe(
      `${Math.floor((parseQuantity(limit) * CHUNK_POOL_SHARE) / 2 ** 20)}MB`,
    );
    expect(yaml.load(flag(args(objects, "thanos-store"), "--selector.relabel-config") ?? "")).toEqual([
      { source_labels: ["cluster"], regex: "tiketi-prod", action: "keep" },
    ]);
    // Its volume holds index headers, rebuilt from the bucket: deleted with it, never protected.
    expect(store.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Delete",
      whenScaled: "Delete",
    });
  });

  test("the compactor: one pod of a StatefulSet, no disruption budget, this cluster's blocks, retention per resolution from the config", () => {
    const compactor = workloadNamed(objects, "thanos-compactor");
    expect([compactor.kind, compactor.spec.replicas]).toEqual(["StatefulSet", 1]);
    expect(
      objects.filter((o) => o.kind === "PodDisruptionBudget" && o.metadata.name === "thanos-compactor"),
    ).toEqual([]);
    const compact = args(objects, "thanos-compactor");
    expect(compact.slice(0, 2)).toEqual(["compact", "--wait"]);
    expect([
      flag(compact, "--retention.resolution-raw"),
      flag(compact, "--retention.resolution-5m"),
      flag(compact, "--retention.resolution-1h"),
    ]).toEqual(["32d", "180d", "2y"]);
    expect(yaml.load(flag(compact, "--selector.relabel-config") ?? "")).toEqual([
      { source_labels: ["cluster"], regex: "tiketi-prod", action: "keep" },
    ]);
  });

  test("Thanos Query reads the store gateways beside the sidecars, and range queries the resolution their step calls for", () => {
    expect(renderedQueryEndpoints(objects).slice(-2)).toEqual([
      "thanos-store-0.thanos-store.observability.svc.cluster.local:10901",
      "thanos-store-1.thanos-store.observability.svc.cluster.local:10901",
    ]);
    expect(args(objects, "thanos-query")).toContain("--query.auto-downsampling");
  });

  test("Prometheus alerts on the compactor and the uploads; it scrapes the sidecar over the loopback and the others by their pods", () => {
    const rules = yaml.load(configMapData(objects, "prometheus-rules")["thanos.yaml"]) as Json;
    expect(rules.groups[0].rules.map((r: Json) => r.alert)).toEqual([
      "ThanosCompactorHalted",
      "ThanosCompactorBacklog",
      "ThanosBucketOperationsFailing",
      "ThanosSidecarUploadsFailing",
      "ThanosRulerEvaluationsFailing",
      "ThanosRulerNotEvaluating",
      "ThanosRulerAlertsDropped",
      "ThanosRulerRemoteWriteFailing",
    ]);
    const jobs = (yaml.load(configMapData(objects, "prometheus-config")["prometheus.yml"]) as Json)
      .scrape_configs;
    expect(jobs.find((j: Json) => j.job_name === "thanos-sidecar").static_configs[0].targets).toEqual([
      "localhost:10902",
    ]);
    expect(jobs.map((j: Json) => j.job_name)).toEqual(
      expect.arrayContaining(["thanos-store", "thanos-compactor", "thanos-ruler"]),
    );
  });
});

test("kind keeps its metrics on its volume: nothing of Thanos", async () => {
  const { objects } = await rendered("kind");
  expect(objects.filter((o) => o.metadata.name.startsWith("thanos-"))).toEqual([]);
});

describe("prod as the hub of several clusters", () => {
  let hub: RenderedStack;
  beforeAll(async () => {
    hub = await renderHub(TLS);
  });

  test("its store gateways serve every cluster's blocks; its compactor still only its own", () => {
    expect(flag(args(hub.objects, "thanos-store"), "--selector.relabel-config")).toBeUndefined();
    expect(flag(args(hub.objects, "thanos-compactor"), "--selector.relabel-config")).toBeDefined();
  });

  test("Thanos Query reads the other cluster's sidecars over TLS, from files of a Secret that holds the key", () => {
    const endpoints = yaml.load(
      flag(args(hub.objects, "thanos-query"), "--endpoint.sd-config") ?? "",
    ) as Json;
    const remote = (endpoints.endpoints as Json[]).slice(-2);
    const files = {
      enabled: true,
      ca_file: "/etc/thanos/tls/ca.crt",
      cert_file: "/etc/thanos/tls/tls.crt",
      key_file: "/etc/thanos/tls/tls.key",
    };
    expect(remote).toEqual([
      { address: STAGING_STORES[0].address, client_config: { tls_config: files } },
      {
        address: STAGING_STORES[1].address,
        client_config: { server_name: STAGING_STORES[1].serverName, tls_config: files },
      },
    ]);
    const secret = objectNamed(hub.objects, "Secret", "thanos-query-tls");
    expect(Object.keys(secret.stringData as Json).sort()).toEqual(["ca.crt", "tls.crt", "tls.key"]);
    const template = podTemplate(hub.objects, "thanos-query");
    expect(template.spec.volumes).toContainEqual({
      name: "tls",
      secret: { secretName: "thanos-query-tls", defaultMode: 0o440 },
    });
    const egress = objectNamed(hub.objects, "NetworkPolicy", "thanos-query").spec.egress as Json[];
    expect(egress).toContainEqual({
      ports: [{ protocol: "TCP", port: 443 }],
      to: [{ ipBlock: { cidr: "0.0.0.0/0" } }],
    });
  });

  test("every dashboard that reads Prometheus picks a cluster, this one first; the Loki dashboard is as it was", async () => {
    const prod = dashboards((await rendered("prod")).objects);
    for (const board of dashboards(hub.objects)) {
      const own = prod.find((d) => d.uid === board.uid) as Json;
      const readsPrometheus = JSON.stringify(own.panels).includes('"uid":"prometheus"');
      if (!readsPrometheus) {
        expect(board).toEqual(own);
        continue;
      }
      const [picker, ...rest] = board.templating.list as Json[];
      expect(picker).toMatchObject({
        name: "cluster",
        query: { query: "label_values(up, cluster)" },
        multi: false,
        includeAll: false,
        current: { text: "tiketi-prod", value: "tiketi-prod" },
      });
      expect(rest.map((v) => v.name)).toEqual((own.templating.list as Json[]).map((v) => v.name));
      for (const variable of rest) {
        expect(variable.query.query).toContain('cluster="$cluster"');
      }
    }
  });
});
