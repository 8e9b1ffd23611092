import * as k8s from "@kubernetes/client-node";
import { generateKeyPairSync, randomBytes } from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { parseQuantity } from "../../config/quantity";
import { KeepAliveKubeConfig } from "./keepAliveKubeConfig";
import { LoadBalancerStandIn } from "./loadBalancerStandIn";
import { Server, Servers, freePort, restartServer } from "./processes";
import { WatchedReconciler } from "./watchedReconciler";
import { tools } from "./tools";
import { Json } from "./json";
import { sleep } from "./sleep";

interface FakeNode {
  readonly name: string;
  /** `topology.kubernetes.io/zone`. */
  readonly zone?: string;
  readonly cpu: string;
  readonly memory: string;
}

interface TestStorageClass {
  readonly name: string;
  readonly provisioner: string;
  readonly default?: boolean;
  readonly allowVolumeExpansion: boolean;
  /** @default "WaitForFirstConsumer", as kind's `standard` and EKS's gp3 bind */
  readonly volumeBindingMode?: "WaitForFirstConsumer" | "Immediate";
}

export interface ClusterOptions {
  readonly nodes: readonly FakeNode[];
  readonly storageClasses: readonly TestStorageClass[];
  readonly ingressClasses?: readonly { name: string; controller: string }[];
  /**
   * Image references the registry does not have: a pod running one never starts, and reports it as
   * the kubelet does (ErrImagePull, then ImagePullBackOff), as a mirror without the image gives.
   */
  readonly missingImages?: readonly string[];
}

export interface TestCluster {
  readonly kubeConfig: k8s.KubeConfig;
  /** The same admin credential as a kubeconfig file, for tools such as kubectl. */
  readonly kubeconfigPath: string;
  /** Everything the processes printed, for failure messages. */
  output(): string;
  /** Each pod that is not Ready: its phase, node, conditions and events, for failure messages. */
  unreadyPods(): Promise<string>;
  /**
   * Stops kube-apiserver for `seconds`, then starts it again on the same port and etcd: the
   * control plane going away (an upgrade, a restart, a network cut) and coming back.
   */
  apiServerOutage(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

/** A cluster shaped like a fresh kind cluster: one node with a laptop's capacity. */
export const KIND_SHAPE: ClusterOptions = {
  nodes: [{ name: "observability-control-plane", cpu: "4", memory: "8Gi" }],
  storageClasses: [
    { name: "standard", provisioner: "rancher.io/local-path", default: true, allowVolumeExpansion: false },
  ],
};

/** The cluster with each StorageClass binding claims at once, as many a CSI driver's class does. */
export function withImmediateBinding(shape: ClusterOptions): ClusterOptions {
  return {
    ...shape,
    storageClasses: shape.storageClasses.map((c) => ({ ...c, volumeBindingMode: "Immediate" as const })),
  };
}

/** A small EKS cluster: three nodes in three zones, gp3 volumes that expand, the ALB IngressClass. */
export const EKS_SHAPE: ClusterOptions = {
  nodes: ["a", "b", "c"].map((zone) => ({
    name: `ip-10-0-${zone.charCodeAt(0)}-10.ec2.internal`,
    zone: `ap-northeast-2${zone}`,
    cpu: "4",
    memory: "16Gi",
  })),
  storageClasses: [
    { name: "gp3", provisioner: "ebs.csi.aws.com", default: true, allowVolumeExpansion: true },
  ],
  ingressClasses: [{ name: "alb", controller: "ingress.k8s.aws/alb" }],
};

const FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node";
const NOT_READY_TAINT = "node.kubernetes.io/not-ready";

/** GET over TLS with the cluster's CA; true on 200. */
function httpsOk(url: string, ca: Buffer, token?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = https.get(
      url,
      { ca, headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.on("error", () => resolve(false));
    request.setTimeout(2000, () => request.destroy());
  });
}

/**
 * A real control plane on 127.0.0.1, built from k8s.io/kubernetes, etcd and kwok: etcd,
 * kube-apiserver (RBAC, the default admission plugins including PodSecurity), the scheduler and
 * the controller manager, with kwok running the fake nodes (it marks their pods Running and
 * Ready). No kubelet and no volume driver: the claim binder below stands in for the
 * provisioner and resizer, and LoadBalancerStandIn for the controllers of the IngressClasses.
 * Everything it starts is stopped by `stop()`, or if the start fails.
 */
export async function startCluster(options: ClusterOptions): Promise<TestCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "test-cluster-"));
  const servers = new Servers();
  const started: Server[] = [];
  let binder: ClaimBinder | undefined;
  let balancer: LoadBalancerStandIn | undefined;
  const kubeConfig = new KeepAliveKubeConfig();
  const stop = async () => {
    binder?.stop();
    balancer?.stop();
    kubeConfig.destroy();
    // Clients before servers: stopped all at once, the API server waits seconds for the
    // controllers' connections and for etcd, stopped in reverse order it ends in about one.
    for (const server of [...started].reverse()) {
      await server.stop();
    }
    await servers.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [etcdPort, peerPort, apiPort, schedulerPort, controllerPort, kwokPort] = await Promise.all(
      Array.from({ length: 6 }, () => freePort()),
    );
    const token = randomBytes(24).toString("hex");
    fs.writeFileSync(path.join(dir, "tokens.csv"), `${token},admin,admin,"system:masters"\n`);
    const keys = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    fs.writeFileSync(path.join(dir, "sa.pub"), keys.publicKey);
    fs.writeFileSync(path.join(dir, "sa.key"), keys.privateKey);

    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    started.push(
      await servers.start(
        tools.etcd(),
        [
          "--name=test",
          `--data-dir=${path.join(dir, "etcd")}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=${peerUrl}`,
          `--initial-advertise-peer-urls=${peerUrl}`,
          `--initial-cluster=test=${peerUrl}`,
          // A test cluster's data is thrown away: skip the fsyncs that dominate its write time.
          "--unsafe-no-fsync",
        ],
        `${etcdUrl}/health`,
      ),
    );

    const certDir = path.join(dir, "apiserver");
    const apiUrl = `https://127.0.0.1:${apiPort}`;
    const apiReady = () => {
      const ca = path.join(certDir, "apiserver.crt");
      return fs.existsSync(ca)
        ? httpsOk(`${apiUrl}/readyz`, fs.readFileSync(ca), token)
        : Promise.resolve(false);
    };
    started.push(
      await servers.start(
        tools.kubeApiserver(),
        [
          `--etcd-servers=${etcdUrl}`,
          "--bind-address=127.0.0.1",
          "--advertise-address=127.0.0.1",
          `--secure-port=${apiPort}`,
          `--cert-dir=${certDir}`,
          `--token-auth-file=${path.join(dir, "tokens.csv")}`,
          "--authorization-mode=RBAC",
          "--allow-privileged=true",
          "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
          `--service-account-key-file=${path.join(dir, "sa.pub")}`,
          `--service-account-signing-key-file=${path.join(dir, "sa.key")}`,
          "--service-cluster-ip-range=10.96.0.0/16",
        ],
        apiReady,
        { timeoutMs: 90000 },
      ),
    );
    const apiServerIndex = started.length - 1;
    const ca = path.join(certDir, "apiserver.crt");
    const kubeconfigPath = path.join(dir, "kubeconfig");
    fs.writeFileSync(
      kubeconfigPath,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "test", cluster: { server: apiUrl, "certificate-authority": ca } }],
        users: [{ name: "admin", user: { token } }],
        contexts: [{ name: "test", context: { cluster: "test", user: "admin" } }],
        "current-context": "test",
      }),
    );
    kubeConfig.loadFromFile(kubeconfigPath);
    // The controller manager and the scheduler: the admin credential, their own serving certificate
    // on 127.0.0.1, no leader election.
    const componentFlags = (name: string, port: number) => [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${port}`,
      `--cert-dir=${path.join(dir, name)}`,
      "--leader-elect=false",
    ];

    started.push(
      await servers.start(
        tools.kubeControllerManager(),
        [
          ...componentFlags("controller-manager", controllerPort),
          "--use-service-account-credentials=true",
          `--service-account-private-key-file=${path.join(dir, "sa.key")}`,
          `--root-ca-file=${ca}`,
          // No node lifecycle: kwok reports the nodes Ready once and sends no heartbeats, which
          // that controller would read as nodes going away (and evict every pod).
          "--controllers=*,-nodeipam,-service-lb-controller,-cloud-node-lifecycle-controller,-node-lifecycle-controller",
        ],
        portListening(controllerPort),
        { timeoutMs: 60000 },
      ),
    );
    started.push(
      await servers.start(
        tools.kubeScheduler(),
        [
          ...componentFlags("scheduler", schedulerPort),
          // A StatefulSet's pod meets its claim unbound, and is retried when the claim binds. The
          // scheduler's queue and its volume cache read that event through two informer handlers
          // in no set order: on a loaded machine the retry can read the claim still unbound, and
          // nothing else happens on these quiet nodes to retry it again before the 5 minutes this
          // flag defaults to, as long as kind's rollout timeout. Retried after 10 s instead.
          "--pod-max-in-unschedulable-pods-duration=10s",
        ],
        portListening(schedulerPort),
        { timeoutMs: 60000 },
      ),
    );
    started.push(
      await servers.start(
        tools.kwok(),
        [
          `--kubeconfig=${kubeconfigPath}`,
          "--manage-all-nodes=false",
          `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION}=fake`,
          "--cidr=10.244.0.0/16",
          "--node-ip=10.0.0.1",
          `--server-address=127.0.0.1:${kwokPort}`,
          `--config=${writeKwokStages(dir, options.missingImages ?? [])}`,
        ],
        `http://127.0.0.1:${kwokPort}/healthz`,
        { timeoutMs: 60000 },
      ),
    );

    const objects = k8s.KubernetesObjectApi.makeApiClient(kubeConfig);
    const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    for (const node of options.nodes) {
      await objects.create(fakeNode(node));
      // Admission taints a new node not-ready until the node lifecycle controller sees it Ready;
      // that controller is off here (see above), so the taint goes as it would.
      await core.patchNode(
        node.name,
        { spec: { taints: [] } },
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        {
          headers: { "Content-Type": k8s.PatchUtils.PATCH_FORMAT_JSON_MERGE_PATCH },
        },
      );
    }
    for (const sc of options.storageClasses) {
      await objects.create({
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: {
          name: sc.name,
          ...(sc.default === true
            ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }
            : {}),
        },
        provisioner: sc.provisioner,
        allowVolumeExpansion: sc.allowVolumeExpansion,
        reclaimPolicy: "Delete",
        volumeBindingMode: sc.volumeBindingMode ?? "WaitForFirstConsumer",
      } as k8s.KubernetesObject);
    }
    for (const ic of options.ingressClasses ?? []) {
      await objects.create({
        apiVersion: "networking.k8s.io/v1",
        kind: "IngressClass",
        metadata: { name: ic.name },
        spec: { controller: ic.controller },
      } as k8s.KubernetesObject);
    }
    binder = new ClaimBinder(kubeConfig, options.storageClasses);
    binder.start();
    if (options.ingressClasses !== undefined) {
      const zone = options.nodes.find((n) => n.zone !== undefined)?.zone ?? "us-east-1a";
      balancer = new LoadBalancerStandIn(
        kubeConfig,
        options.ingressClasses.map((c) => c.name),
        zone.replace(/[a-z]$/, ""),
      );
      balancer.start();
    }
    await waitFor(async () => {
      await core.readNamespacedServiceAccount("default", "default");
      const nodes = (await core.listNode()).body.items;
      if (
        nodes.length !== options.nodes.length ||
        !nodes.every((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
      ) {
        return undefined;
      }
      // The TaintNodesByCondition admission plugin gives every new node the `not-ready` NoSchedule
      // taint; the node lifecycle controller, which is off here (see its flags), would lift it once
      // the node reports Ready. Lift it as that controller would, or nothing is ever scheduled.
      for (const node of nodes) {
        const taints = node.spec?.taints ?? [];
        const kept = taints.filter((t) => t.key !== NOT_READY_TAINT);
        if (kept.length !== taints.length) {
          await core.patchNode(
            node.metadata?.name ?? "",
            { spec: { taints: kept } },
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            { headers: { "Content-Type": k8s.PatchUtils.PATCH_FORMAT_JSON_MERGE_PATCH } },
          );
          return undefined;
        }
      }
      return true;
    }, "the default ServiceAccount and Ready, untainted nodes");
    const output = () =>
      [
        ...started.map((s) => s.output()),
        `claim binder: ${binder?.lastError ?? "no errors"}`,
        `load balancer stand-in: ${balancer?.lastError ?? "no errors"}`,
      ].join("\n");
    const apiServerOutage = async (seconds: number) => {
      const apiServer = started[apiServerIndex];
      await apiServer.stop();
      await sleep(seconds * 1000);
      started[apiServerIndex] = await restartServer(servers, apiServer, apiReady, { timeoutMs: 90000 });
    };
    return {
      kubeConfig,
      kubeconfigPath,
      output,
      unreadyPods: () => unreadyPods(kubeConfig),
      apiServerOutage,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function unreadyPods(kubeConfig: k8s.KubeConfig): Promise<string> {
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const [pods, events, claims] = await Promise.all([
    core.listPodForAllNamespaces(),
    core.listEventForAllNamespaces(),
    core.listPersistentVolumeClaimForAllNamespaces(),
  ]);
  const ready = (pod: k8s.V1Pod) =>
    pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
  const lines = pods.body.items
    .filter((pod) => !ready(pod))
    .map((pod) => {
      const { namespace = "", name = "" } = pod.metadata ?? {};
      const conditions = (pod.status?.conditions ?? []).map(
        (c) =>
          `${c.type}=${c.status}${c.reason === undefined ? "" : ` ${c.reason}`}${c.message === undefined ? "" : `: ${c.message}`}`,
      );
      const podClaims = (pod.spec?.volumes ?? []).flatMap((v) =>
        v.persistentVolumeClaim === undefined ? [] : [v.persistentVolumeClaim.claimName],
      );
      const claimPhases = podClaims.map((claimName) => {
        const claim = claims.body.items.find(
          (c) => c.metadata?.namespace === namespace && c.metadata?.name === claimName,
        );
        return `claim ${claimName}: ${claim?.status?.phase ?? "absent"}`;
      });
      const podEvents = events.body.items
        .filter((e) => e.involvedObject.namespace === namespace && e.involvedObject.name === name)
        .map(
          (e) =>
            `${e.reason ?? ""} (${e.count ?? 1}×, ${e.source?.component ?? e.reportingComponent ?? ""}): ${e.message ?? ""}`,
        );
      return [
        `${namespace}/${name}: ${pod.status?.phase ?? "no phase"} on ${pod.spec?.nodeName ?? "no node"}`,
        ...[...conditions, ...claimPhases, ...podEvents].map((line) => `  ${line}`),
      ].join("\n");
    });
  return lines.length === 0 ? "every pod is Ready" : lines.join("\n");
}

/** Ready when its secure port accepts connections (its health endpoint has its own certificate). */
function portListening(port: number): () => Promise<boolean> {
  return () =>
    new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
}

/**
 * What kwok does to the fake nodes and their pods, as its Stage resources: a node becomes Ready;
 * a scheduled pod becomes Running with every container ready (init containers completed,
 * sidecar-style ones running), on the node's IP if it uses the host network; a pod being
 * deleted is removed, as a kubelet would once its containers stopped. A pod with an image of
 * `missingImages` stays Pending, that container waiting in ImagePullBackOff and the pod not Ready,
 * and a BackOff event says so.
 */
function writeKwokStages(dir: string, missingImages: readonly string[]): string {
  const stage = (name: string, kind: string, matchExpressions: Json[], next: Json) => ({
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "Stage",
    metadata: { name },
    spec: { resourceRef: { apiGroup: "v1", kind }, selector: { matchExpressions }, next },
  });
  const notReady = {
    key: '.status.conditions.[] | select( .type == "Ready" ) | .status',
    operator: "NotIn",
    values: ["True"],
  };
  const nodeStatus = [
    "conditions:",
    ...["MemoryPressure", "DiskPressure", "PIDPressure"].map(
      (type) =>
        `- {type: ${type}, status: "False", reason: Fake, lastHeartbeatTime: {{ Now | Quote }}, lastTransitionTime: {{ Now | Quote }}}`,
    ),
    '- {type: Ready, status: "True", reason: KubeletReady, lastHeartbeatTime: {{ Now | Quote }}, lastTransitionTime: {{ Now | Quote }}}',
    "addresses:",
    "- {type: InternalIP, address: {{ NodeIP | Quote }}}",
    "- {type: Hostname, address: {{ NodeName | Quote }}}",
    "allocatable:",
    "{{ YAML .status.allocatable 1 }}",
    "capacity:",
    "{{ YAML .status.capacity 1 }}",
    "nodeInfo:",
    "{{ YAML .status.nodeInfo 1 }}",
    "phase: Running",
  ].join("\n");
  const podStatus = [
    "{{ $now := Now }}",
    "phase: Running",
    "startTime: {{ $now | Quote }}",
    "conditions:",
    ...["PodScheduled", "Initialized", "ContainersReady", "Ready"].map(
      (type) => `- {type: ${type}, status: "True", lastTransitionTime: {{ $now | Quote }}}`,
    ),
    "containerStatuses:",
    "{{ range .spec.containers }}",
    "- {name: {{ .name | Quote }}, image: {{ .image | Quote }}, ready: true, started: true, restartCount: 0, state: {running: {startedAt: {{ $now | Quote }}}}}",
    "{{ end }}",
    "initContainerStatuses:",
    "{{ range .spec.initContainers }}",
    '{{ if eq .restartPolicy "Always" }}',
    "- {name: {{ .name | Quote }}, image: {{ .image | Quote }}, ready: true, started: true, restartCount: 0, state: {running: {startedAt: {{ $now | Quote }}}}}",
    "{{ else }}",
    "- {name: {{ .name | Quote }}, image: {{ .image | Quote }}, ready: true, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }}}}}",
    "{{ end }}",
    "{{ end }}",
    "{{ $hostIP := NodeIPWith .spec.nodeName }}",
    "hostIP: {{ $hostIP | Quote }}",
    "{{ if .spec.hostNetwork }}",
    "podIP: {{ $hostIP | Quote }}",
    "{{ else }}",
    'podIP: {{ PodIPWith .spec.nodeName false ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}',
    "{{ end }}",
  ].join("\n");
  const scheduled = [
    { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
    { key: ".spec.nodeName", operator: "Exists" },
  ];
  const images = { key: ".spec.containers.[].image", values: [...missingImages] };
  const stages = [
    stage("node-ready", "Node", [notReady], { statusTemplate: nodeStatus }),
    stage(
      "pod-running",
      "Pod",
      [...scheduled, notReady, ...(missingImages.length === 0 ? [] : [{ ...images, operator: "NotIn" }])],
      { statusTemplate: podStatus },
    ),
    ...(missingImages.length === 0
      ? []
      : [
          stage(
            "pod-image-missing",
            "Pod",
            [
              ...scheduled,
              { ...images, operator: "In" },
              { key: ".status.containerStatuses.[].state.waiting.reason", operator: "DoesNotExist" },
            ],
            {
              statusTemplate: imagePullBackOffStatus(missingImages),
              // What the kubelet reports as it backs off pulling the image.
              event: { type: "Warning", reason: "BackOff", message: "Back-off pulling image" },
            },
          ),
        ]),
    stage("pod-gone", "Pod", [{ key: ".metadata.deletionTimestamp", operator: "Exists" }], { delete: true }),
  ];
  const file = path.join(dir, "kwok-stages.yaml");
  fs.writeFileSync(file, stages.map((s) => JSON.stringify(s)).join("\n---\n"));
  return file;
}

/**
 * A pod whose image the registry lacks, as the kubelet reports it after the first failed pulls:
 * Pending, not Ready, the container waiting in ImagePullBackOff with the image named.
 */
function imagePullBackOffStatus(missingImages: readonly string[]): string {
  const missing = missingImages.map((image) => `(eq .image ${JSON.stringify(image)})`).join(" ");
  return [
    "{{ $now := Now }}",
    "phase: Pending",
    "conditions:",
    '- {type: PodScheduled, status: "True", lastTransitionTime: {{ $now | Quote }}}',
    '- {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}',
    ...["ContainersReady", "Ready"].map(
      (type) =>
        `- {type: ${type}, status: "False", reason: ContainersNotReady, lastTransitionTime: {{ $now | Quote }}}`,
    ),
    "containerStatuses:",
    "{{ range .spec.containers }}",
    `{{ if or false ${missing} }}`,
    '- {name: {{ .name | Quote }}, image: {{ .image | Quote }}, imageID: "", ready: false, started: false, restartCount: 0, state: {waiting: {reason: ImagePullBackOff, message: {{ printf "Back-off pulling image %q" .image | Quote }}}}}',
    "{{ else }}",
    "- {name: {{ .name | Quote }}, image: {{ .image | Quote }}, ready: true, started: true, restartCount: 0, state: {running: {startedAt: {{ $now | Quote }}}}}",
    "{{ end }}",
    "{{ end }}",
    "{{ $hostIP := NodeIPWith .spec.nodeName }}",
    "hostIP: {{ $hostIP | Quote }}",
  ].join("\n");
}

function fakeNode(node: FakeNode): k8s.KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: node.name,
      annotations: { [FAKE_NODE_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/hostname": node.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        type: "kwok",
        ...(node.zone === undefined ? {} : { "topology.kubernetes.io/zone": node.zone }),
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: node.cpu, memory: node.memory, pods: "110", "ephemeral-storage": "100Gi" },
      capacity: { cpu: node.cpu, memory: node.memory, pods: "110", "ephemeral-storage": "100Gi" },
      nodeInfo: { architecture: "amd64", operatingSystem: "linux", kubeletVersion: "fake" },
    },
  } as k8s.KubernetesObject;
}

/** `Kind namespace/name`, how logs and errors name an object. */
export function ref(object: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${object.kind} ${object.metadata.namespace === undefined ? "" : `${object.metadata.namespace}/`}${object.metadata.name}`;
}

/** The live object, or undefined when the cluster has none of that kind, namespace and name. */
export async function readObject(
  kubeConfig: k8s.KubeConfig,
  object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } },
): Promise<k8s.KubernetesObject | undefined> {
  try {
    return (await k8s.KubernetesObjectApi.makeApiClient(kubeConfig).read(object)).body;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) {
      return undefined;
    }
    throw error;
  }
}

/** Polls until `probe` returns a value, or fails naming `what`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? "" : `: ${describe(last)}`}`);
}

/** The API server's message of a client error, or the error itself. */
export function describe(error: unknown): string {
  const body = (error as { body?: { message?: string } }).body;
  return body?.message ?? String(error);
}

/**
 * Stands in for the storage side the cluster lacks (kwok has no storage): the dynamic provisioner
 * (kind's local-path-provisioner, the EBS CSI driver's external-provisioner), the CSI
 * external-resizer and the kubelet's file-system expansion. The real scheduler, PV controller,
 * expand controller and admission plugins still do their part.
 * - Provisioning keeps WaitForFirstConsumer, the binding mode the test StorageClasses have (as
 *   kind's `standard` and EKS's gp3 do): nothing happens until the scheduler has chosen a node
 *   for a pod using the claim and written it to `volume.kubernetes.io/selected-node`. Then it
 *   creates a PV of the claim's class, size and access modes, pinned to that node and pre-bound
 *   to the claim (`claimRef` with its UID); the real PV controller binds the two, and the
 *   scheduler binds the pod. A claim no pod uses stays Pending, as on a real cluster. A class
 *   that binds at once (`Immediate`) gets its volume, on no node in particular, as soon as the
 *   claim exists.
 * - Expansion: when a bound claim asks for more than its `status.capacity` (the API server's
 *   PersistentVolumeClaimResize admission has already refused it if the class does not allow
 *   expansion), it grows the PV's capacity and then sets the claim's `status.capacity`, as the
 *   resizer and kubelet would. No resize conditions are set.
 * - Released PVs (`reclaimPolicy: Delete`) are deleted, as the provisioner would.
 * It acts when a claim or a volume changes (tests/kit/watchedReconciler.ts); a failed pass is
 * retried and its error kept for `output()`.
 */
class ClaimBinder {
  private readonly core: k8s.CoreV1Api;
  private readonly reconciler: WatchedReconciler;

  constructor(
    kubeConfig: k8s.KubeConfig,
    private readonly classes: readonly TestStorageClass[],
  ) {
    this.core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    this.reconciler = new WatchedReconciler(
      kubeConfig,
      ["/api/v1/persistentvolumeclaims", "/api/v1/persistentvolumes"],
      () => this.reconcile(),
      describe,
    );
  }

  /** The last error of a pass, for failure messages (the next pass retries). */
  get lastError(): string | undefined {
    return this.reconciler.lastError;
  }

  start(): void {
    this.reconciler.start();
  }

  stop(): void {
    this.reconciler.stop();
  }

  private async reconcile(): Promise<void> {
    const claims = (await this.core.listPersistentVolumeClaimForAllNamespaces()).body.items;
    for (const claim of claims) {
      const cls = this.classes.find((c) => c.name === claim.spec?.storageClassName);
      const node = claim.metadata?.annotations?.["volume.kubernetes.io/selected-node"];
      const requested = claim.spec?.resources?.requests?.storage;
      if (cls === undefined || requested === undefined) {
        continue;
      }
      const immediate = cls.volumeBindingMode === "Immediate";
      if (
        claim.status?.phase === "Pending" &&
        (node !== undefined || immediate) &&
        claim.spec?.volumeName === undefined
      ) {
        await this.provision(claim, cls, node, requested);
      } else if (
        claim.status?.phase === "Bound" &&
        parseQuantity(requested) > parseQuantity(claim.status.capacity?.storage ?? "0")
      ) {
        await this.expand(claim, requested);
      }
    }
    for (const pv of (await this.core.listPersistentVolume()).body.items) {
      if (pv.status?.phase === "Released" && pv.spec?.persistentVolumeReclaimPolicy === "Delete") {
        await this.core.deletePersistentVolume(pv.metadata?.name ?? "");
      }
    }
  }

  private async provision(
    claim: k8s.V1PersistentVolumeClaim,
    cls: TestStorageClass,
    /** The node the scheduler chose for the claim's first pod; none for a class that binds at once. */
    node: string | undefined,
    size: string,
  ): Promise<void> {
    const meta = claim.metadata ?? {};
    await this.core
      .createPersistentVolume({
        metadata: {
          name: `pvc-${meta.uid ?? ""}`,
          annotations: { "pv.kubernetes.io/provisioned-by": cls.provisioner },
        },
        spec: {
          capacity: { storage: size },
          accessModes: claim.spec?.accessModes,
          storageClassName: cls.name,
          persistentVolumeReclaimPolicy: "Delete",
          hostPath: { path: `/var/fake-volumes/${meta.uid ?? ""}` },
          claimRef: {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            namespace: meta.namespace,
            name: meta.name,
            uid: meta.uid,
          },
          ...(node === undefined
            ? {}
            : {
                nodeAffinity: {
                  required: {
                    nodeSelectorTerms: [
                      {
                        matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }],
                      },
                    ],
                  },
                },
              }),
        },
      })
      .catch((error: unknown) => {
        // Already provisioned on an earlier pass: the PV controller has not bound it yet.
        if ((error as { statusCode?: number }).statusCode !== 409) {
          throw error;
        }
      });
  }

  private async expand(claim: k8s.V1PersistentVolumeClaim, size: string): Promise<void> {
    const { name = "", namespace = "" } = claim.metadata ?? {};
    const merge = { headers: { "Content-Type": k8s.PatchUtils.PATCH_FORMAT_JSON_MERGE_PATCH } };
    await this.core.patchPersistentVolume(
      claim.spec?.volumeName ?? "",
      { spec: { capacity: { storage: size } } },
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      merge,
    );
    await this.core.patchNamespacedPersistentVolumeClaimStatus(
      name,
      namespace,
      { status: { capacity: { storage: size } } },
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      merge,
    );
  }
}
