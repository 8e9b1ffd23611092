import { HOST_ACCESS_ALLOWLIST, HostAccessGrant } from "../components/common/hostAccess";
import { Container, RenderedPod, allContainers } from "./podSpecs";

/** Volume types Pod Security `restricted` admits. */
const RESTRICTED_VOLUME_TYPES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

/** Sysctls Pod Security `baseline` (and so `restricted`) admits. */
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);

const SECCOMP_OK = new Set(["RuntimeDefault", "Localhost"]);

interface PodSecurityPolicy {
  /** The node-agent namespace; the only place an allowlisted pod may use its host access. */
  readonly nodeNamespace: string;
  /** @default HOST_ACCESS_ALLOWLIST */
  readonly allowlist?: Readonly<Record<string, HostAccessGrant>>;
}

/** The image reference is pinned: a digest, or a tag that is not `latest`. */
export function isPinnedImage(image: string | undefined): boolean {
  if (image === undefined) {
    return false;
  }
  if (/@sha256:[a-f0-9]{64}$/.test(image)) {
    return true;
  }
  const lastSegment = image.split("/").pop() ?? "";
  const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : undefined;
  return tag !== undefined && tag !== "" && tag !== "latest";
}

/**
 * Pod Security `restricted` plus our hardening rules (read-only root filesystem, requests and
 * limits, probes on long-running containers, pinned images). In the node namespace, a pod named in
 * the allowlist may use exactly its granted host access and nothing more.
 * Returns one sentence per violation; empty when the pod passes.
 */
export function podSecurityProblems(pod: RenderedPod, policy: PodSecurityPolicy): string[] {
  return categorizedPodProblems(pod, policy).map((p) => p.message);
}

/** What a pod problem is about, so that policies can report each kind on its own. */
export type PodProblemCategory = "host-access" | "hardening" | "resources" | "scratch" | "image" | "probes";

interface PodProblem {
  readonly category: PodProblemCategory;
  readonly message: string;
}

/** podSecurityProblems, each with its category. */
export function categorizedPodProblems(pod: RenderedPod, policy: PodSecurityPolicy): PodProblem[] {
  const allowlist: Readonly<Record<string, HostAccessGrant>> = policy.allowlist ?? HOST_ACCESS_ALLOWLIST;
  const name = pod.labels["app.kubernetes.io/name"];
  const grant = pod.namespace === policy.nodeNamespace && name !== undefined ? allowlist[name] : undefined;
  const problems: PodProblem[] = [];
  let category: PodProblemCategory = "host-access";
  const fail = (message: string) => problems.push({ category, message: `${pod.owner}: ${message}` });
  const spec = pod.spec;
  const podContext = spec.securityContext ?? {};

  if (spec.hostNetwork === true && grant?.hostNetwork !== true)
    fail("uses hostNetwork without an allowlist grant");
  if (spec.hostPID === true && grant?.hostPID !== true) fail("uses hostPID without an allowlist grant");
  if (spec.hostIPC === true) fail("uses hostIPC");
  if (spec.shareProcessNamespace === true && grant?.hostPID !== true) fail("shares its process namespace");

  for (const volume of spec.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== "name");
    if (volume.hostPath !== undefined) {
      const granted = grant?.hostPaths.find((h) => h.path === volume.hostPath?.path);
      if (granted === undefined) {
        fail(`mounts hostPath ${volume.hostPath.path} (volume ${volume.name}) without an allowlist grant`);
      } else {
        for (const c of allContainers(spec)) {
          for (const mount of (c.volumeMounts ?? []).filter((m) => m.name === volume.name)) {
            if (granted.readOnly && mount.readOnly !== true) {
              fail(`container ${c.name} mounts hostPath ${granted.path} writable; its grant is read-only`);
            }
          }
        }
      }
    } else if (!types.every((t) => RESTRICTED_VOLUME_TYPES.has(t))) {
      problems.push({
        category: "hardening",
        message: `${pod.owner}: volume ${volume.name} has type ${types.join(",")}, not allowed by restricted`,
      });
    }
  }

  category = "hardening";
  for (const sysctl of podContext.sysctls ?? []) {
    if (!SAFE_SYSCTLS.has(sysctl.name)) fail(`sets unsafe sysctl ${sysctl.name}`);
  }
  const podSeccomp = podContext.seccompProfile?.type;
  if (podSeccomp !== undefined && !SECCOMP_OK.has(podSeccomp)) fail(`pod seccomp profile ${podSeccomp}`);
  if (podContext.seLinuxOptions?.user !== undefined || podContext.seLinuxOptions?.role !== undefined) {
    fail("sets SELinux user or role");
  }

  const longRunning = pod.kind !== "Job" && pod.kind !== "CronJob";
  const initNames = new Set((spec.initContainers ?? []).map((c) => c.name));
  for (const c of allContainers(spec)) {
    const where = `container ${c.name}`;
    const ctx = c.securityContext ?? {};
    category = "hardening";
    if (ctx.privileged === true) fail(`${where} is privileged`);
    if (ctx.allowPrivilegeEscalation !== false) fail(`${where} must set allowPrivilegeEscalation: false`);
    if (!(ctx.capabilities?.drop ?? []).includes("ALL")) fail(`${where} must drop ALL capabilities`);
    for (const cap of ctx.capabilities?.add ?? []) {
      if (cap !== "NET_BIND_SERVICE") fail(`${where} adds capability ${cap}`);
    }
    const seccomp = ctx.seccompProfile?.type ?? podSeccomp;
    if (seccomp === undefined || !SECCOMP_OK.has(seccomp)) {
      fail(`${where} must run with seccomp RuntimeDefault or Localhost`);
    }
    if (ctx.procMount !== undefined && ctx.procMount !== "Default")
      fail(`${where} sets procMount ${ctx.procMount}`);
    if (ctx.seLinuxOptions?.user !== undefined || ctx.seLinuxOptions?.role !== undefined) {
      fail(`${where} sets SELinux user or role`);
    }
    checkNonRoot(c, podContext, grant, where, fail);
    if (ctx.readOnlyRootFilesystem !== true) fail(`${where} must set readOnlyRootFilesystem: true`);
    category = "host-access";
    if ((c.ports ?? []).some((p) => p.hostPort !== undefined && p.hostPort !== 0))
      fail(`${where} uses a hostPort`);
    category = "resources";
    checkResources(c, where, fail);
    category = "image";
    if (!isPinnedImage(c.image))
      fail(`${where} image ${c.image ?? "(none)"} is not pinned to a tag or digest`);
    category = "probes";
    if (longRunning && !initNames.has(c.name)) {
      if (c.livenessProbe === undefined) fail(`${where} has no livenessProbe`);
      if (c.readinessProbe === undefined) fail(`${where} has no readinessProbe`);
      probeProblems(c, spec, where).forEach(fail);
    }
  }
  category = "scratch";
  for (const volume of spec.volumes ?? []) {
    if (volume.emptyDir !== undefined && volume.emptyDir.sizeLimit === undefined) {
      fail(`emptyDir ${volume.name} has no sizeLimit`);
    }
  }
  return problems;
}

type Probe = NonNullable<Container["livenessProbe"]>;

/** How long a probe tolerates failures before it acts, in seconds. */
function failureBudget(probe: Probe): number {
  return (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3);
}

const handler = (probe: Probe) =>
  JSON.stringify(probe.httpGet ?? probe.tcpSocket ?? probe.exec ?? probe.grpc);

/**
 * Probes that let a recovering server recover: liveness must not restart a process merely because
 * it is not ready (another endpoint, or the same one with a larger failure budget), and a
 * container that replays state from a persistent volume at start needs a startup probe, else
 * liveness kills it mid-replay.
 */
function probeProblems(c: Container, spec: RenderedPod["spec"], where: string): string[] {
  const problems: string[] = [];
  const { livenessProbe: liveness, readinessProbe: readiness } = c;
  if (
    liveness !== undefined &&
    readiness !== undefined &&
    handler(liveness) === handler(readiness) &&
    failureBudget(liveness) <= failureBudget(readiness)
  ) {
    problems.push(
      `${where}: its livenessProbe is its readinessProbe (${handler(liveness)}) without a larger failure budget`,
    );
  }
  // A mount of no volume of the pod spec is a claim from the StatefulSet's volumeClaimTemplates.
  const declared = new Set((spec.volumes ?? []).map((v) => v.name));
  const persistent = (c.volumeMounts ?? []).filter((m) => !declared.has(m.name));
  if (persistent.length > 0 && c.startupProbe === undefined) {
    problems.push(`${where} starts from persistent volume ${persistent[0].name} but has no startupProbe`);
  }
  return problems;
}

function checkNonRoot(
  c: Container,
  podContext: NonNullable<RenderedPod["spec"]["securityContext"]>,
  grant: HostAccessGrant | undefined,
  where: string,
  fail: (message: string) => void,
): void {
  if (grant?.runAsRoot === true) {
    return;
  }
  const ctx = c.securityContext ?? {};
  if ((ctx.runAsNonRoot ?? podContext.runAsNonRoot) !== true) fail(`${where} must set runAsNonRoot: true`);
  if ((ctx.runAsUser ?? podContext.runAsUser) === 0) fail(`${where} runs as uid 0`);
}

function checkResources(c: Container, where: string, fail: (message: string) => void): void {
  for (const kind of ["requests", "limits"] as const) {
    for (const resource of ["cpu", "memory", "ephemeral-storage"]) {
      if (c.resources?.[kind]?.[resource] === undefined)
        fail(`${where} has no ${resource} ${kind.slice(0, -1)}`);
    }
  }
}
