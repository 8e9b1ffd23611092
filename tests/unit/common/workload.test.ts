// The workload builder on its own, under mocks: one small workload at a time, without the program.
import { createHash } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import { Flow, outside, tcp, workload } from "../../../components/common/flow";
import { httpProbe } from "../../../components/common/probes";
import { WorkloadArgs, deployDataWorkload, deployWorkload } from "../../../components/common/workload";
import { workloadSpec } from "../../../components/common/workloadSpec";
import { KubeObject, kubeObjects } from "../../../render/manifest";
import { Registration } from "../../../render/mocks";
import { waitForRegistrations } from "../../../runtime/pulumiSdk";
import { recordDeployment } from "../../../render/renderStack";
import { stackConfig } from "../../support/renderedStacks";
import { Json } from "../../kit/json";

const NAMESPACE = "observability";
const SPEC = workloadSpec("example", {
  http: { port: 8080, scrape: true },
  grpc: { port: 9095, containerOnly: true },
  gossip: { port: 7946, protocol: "UDP" },
});
const CONFIG = "listen: 8080\n";
const RULES = "groups: []\n";
const RESOURCES = {
  requests: { cpu: "50m", memory: "64Mi", ephemeralStorage: "16Mi" },
  limits: { cpu: "100m", memory: "128Mi", ephemeralStorage: "32Mi" },
};
const example = workload(NAMESPACE, SPEC.name);
const FLOWS: Flow[] = [
  { from: workload(NAMESPACE, "client"), to: example, ports: tcp(8080), why: "queries" },
  { from: workload(NAMESPACE, "scraper"), to: example, ports: tcp(8080), why: "metrics" },
  { from: example, to: example, ports: [{ protocol: "UDP", port: 7946 }], why: "gossip" },
  { from: example, to: outside("object store"), ports: tcp(443), why: "chunks" },
];

/** Runs `build` in a fresh mock deployment; returns what it registered. */
async function registered(build: () => void): Promise<readonly Registration[]> {
  const mocks = await recordDeployment("workload", {});
  try {
    build();
  } finally {
    await waitForRegistrations();
  }
  return mocks.registrations;
}

function exampleArgs(edit: Partial<WorkloadArgs> = {}): WorkloadArgs {
  return {
    spec: SPEC,
    component: "test",
    image: "example/server:1.0.0",
    namespace: NAMESPACE,
    settings: stackConfig("kind"),
    placement: "prometheus",
    serviceAccount: {},
    configMaps: [
      { name: "example-config", volume: "config", data: { "server.yaml": CONFIG } },
      { name: "example-rules", volume: "rules", data: { "rules.yaml": RULES } },
    ],
    rolledBy: { config: CONFIG },
    container: {
      name: "example",
      resources: RESOURCES,
      volumeMounts: [
        { name: "config", mountPath: "/etc/example", readOnly: true },
        { name: "rules", mountPath: "/etc/example/rules", readOnly: true },
      ],
      livenessProbe: httpProbe("http", "/healthy"),
      readinessProbe: httpProbe("http", "/ready"),
    },
    sidecars: [
      {
        name: "helper",
        image: "example/helper:1.0.0",
        resources: RESOURCES,
        livenessProbe: httpProbe("http", "/healthy"),
        readinessProbe: httpProbe("http", "/healthy"),
      },
    ],
    controller: { kind: "Deployment", replicas: 2 },
    services: [{}],
    wiring: FLOWS,
    ...edit,
  };
}

const deployed = (edit: Partial<WorkloadArgs> = {}) =>
  registered(() => deployWorkload("test", exampleArgs(edit), {}));

const objects = (registrations: readonly Registration[], kind: string): KubeObject[] =>
  kubeObjects(registrations).filter((o) => o.kind === kind);

function only(registrations: readonly Registration[], kind: string): Json {
  const found = objects(registrations, kind);
  expect(found).toHaveLength(1);
  return found[0] as Json;
}

const podTemplate = (registrations: readonly Registration[], kind = "Deployment"): Json =>
  only(registrations, kind).spec.template;

/** The names of the resources a registration waits for. */
const waitsFor = (registration: Registration): string[] =>
  registration.dependencies.map((urn) => urn.split("::").pop() ?? urn);

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("deployWorkload", () => {
  test("its own ServiceAccount, named for the workload, is the pods' account", async () => {
    const registrations = await deployed();
    expect(only(registrations, "ServiceAccount").metadata).toMatchObject({
      name: "example",
      namespace: NAMESPACE,
    });
    expect(podTemplate(registrations).spec.serviceAccountName).toBe("example");
    // Without one, the pods run as the namespace's default account, without an API token.
    const without = await deployed({ serviceAccount: undefined });
    expect(objects(without, "ServiceAccount")).toEqual([]);
    expect(podTemplate(without).spec.serviceAccountName).toBeUndefined();
    expect(podTemplate(without).spec.automountServiceAccountToken).toBe(false);
  });

  test("each ConfigMap holds its files and is mounted through its volume; the controller waits for all its config", async () => {
    // A Secret without a volume is read through env: only the controller's dependsOn waits for it.
    const registrations = await deployed({ secrets: [{ name: "example-env", stringData: { TOKEN: "t" } }] });
    expect(objects(registrations, "ConfigMap").map((m) => [m.metadata.name, m.data])).toEqual([
      ["example-config", { "server.yaml": CONFIG }],
      ["example-rules", { "rules.yaml": RULES }],
    ]);
    expect(podTemplate(registrations).spec.volumes).toEqual(
      expect.arrayContaining([
        { name: "config", configMap: { name: "example-config" } },
        { name: "rules", configMap: { name: "example-rules" } },
      ]),
    );
    const controller = registrations.find((r) => r.type === "kubernetes:apps/v1:Deployment");
    expect(waitsFor(controller as Registration)).toEqual([
      "test-example-config",
      "test-example-rules",
      "test-example-env",
    ]);
  });

  test("the pod template carries a checksum of the config that rolls it: a change rolls the pods", async () => {
    const before = podTemplate(await deployed()).metadata.annotations;
    expect(before).toEqual({ "checksum/config": sha256(CONFIG) });
    const changed = "listen: 9090\n";
    const after = await deployed({
      configMaps: [{ name: "example-config", volume: "config", data: { "server.yaml": changed } }],
      rolledBy: { config: changed },
    });
    expect(podTemplate(after).metadata.annotations).toEqual({ "checksum/config": sha256(changed) });
    // A file the server re-reads on its own (not in rolledBy) changes its ConfigMap, not the pods.
    const rules = await deployed({
      configMaps: [
        { name: "example-config", volume: "config", data: { "server.yaml": CONFIG } },
        { name: "example-rules", volume: "rules", data: { "rules.yaml": "groups: [{name: a}]\n" } },
      ],
    });
    expect(podTemplate(rules).metadata.annotations).toEqual(before);
  });

  test("every container is hardened: non-root, read-only root, no privilege, drop ALL, RuntimeDefault", async () => {
    const pod = podTemplate(await deployed()).spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.containers.map((c: Json) => c.name)).toEqual(["example", "helper"]);
    for (const container of pod.containers) {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
    }
    // The first container runs the workload's image with every port of its spec.
    expect(pod.containers[0].image).toBe("example/server:1.0.0");
    expect(pod.containers[0].ports).toEqual([
      { name: "http", containerPort: 8080, protocol: "TCP" },
      { name: "grpc", containerPort: 9095, protocol: "TCP" },
      { name: "gossip", containerPort: 7946, protocol: "UDP" },
    ]);
  });

  test.each([
    ["Deployment", { kind: "Deployment", replicas: 2 } as const],
    ["DaemonSet", { kind: "DaemonSet" } as const],
    [
      "StatefulSet",
      {
        kind: "StatefulSet",
        replicas: 2,
        serviceName: "example",
        storageSize: "1Gi",
        holdsHistory: false,
      } as const,
    ],
  ])("the controller asked for: a %s", async (kind, controller) => {
    const registrations = await deployed({ controller });
    const controllers = kubeObjects(registrations).filter((o) =>
      ["Deployment", "DaemonSet", "StatefulSet"].includes(o.kind),
    );
    expect(controllers.map((o) => [o.kind, o.metadata.name])).toEqual([[kind, "example"]]);
  });

  test("the Services publish exactly the spec's ports that are not container-only", async () => {
    const registrations = await deployed({
      services: [{}, { name: "example-headless", headless: true, portNames: ["grpc"] }],
    });
    const services = objects(registrations, "Service");
    expect(services.map((s) => [s.metadata.name, (s as Json).spec.ports])).toEqual([
      [
        "example",
        [
          { name: "http", port: 8080, targetPort: "http" },
          { name: "gossip", port: 7946, targetPort: "gossip", protocol: "UDP" },
        ],
      ],
      ["example-headless", [{ name: "grpc", port: 9095, targetPort: "grpc" }]],
    ]);
    expect((services[1] as Json).spec.clusterIP).toBe("None");
  });

  test("a disruption budget keeps all but one replica up, only when there is more than one", async () => {
    expect(only(await deployed(), "PodDisruptionBudget").spec.minAvailable).toBe(1);
    const three = await deployed({ controller: { kind: "Deployment", replicas: 3 } });
    expect(only(three, "PodDisruptionBudget").spec.minAvailable).toBe(2);
    expect(
      objects(await deployed({ controller: { kind: "Deployment", replicas: 1 } }), "PodDisruptionBudget"),
    ).toEqual([]);
    expect(objects(await deployed({ controller: { kind: "DaemonSet" } }), "PodDisruptionBudget")).toEqual([]);
  });

  test("its NetworkPolicy admits exactly the flows into it and opens exactly the flows out of it", async () => {
    const policy = only(await deployed(), "NetworkPolicy");
    const pods = (name: string) => ({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NAMESPACE } },
      podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
    });
    expect(policy.metadata.name).toBe("example");
    expect(policy.spec.podSelector.matchLabels).toMatchObject({ "app.kubernetes.io/name": "example" });
    expect(policy.spec.ingress).toEqual([
      { from: [pods("client"), pods("scraper")], ports: [{ protocol: "TCP", port: 8080 }] },
      { from: [pods("example")], ports: [{ protocol: "UDP", port: 7946 }] },
    ]);
    expect(policy.spec.egress).toEqual([
      { to: [pods("example")], ports: [{ protocol: "UDP", port: 7946 }] },
      { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
    ]);
  });

  test("a workload no flow names is refused: the namespace's default deny would cut it off", async () => {
    const elsewhere = { ...FLOWS[0], to: workload(NAMESPACE, "other") };
    await expect(deployed({ wiring: [elsewhere] })).rejects.toThrow(
      "observability/example is not in the wiring graph",
    );
  });

  test("config made elsewhere is mounted after its own and waited for; other ports and annotations", async () => {
    const registrations = await registered(() => {
      const made = new k8s.core.v1.Secret("made-elsewhere", {
        metadata: { name: "example-credentials", namespace: NAMESPACE },
        stringData: { password: "x" },
      });
      deployWorkload(
        "test",
        exampleArgs({
          mountedConfig: [
            {
              resource: made,
              // Named as text, so the controller waits for it only through dependsOn.
              volumes: [{ name: "credentials", secret: { secretName: "example-credentials" } }],
            },
          ],
          containerPortNames: ["http"],
          podAnnotations: { "example.io/rotation": "2" },
        }),
        {},
      );
    });
    const template = podTemplate(registrations);
    expect(template.spec.volumes.map((v: Json) => v.name).slice(0, 3)).toEqual([
      "config",
      "rules",
      "credentials",
    ]);
    expect(template.spec.volumes[2]).toEqual({
      name: "credentials",
      secret: { secretName: "example-credentials" },
    });
    const controller = registrations.find((r) => r.type === "kubernetes:apps/v1:Deployment");
    expect(waitsFor(controller as Registration)).toEqual([
      "test-example-config",
      "test-example-rules",
      "made-elsewhere",
    ]);
    expect(template.spec.containers[0].ports).toEqual([
      { name: "http", containerPort: 8080, protocol: "TCP" },
    ]);
    expect(template.metadata.annotations).toEqual({
      "checksum/config": sha256(CONFIG),
      "example.io/rotation": "2",
    });
  });
});

describe("deployDataWorkload", () => {
  const data = (profile: "kind" | "prod") =>
    registered(() =>
      deployDataWorkload(
        "test",
        {
          spec: SPEC,
          component: "test",
          image: "example/server:1.0.0",
          settings: stackConfig(profile),
          placement: "loki",
          roleArn: "arn:aws:iam::111111111111:role/example",
          configMaps: [{ name: "example-config", volume: "config", data: { "server.yaml": CONFIG } }],
          rolledBy: { config: CONFIG },
          container: {
            resources: RESOURCES,
            volumeMounts: [
              { name: "config", mountPath: "/etc/example", readOnly: true },
              { name: "data", mountPath: "/var/lib/example" },
            ],
            livenessProbe: httpProbe("http", "/healthy"),
            readinessProbe: httpProbe("http", "/ready"),
          },
          storageSize: "5Gi",
          wiring: FLOWS,
        },
        {},
      ),
    );

  test("one replica as a StatefulSet on its data volume, governed by a headless Service of its ports", async () => {
    const registrations = await data("kind");
    const statefulSet = only(registrations, "StatefulSet");
    expect(statefulSet.spec.replicas).toBe(1);
    expect(statefulSet.spec.serviceName).toBe("example");
    expect(statefulSet.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("5Gi");
    const service = only(registrations, "Service");
    expect(service.metadata.name).toBe("example");
    expect(service.spec.clusterIP).toBe("None");
    expect(service.spec.ports.map((p: Json) => p.name)).toEqual(["http", "gossip"]);
    expect(objects(registrations, "PodDisruptionBudget")).toEqual([]);
    expect(only(registrations, "NetworkPolicy").metadata.name).toBe("example");
  });

  test("its ServiceAccount carries the IRSA role; the pod has no API token and rolls on its config and on its role, which a pod assumes when it starts", async () => {
    const registrations = await data("kind");
    expect(only(registrations, "ServiceAccount").metadata).toMatchObject({
      name: "example",
      annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111111111111:role/example" },
    });
    const template = podTemplate(registrations, "StatefulSet");
    expect(template.spec.serviceAccountName).toBe("example");
    expect(template.spec.automountServiceAccountToken).toBe(false);
    expect(template.metadata.annotations).toEqual({
      "checksum/config": sha256(CONFIG),
      "checksum/iam-role": sha256("arn:aws:iam::111111111111:role/example"),
    });
    expect(template.spec.containers.map((c: Json) => c.name)).toEqual(["example"]);
  });

  test("its history is protected and retained on eks only", async () => {
    const statefulSet = (registrations: readonly Registration[]) =>
      registrations.find((r) => r.type === "kubernetes:apps/v1:StatefulSet") as Registration;
    expect(statefulSet(await data("prod"))).toMatchObject({ protect: true, retainOnDelete: true });
    expect(statefulSet(await data("kind"))).toMatchObject({ protect: false, retainOnDelete: false });
  });
});
