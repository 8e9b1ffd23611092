// Smoke test of the cluster the other cluster tests start (tests/kit/cluster.ts): the real
// scheduler places pods on a kwok node, kwok makes them Running and Ready, the claim binder
// stand-in provisions and grows volumes, and PodSecurity admission is on.
import * as k8s from "@kubernetes/client-node";
import { TestCluster, describe as describeError, startCluster, waitFor } from "../kit/cluster";

const NODE = "smoke-node";
const NAMESPACE = "smoke";
const HOST_NAMESPACE = "smoke-host";
const merge = { headers: { "Content-Type": k8s.PatchUtils.PATCH_FORMAT_JSON_MERGE_PATCH } };

/** A container that passes the `restricted` Pod Security level. */
const container = (name: string): k8s.V1Container => ({
  name,
  image: "registry.k8s.io/pause:3.10",
  resources: { requests: { cpu: "100m", memory: "64Mi" } },
  securityContext: {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    runAsUser: 65532,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  },
});

const labelled = (app: string) => ({ selector: { matchLabels: { app } }, labels: { app } });

let cluster: TestCluster;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
const times: string[] = [];

beforeAll(async () => {
  const start = Date.now();
  cluster = await startCluster({
    nodes: [{ name: NODE, cpu: "4", memory: "8Gi" }],
    storageClasses: [
      // Expandable here, unlike kind's: the binder's resize is what this test checks.
      { name: "standard", provisioner: "rancher.io/local-path", default: true, allowVolumeExpansion: true },
      { name: "fixed", provisioner: "rancher.io/local-path", allowVolumeExpansion: false },
    ],
  });
  times.push(`cluster started in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  apps = cluster.kubeConfig.makeApiClient(k8s.AppsV1Api);
});

afterAll(async () => {
  const start = Date.now();
  await cluster?.stop();
  times.push(`cluster stopped in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  console.log(times.join("\n"));
});

/** The pods of `app`, once there are `count` of them and each is Running and Ready. */
async function readyPods(namespace: string, app: string, count: number): Promise<k8s.V1Pod[]> {
  return waitFor(
    async () => {
      const pods = (
        await core.listNamespacedPod(namespace, undefined, undefined, undefined, undefined, `app=${app}`)
      ).body.items;
      const ready = pods.filter(
        (p) =>
          p.status?.phase === "Running" &&
          p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
      );
      return ready.length === count && pods.length === count ? ready : undefined;
    },
    `${count} Running and Ready pod(s) of ${namespace}/${app}`,
    120000,
  );
}

/** A StatefulSet of one replica with a claim template of `size` in `storageClassName`. */
function statefulSet(name: string, storageClassName: string | undefined, size: string): k8s.V1StatefulSet {
  const { selector, labels } = labelled(name);
  return {
    metadata: { name },
    spec: {
      serviceName: name,
      replicas: 1,
      selector,
      template: {
        metadata: { labels },
        spec: {
          securityContext: { fsGroup: 65532 },
          containers: [{ ...container("main"), volumeMounts: [{ name: "data", mountPath: "/data" }] }],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: {
            accessModes: ["ReadWriteOnce"],
            ...(storageClassName === undefined ? {} : { storageClassName }),
            resources: { requests: { storage: size } },
          },
        },
      ],
    },
  };
}

async function boundClaim(name: string): Promise<k8s.V1PersistentVolumeClaim> {
  return waitFor(
    async () => {
      const claim = (await core.readNamespacedPersistentVolumeClaim(name, NAMESPACE)).body;
      return claim.status?.phase === "Bound" ? claim : undefined;
    },
    `claim ${name} Bound`,
    120000,
  );
}

test("workloads are scheduled by the real scheduler and made Running and Ready; claims bind and grow", async () => {
  // Pod Security `restricted`, as the stack's own namespaces are.
  await core.createNamespace({
    metadata: { name: NAMESPACE, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
  });
  const web = labelled("web");
  await apps.createNamespacedDeployment(NAMESPACE, {
    metadata: { name: "web" },
    spec: {
      replicas: 1,
      selector: web.selector,
      template: {
        metadata: { labels: web.labels },
        spec: {
          // A plain init container, and a native sidecar (an init container that keeps running).
          initContainers: [container("init"), { ...container("sidecar"), restartPolicy: "Always" }],
          containers: [container("main")],
        },
      },
    },
  });
  await apps.createNamespacedStatefulSet(NAMESPACE, statefulSet("db", undefined, "1Gi"));
  await apps.createNamespacedStatefulSet(NAMESPACE, statefulSet("fixed", "fixed", "1Gi"));

  for (const app of ["web", "db", "fixed"]) {
    const [pod] = await readyPods(NAMESPACE, app, 1);
    expect(pod.spec?.nodeName).toBe(NODE);
    expect(pod.status?.podIP).toMatch(/^10\.244\./);
    if (app === "web") {
      const init = pod.status?.initContainerStatuses ?? [];
      expect(
        init.map((c) => [c.name, c.state?.terminated?.reason ?? (c.state?.running ? "Running" : "")]),
      ).toEqual([
        ["init", "Completed"],
        ["sidecar", "Running"],
      ]);
    }
    const events = (
      await core.listNamespacedEvent(
        NAMESPACE,
        undefined,
        undefined,
        undefined,
        `involvedObject.name=${pod.metadata?.name},reason=Scheduled`,
      )
    ).body.items;
    expect(events.map((e) => e.reportingComponent ?? e.source?.component)).toContain("default-scheduler");
  }

  // The default class was filled in by the DefaultStorageClass admission plugin; the binder made
  // a PV pinned to the node the scheduler chose, and the real PV controller bound them.
  const claim = await boundClaim("data-db-0");
  expect(claim.spec?.storageClassName).toBe("standard");
  expect(claim.status?.capacity?.storage).toBe("1Gi");
  const volume = (await core.readPersistentVolume(claim.spec?.volumeName ?? "")).body;
  expect(volume.spec?.claimRef?.uid).toBe(claim.metadata?.uid);
  expect(volume.spec?.nodeAffinity?.required?.nodeSelectorTerms[0].matchExpressions?.[0].values).toEqual([
    NODE,
  ]);

  await core.patchNamespacedPersistentVolumeClaim(
    "data-db-0",
    NAMESPACE,
    { spec: { resources: { requests: { storage: "2Gi" } } } },
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    merge,
  );
  await waitFor(async () => {
    const grown = (await core.readNamespacedPersistentVolumeClaim("data-db-0", NAMESPACE)).body;
    return grown.status?.capacity?.storage === "2Gi" ? grown : undefined;
  }, "claim data-db-0 at 2Gi");
  expect((await core.readPersistentVolume(claim.spec?.volumeName ?? "")).body.spec?.capacity?.storage).toBe(
    "2Gi",
  );

  // A class without allowVolumeExpansion: the API server itself refuses the resize.
  await boundClaim("data-fixed-0");
  const refused = await core
    .patchNamespacedPersistentVolumeClaim(
      "data-fixed-0",
      NAMESPACE,
      { spec: { resources: { requests: { storage: "2Gi" } } } },
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      merge,
    )
    .then(
      () => "accepted",
      (error: unknown) => describeError(error),
    );
  expect(refused).toMatch(/only dynamically provisioned pvc can be resized/);
});

test("PodSecurity admission refuses a privileged pod in a restricted namespace", async () => {
  const refused = await core
    .createNamespacedPod(NAMESPACE, {
      metadata: { name: "privileged" },
      spec: { containers: [{ name: "main", image: "busybox", securityContext: { privileged: true } }] },
    })
    .then(
      () => "accepted",
      (error: unknown) => describeError(error),
    );
  expect(refused).toMatch(/violates PodSecurity "restricted:latest"/);
});

test("DaemonSet pods on the host network get the node's address", async () => {
  await core.createNamespace({
    metadata: { name: HOST_NAMESPACE, labels: { "pod-security.kubernetes.io/enforce": "privileged" } },
  });
  const agent = labelled("agent");
  await apps.createNamespacedDaemonSet(HOST_NAMESPACE, {
    metadata: { name: "agent" },
    spec: {
      selector: agent.selector,
      template: {
        metadata: { labels: agent.labels },
        spec: { hostNetwork: true, containers: [{ name: "main", image: "registry.k8s.io/pause:3.10" }] },
      },
    },
  });
  const [pod] = await readyPods(HOST_NAMESPACE, "agent", 1);
  const node = (await core.readNode(NODE)).body;
  const nodeIp = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  expect(pod.spec?.nodeName).toBe(NODE);
  expect(pod.status?.podIP).toBe(nodeIp);
});
