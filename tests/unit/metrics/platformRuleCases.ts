// `promtool test rules` cases for the platform alerts, made of what the exporters print: each
// case takes the fixture series of one object (tests/kit/expositions) as Prometheus stores them after
// the scrape, and changes only the values the exporter changes in that failure. Counters grow at
// their fixture's average rate since the exporter started.
import { CUMULATIVE, Fixture, Sample, exposition, samples } from "../../kit/expositions/index";
import { AlertCase } from "./alertCase";
import { PROFILE_DEFAULTS } from "../../../config/defaults";

type Labels = Readonly<Record<string, string>>;

/** Seconds each fixture's exporter had run when its totals were taken. */
const UPTIME: Partial<Record<Fixture, number>> = {
  "kube-state-metrics": 86400,
  cadvisor: 86400,
  kubelet: 86400,
  coredns: 86400,
  apiserver: 20,
  // node_time_seconds - node_boot_time_seconds of the capture.
  "node-exporter": 17514,
};

const KIND_NODE = "kind-control-plane";

/** Target labels of each job, as the rendered relabelling sets them for the kind node's pods. */
const TARGETS = (node: string) =>
  ({
    "kube-state-metrics": {
      job: "kube-state-metrics",
      tier: "observability",
      namespace: "observability",
      pod: "kube-state-metrics-6b9f7d8c5-hx2lq",
      node: KIND_NODE,
      instance: "10.244.0.13:8080",
    },
    cadvisor: { job: "cadvisor", tier: "kubernetes", node, instance: `${node}:10250` },
    kubelet: { job: "kubelet", tier: "kubernetes", node, instance: `${node}:10250` },
    coredns: {
      job: "coredns",
      tier: "kubernetes",
      namespace: "kube-system",
      pod: "coredns-674b8bbfcf-7xk2p",
      node: KIND_NODE,
      instance: "10.244.0.2:9153",
    },
    apiserver: { job: "apiserver", tier: "kubernetes", instance: "172.18.0.2:6443" },
    "node-exporter": {
      job: "node-exporter",
      tier: "observability",
      namespace: "observability-node",
      pod: `node-exporter-${node}`,
      node,
      instance: `${node}:9100`,
    },
  }) as const satisfies Partial<Record<Fixture, Labels>>;

type PlatformFixture = keyof ReturnType<typeof TARGETS>;

const num = (n: number) =>
  Number.isInteger(n) ? String(n) : n.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");

const seriesKey = (name: string, labels: Labels) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;

/**
 * A sample's labels as Prometheus stores them: kube-state-metrics is scraped with honor_labels, so
 * its own labels win; for the other jobs the target's win and a clashing exposed label is kept as
 * `exported_<name>` (the kubelet's kubelet_node_name{node}).
 */
function stored(fixture: PlatformFixture, target: Labels, labels: Labels): Labels {
  if (fixture === "kube-state-metrics") {
    return { ...target, ...labels };
  }
  const exported = Object.fromEntries(
    Object.entries(labels)
      .filter(([k, v]) => k in target && v !== "")
      .map(([k, v]) => [`exported_${k}`, v]),
  );
  return { ...labels, ...exported, ...target };
}

/**
 * A fixture's samples (those `only` keeps) as promtool input over `minutes`: labels as stored after
 * the scrape of `node`'s target, gauges constant, counters growing at their average rate. `values`
 * overrides a sample's values (promtool's expanding notation) where a failure changes it.
 */
export function scraped(
  fixture: PlatformFixture,
  minutes: number,
  only: (s: Sample) => boolean = () => true,
  values: (s: Sample) => string | undefined = () => undefined,
  node = KIND_NODE,
): Record<string, string> {
  const target = TARGETS(node)[fixture];
  const uptime = UPTIME[fixture] as number;
  return Object.fromEntries(
    samples(exposition(fixture))
      .filter(only)
      .map((s) => [
        seriesKey(s.name, stored(fixture, target, s.labels)),
        values(s) ??
          (CUMULATIVE.test(s.name)
            ? `${num(s.value)}+${num((s.value * 60) / uptime)}x${minutes}`
            : `${num(s.value)}x${minutes}`),
      ]),
  );
}

/** A series the exporter prints only in the failure state, with the labels it prints beside `of`'s. */
function printedAs(
  fixture: PlatformFixture,
  name: string,
  of: Sample,
  extra: Labels,
  values: string,
  node = KIND_NODE,
): Record<string, string> {
  return { [seriesKey(name, stored(fixture, TARGETS(node)[fixture], { ...of.labels, ...extra }))]: values };
}

const ksm = () => samples(exposition("kube-state-metrics"));
const family = (name: string) => (s: Sample) => s.name === name;
const named =
  (...names: string[]) =>
  (s: Sample) =>
    names.includes(s.name);
const about = (labels: Labels) => (s: Sample) => Object.entries(labels).every(([k, v]) => s.labels[k] === v);
const both =
  (...filters: ((s: Sample) => boolean)[]) =>
  (s: Sample) =>
    filters.every((f) => f(s));
/** One object's series (kube-state-metrics' labels of it) of the families whose names start with `prefix`. */
const familiesOf = (prefix: string, object: Labels) => both((s) => s.name.startsWith(prefix), about(object));
/** The values of the families `values` names; the fixture's own for the others. */
const byName =
  (values: Record<string, string>) =>
  (s: Sample): string | undefined =>
    values[s.name];

const CATALOG = { namespace: "tiketi-spring", pod: "catalog-service-7f9df154-w94hf" };
const CATALOG_CONTAINER = { ...CATALOG, container: "catalog-service" };
const catalogContainer = () =>
  ksm().find((s) => s.name === "kube_pod_container_info" && about(CATALOG_CONTAINER)(s)) as Sample;
/** What kube-state-metrics prints of the catalog pod: its info (for the node join) and containers' restarts. */
const catalogPod = (minutes: number, restarts?: string) =>
  scraped(
    "kube-state-metrics",
    minutes,
    both(named("kube_pod_info", "kube_pod_container_status_restarts_total"), about(CATALOG)),
    (s) => (s.name === "kube_pod_container_status_restarts_total" ? restarts : undefined),
  );
const waitingAs = (reason: string, values: string) =>
  printedAs(
    "kube-state-metrics",
    "kube_pod_container_status_waiting_reason",
    { ...catalogContainer(), labels: CATALOG_CONTAINER },
    { uid: catalogContainer().labels.uid, reason },
    values,
  );
const lastTerminatedAs = (reason: string) =>
  printedAs(
    "kube-state-metrics",
    "kube_pod_container_status_last_terminated_reason",
    catalogContainer(),
    { reason },
    "1x80",
  );
const podAlert = { ...CATALOG_CONTAINER, node: KIND_NODE };
/** An alert's labels: Prometheus drops the empty ones (node-exporter's `device_error=""`). */
const alertLabels = (labels: Labels) =>
  Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ""));

function pair(
  alert: string,
  evalTime: string,
  firing: Record<string, string>,
  silent: Record<string, string>,
  labels: Labels | Labels[],
): AlertCase[] {
  return [
    { alert, series: firing, evalTime, fires: labels },
    { alert, series: silent, evalTime },
  ];
}

/** A fixture's own values: nothing the failure changes. */
const unchanged = (): string | undefined => undefined;

/**
 * `pair` over one selection of a fixture's series (`scraped`'s fixture, minutes and filter): the
 * values `firing` changes make it fire, those `silent` changes do not.
 */
const pairOver = (
  alert: string,
  evalTime: string,
  [fixture, minutes, only]: [PlatformFixture, number, (s: Sample) => boolean],
  firing: (s: Sample) => string | undefined,
  silent: (s: Sample) => string | undefined,
  labels: Labels | Labels[],
): AlertCase[] =>
  pair(
    alert,
    evalTime,
    scraped(fixture, minutes, only, firing),
    scraped(fixture, minutes, only, silent),
    labels,
  );

/** Back-off waits (5 minutes at the cap) between runs of a minute: the reason is absent while it runs. */
const crashLoop = (cycles: number) => Array.from({ length: cycles }, () => "1 1 1 1 1 _").join(" ");

const GATEWAY_DEPLOYMENT = { namespace: "tiketi-spring", deployment: "gateway-service" };
const PROMETHEUS_SET = { namespace: "observability", statefulset: "prometheus" };
const NODE_EXPORTER_SET = { namespace: "observability-node", daemonset: "node-exporter" };
const ROLLUP_JOB = { namespace: "tiketi-spring", job_name: "stats-rollup-29400360" };
const ROLLUP = { namespace: "tiketi-spring", cronjob: "stats-rollup" };
const GATEWAY_HPA = { namespace: "tiketi-spring", horizontalpodautoscaler: "gateway-service" };
const GATEWAY_PDB = { namespace: "tiketi-spring", poddisruptionbudget: "gateway-service" };
const PROMETHEUS_CLAIM = { namespace: "observability", persistentvolumeclaim: "data-prometheus-0" };
const ROOT_FS = { mountpoint: "/" };

/** The kubelet's volume stats of Prometheus' claim with one family's values replaced. */
const claimStats = (minutes: number, replaced: Record<string, string>) =>
  scraped("kubelet", minutes, familiesOf("kubelet_volume_stats_", PROMETHEUS_CLAIM), (s) => replaced[s.name]);

const rootFilesystemLabels = () => ({
  ...TARGETS(KIND_NODE)["node-exporter"],
  ...(
    samples(exposition("node-exporter")).find(
      (s) => s.name === "node_filesystem_size_bytes" && about(ROOT_FS)(s),
    ) as Sample
  ).labels,
});

/** node-exporter's root filesystem series with some values replaced. */
const rootFilesystem = (minutes: number, replaced: Record<string, string>) =>
  scraped("node-exporter", minutes, familiesOf("node_filesystem_", ROOT_FS), (s) => replaced[s.name]);

const nodeExporter = (names: string[], minutes: number, replaced: Record<string, string> = {}) =>
  scraped(
    "node-exporter",
    minutes,
    named(...names),
    (s) => replaced[seriesKey(s.name, s.labels)] ?? replaced[s.name],
  );

/**
 * kube-state-metrics' series of Prometheus' claim once the claim carries `excluded_from_alerts:
 * "true"`: the label its allowlist exports (internal/store/persistentvolumeclaim.go at v2.16.0).
 */
const optedOut = (minutes: number) =>
  printedAs(
    "kube-state-metrics",
    "kube_persistentvolumeclaim_labels",
    ksm().find((s) => s.name === "kube_persistentvolumeclaim_labels" && about(PROMETHEUS_CLAIM)(s)) as Sample,
    { label_excluded_from_alerts: "true" },
    `1x${minutes}`,
  );

/** The node's conditions and cordon as kube-state-metrics prints them, DiskPressure and the cordon as given. */
const nodeConditions = (minutes: number, pressure: boolean, cordoned: boolean) =>
  scraped(
    "kube-state-metrics",
    minutes,
    named("kube_node_status_condition", "kube_node_spec_unschedulable"),
    (s) =>
      s.name === "kube_node_spec_unschedulable"
        ? `${cordoned ? 1 : 0}x${minutes}`
        : pressure && s.labels.condition === "DiskPressure"
          ? `${s.labels.status === "true" ? 1 : 0}x${minutes}`
          : undefined,
  );

const FILE_DESCRIPTORS = ["node_filefd_allocated", "node_filefd_maximum"];
/** The fixture node's file descriptors with `share` of the limit allocated. */
const fileDescriptors = (share: number) =>
  nodeExporter(FILE_DESCRIPTORS, 25, {
    node_filefd_allocated: `${num(sizeOf("node-exporter", "node_filefd_maximum") * share)}x25`,
  });

/** The fixture node's disk with `depth` requests in flight on average: its weighted I/O time grows `depth` s/s. */
const diskQueue = (depth: number) =>
  nodeExporter(["node_disk_io_time_weighted_seconds_total"], 40, {
    node_disk_io_time_weighted_seconds_total: `${num(sizeOf("node-exporter", "node_disk_io_time_weighted_seconds_total"))}+${depth * 60}x40`,
  });

const TIMEX = ["node_timex_sync_status", "node_timex_maxerror_seconds", "node_timex_status"];
/** A kernel clock NTP keeps synchronised: STA_PLL set, STA_UNSYNC clear, a small maximum error. */
const SYNCHRONISED = {
  node_timex_sync_status: "1x80",
  node_timex_maxerror_seconds: "0.25x80",
  node_timex_status: "1x80",
};

const sizeOf = (fixture: PlatformFixture, name: string, labels: Labels = {}) =>
  (samples(exposition(fixture)).find((s) => s.name === name && about(labels)(s)) as Sample).value;

/** Allocatable CPU and memory of `count` nodes like the kind node, and pods' requests scaled to `share` of it. */
function requestsAgainstNodes(count: number, share: number): Record<string, string> {
  const nodes = Array.from({ length: count }, (_, i) => `ip-10-0-${i}-10.ec2.internal`);
  const allocatable = ksm().filter(
    (s) => s.name === "kube_node_status_allocatable" && ["cpu", "memory"].includes(s.labels.resource),
  );
  const requests = ksm().filter((s) => s.name === "kube_pod_container_resource_requests");
  const total = (resource: string) =>
    requests.filter((s) => s.labels.resource === resource).reduce((sum, s) => sum + s.value, 0);
  const target = TARGETS(KIND_NODE)["kube-state-metrics"];
  return {
    ...Object.fromEntries(
      nodes.flatMap((node) =>
        allocatable.map((s) => [seriesKey(s.name, { ...target, ...s.labels, node }), `${num(s.value)}x20`]),
      ),
    ),
    ...Object.fromEntries(
      requests.map((s) => {
        const capacity = (allocatable.find((a) => a.labels.resource === s.labels.resource) as Sample).value;
        const scale = (share * count * capacity) / total(s.labels.resource);
        return [seriesKey(s.name, { ...target, ...s.labels }), `${num(s.value * scale)}x20`];
      }),
    ),
  };
}

const apiserverRequests = (minutes: number, values?: (s: Sample) => string | undefined) =>
  scraped("apiserver", minutes, family("apiserver_request_total"), values);
/** Requests a minute in the fixture's traffic (its totals over the API server's uptime). */
const requestsPerMinute = () =>
  (samples(exposition("apiserver"))
    .filter(family("apiserver_request_total"))
    .reduce((sum, s) => sum + s.value, 0) *
    60) /
  (UPTIME.apiserver as number);
const podList = () =>
  samples(exposition("apiserver")).find(
    (s) => s.name === "apiserver_request_total" && s.labels.resource === "pods" && s.labels.verb === "LIST",
  ) as Sample;
const bound = (s: Sample) => (s.labels.le === "+Inf" ? Infinity : Number(s.labels.le));
/** The API server's request durations, `values` overriding some. */
const requestDurations = (minutes: number, values?: (s: Sample) => string | undefined) =>
  scraped(
    "apiserver",
    minutes,
    (s) =>
      s.name === "apiserver_request_duration_seconds_bucket" ||
      s.name === "apiserver_request_duration_seconds_count",
    values,
  );
/**
 * Pod lists the API server rejects with 429, `perMinute` a minute. It counts each in
 * apiserver_request_total and in apiserver_request_terminations_total, whose labels are a request's
 * without dry_run (k8s.io/apiserver v0.33.13, pkg/endpoints/metrics/metrics.go: RecordDroppedRequest
 * and RecordRequestTermination, both called by the priority-and-fairness and max-in-flight filters).
 */
function rejectedPodLists(perMinute: number, minutes: number): Record<string, string> {
  const labels = Object.fromEntries(Object.entries(podList().labels).filter(([k]) => k !== "dry_run"));
  const values = `0+${num(perMinute)}x${minutes}`;
  return {
    ...printedAs("apiserver", "apiserver_request_total", podList(), { code: "429" }, values),
    ...printedAs(
      "apiserver",
      "apiserver_request_terminations_total",
      { ...podList(), labels },
      { code: "429" },
      values,
    ),
  };
}
/** Pod reads slowed past a second: 500 more a minute land above the 1 s bucket of one series. */
const slowGets = (s: Sample) => {
  const slowed =
    s.labels.verb === "GET" && s.labels.resource === "namespaces" && s.labels.scope === "resource";
  return slowed && (s.name.endsWith("_count") || bound(s) > 1)
    ? `${s.value}+${500 + s.value * 3}x20`
    : undefined;
};

/**
 * A free-space (or free-inode) gauge falling from 14.5 % to 10 % of its total over 80 minutes,
 * its used counterpart rising as much: full within a day at that rate.
 */
function declining(free: string, used: string | undefined, total: string, labels: Labels = PROMETHEUS_CLAIM) {
  const fixture: PlatformFixture = free.startsWith("node_") ? "node-exporter" : "kubelet";
  const size = sizeOf(fixture, total, labels);
  const step = (size * 0.045) / 80;
  return {
    [free]: `${num(size * 0.145)}-${num(step)}x80`,
    ...(used === undefined ? {} : { [used]: `${num(size * 0.855)}+${num(step)}x80` }),
  };
}
/** The same gauges held at 14.5 % free. */
function held(free: string, used: string | undefined, total: string, labels: Labels = PROMETHEUS_CLAIM) {
  const fixture: PlatformFixture = free.startsWith("node_") ? "node-exporter" : "kubelet";
  const size = sizeOf(fixture, total, labels);
  return {
    [free]: `${num(size * 0.145)}x80`,
    ...(used === undefined ? {} : { [used]: `${num(size * 0.855)}x80` }),
  };
}

const CLAIM_ALMOST_FULL = claimStats(10, {
  kubelet_volume_stats_available_bytes: `${sizeOf("kubelet", "kubelet_volume_stats_capacity_bytes", PROMETHEUS_CLAIM) * 0.02}x10`,
});
const CLAIM_INODES_ALMOST_EXHAUSTED = claimStats(10, {
  kubelet_volume_stats_inodes_free: `${sizeOf("kubelet", "kubelet_volume_stats_inodes", PROMETHEUS_CLAIM) * 0.02}x10`,
});
const CLAIM_FILLING_UP = claimStats(
  80,
  declining(
    "kubelet_volume_stats_available_bytes",
    "kubelet_volume_stats_used_bytes",
    "kubelet_volume_stats_capacity_bytes",
  ),
);
const CLAIM_INODES_FILLING_UP = claimStats(
  80,
  declining(
    "kubelet_volume_stats_inodes_free",
    "kubelet_volume_stats_inodes_used",
    "kubelet_volume_stats_inodes",
  ),
);

export const PLATFORM_ALERT_CASES: readonly AlertCase[] = [
  // Workloads. A rule on restarts in 15 minutes without `for` goes silent once the back-off reaches
  // its cap: at 75 minutes of crash looping this one still fires.
  ...pair(
    "PodCrashLooping",
    "75m",
    { ...catalogPod(80, "1+0.17x80"), ...waitingAs("CrashLoopBackOff", crashLoop(14)) },
    { ...catalogPod(80), ...lastTerminatedAs("Error") },
    { ...podAlert, severity: "critical" },
  ),
  // Restarting faster than the threshold before the back-off holds it waiting.
  {
    alert: "PodCrashLooping",
    series: catalogPod(40, "1+1x40"),
    evalTime: "35m",
    fires: { ...podAlert, severity: "critical" },
  },
  ...pair(
    "ContainerOOMKilledRepeatedly",
    "70m",
    { ...catalogPod(80, "1+0.05x80"), ...lastTerminatedAs("OOMKilled") },
    { ...catalogPod(80, "1+0.05x80"), ...lastTerminatedAs("Error") },
    { ...podAlert, severity: "warning" },
  ),
  ...pair(
    "ContainerImagePullFailing",
    "15m",
    { ...catalogPod(20), ...waitingAs("ImagePullBackOff", "1x20") },
    { ...catalogPod(20), ...waitingAs("ContainerCreating", "1x20") },
    { ...podAlert, reason: "ImagePullBackOff", severity: "warning" },
  ),
  ...pair(
    "ContainerWaiting",
    "65m",
    { ...catalogPod(70), ...waitingAs("CreateContainerConfigError", "1x70") },
    { ...catalogPod(70), ...waitingAs("ContainerCreating", "1x30") },
    { ...podAlert, reason: "CreateContainerConfigError", severity: "warning" },
  ),
  ...pairOver(
    "PodNotReady",
    "20m",
    [
      "kube-state-metrics",
      25,
      both(
        named("kube_pod_info", "kube_pod_status_ready", "kube_pod_status_phase", "kube_pod_owner"),
        about(CATALOG),
      ),
    ],
    (s) =>
      s.name === "kube_pod_status_ready" ? (s.labels.condition === "false" ? "1x25" : "0x25") : undefined,
    unchanged,
    { namespace: CATALOG.namespace, pod: CATALOG.pod, node: KIND_NODE, severity: "warning" },
  ),
  ...pairOver(
    "DeploymentRolloutStuck",
    "20m",
    ["kube-state-metrics", 25, familiesOf("kube_deployment_", GATEWAY_DEPLOYMENT)],
    (s) =>
      s.name === "kube_deployment_status_condition" && s.labels.condition === "Progressing"
        ? s.labels.status === "false"
          ? "1x25"
          : "0x25"
        : undefined,
    unchanged,
    { ...GATEWAY_DEPLOYMENT, severity: "warning" },
  ),
  ...pairOver(
    "DeploymentReplicasMissing",
    "20m",
    ["kube-state-metrics", 25, familiesOf("kube_deployment_", GATEWAY_DEPLOYMENT)],
    byName({ kube_deployment_spec_replicas: "2x25" }),
    // A rollout that moves: replicas are updated one by one.
    byName({
      kube_deployment_spec_replicas: "2x25",
      kube_deployment_status_replicas_updated: "0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1",
    }),
    { ...GATEWAY_DEPLOYMENT, severity: "warning" },
  ),
  ...pairOver(
    "StatefulSetReplicasMissing",
    "20m",
    ["kube-state-metrics", 25, familiesOf("kube_statefulset_", PROMETHEUS_SET)],
    byName({ kube_statefulset_status_replicas_ready: "0x25" }),
    unchanged,
    { ...PROMETHEUS_SET, severity: "warning" },
  ),
  ...pairOver(
    "StatefulSetRolloutStuck",
    "20m",
    ["kube-state-metrics", 25, familiesOf("kube_statefulset_", PROMETHEUS_SET)],
    byName({
      kube_statefulset_metadata_generation: `${sizeOf("kube-state-metrics", "kube_statefulset_metadata_generation", PROMETHEUS_SET) + 1}x25`,
    }),
    unchanged,
    { ...PROMETHEUS_SET, severity: "warning" },
  ),
  ...pairOver(
    "DaemonSetPodsMissing",
    "20m",
    ["kube-state-metrics", 25, familiesOf("kube_daemonset_", NODE_EXPORTER_SET)],
    byName({ kube_daemonset_status_desired_number_scheduled: "2x25" }),
    unchanged,
    { ...NODE_EXPORTER_SET, severity: "warning" },
  ),
  ...pairOver(
    "DaemonSetRolloutStuck",
    "20m",
    ["kube-state-metrics", 25, familiesOf("kube_daemonset_", NODE_EXPORTER_SET)],
    byName({ kube_daemonset_status_updated_number_scheduled: "0x25" }),
    unchanged,
    { ...NODE_EXPORTER_SET, severity: "warning" },
  ),
  ...pairOver(
    "JobFailed",
    "5m",
    ["kube-state-metrics", 10, familiesOf("kube_job_", ROLLUP_JOB)],
    (s) =>
      s.name === "kube_job_failed" || s.name === "kube_job_complete"
        ? (s.labels.condition === "true") === (s.name === "kube_job_failed")
          ? "1x10"
          : "0x10"
        : undefined,
    unchanged,
    { ...ROLLUP_JOB, severity: "warning" },
  ),
  // promtool's clock starts at 0: start times are seconds relative to it.
  ...pairOver(
    "JobRunningTooLong",
    "10m",
    ["kube-state-metrics", 10, familiesOf("kube_job_", ROLLUP_JOB)],
    byName({ kube_job_status_start_time: "-43000x10", kube_job_status_active: "1x10" }),
    byName({ kube_job_status_start_time: "-43000x10" }),
    { ...ROLLUP_JOB, severity: "warning" },
  ),
  ...pairOver(
    "CronJobNotScheduled",
    "10m",
    ["kube-state-metrics", 10, familiesOf("kube_cronjob_", ROLLUP)],
    byName({ kube_cronjob_next_schedule_time: "-7200x10" }),
    byName({ kube_cronjob_next_schedule_time: "-7200x10", kube_cronjob_spec_suspend: "1x10" }),
    { ...ROLLUP, severity: "warning" },
  ),
  ...pairOver(
    "HPAMaxedOut",
    "20m",
    ["kube-state-metrics", 25, familiesOf("kube_horizontalpodautoscaler_", GATEWAY_HPA)],
    byName({
      kube_horizontalpodautoscaler_status_current_replicas: "4x25",
      kube_horizontalpodautoscaler_status_desired_replicas: "4x25",
    }),
    // Pinned by design: minimum equals maximum.
    byName({
      kube_horizontalpodautoscaler_status_current_replicas: "4x25",
      kube_horizontalpodautoscaler_spec_min_replicas: "4x25",
    }),
    { ...GATEWAY_HPA, severity: "warning" },
  ),
  // The budget requires one healthy pod and its only pod is not ready; silent at its minimum, which
  // allows no eviction by design.
  ...pairOver(
    "PodDisruptionBudgetUnhealthy",
    "20m",
    ["kube-state-metrics", 25, familiesOf("kube_poddisruptionbudget_", GATEWAY_PDB)],
    byName({ kube_poddisruptionbudget_status_current_healthy: "0x25" }),
    unchanged,
    { ...GATEWAY_PDB, severity: "warning" },
  ),
  // Resources.
  ...pair(
    "CPUThrottlingHigh",
    "25m",
    {
      ...scraped("kube-state-metrics", 30, both(family("kube_pod_info"), about(CATALOG))),
      ...scraped("cadvisor", 30, familiesOf("container_cpu_cfs_", CATALOG_CONTAINER), (s) =>
        s.name === "container_cpu_cfs_throttled_periods_total"
          ? `${s.value}+240x30`
          : s.name === "container_cpu_cfs_periods_total"
            ? `${s.value}+600x30`
            : undefined,
      ),
    },
    {
      ...scraped("kube-state-metrics", 30, both(family("kube_pod_info"), about(CATALOG))),
      ...scraped("cadvisor", 30, familiesOf("container_cpu_cfs_", CATALOG_CONTAINER)),
    },
    { ...podAlert, severity: "warning" },
  ),
  ...pairOver(
    "ResourceQuotaNearlyFull",
    "20m",
    ["kube-state-metrics", 25, family("kube_resourcequota")],
    (s) => (s.labels.resource === "pods" && s.labels.type === "used" ? "19x25" : undefined),
    unchanged,
    { namespace: "tiketi-spring", resourcequota: "compute", resource: "pods", severity: "warning" },
  ),
  ...pair("ClusterCPUOvercommitted", "15m", requestsAgainstNodes(3, 0.8), requestsAgainstNodes(3, 0.6), {
    severity: "warning",
  }),
  ...pair("ClusterMemoryOvercommitted", "15m", requestsAgainstNodes(3, 0.8), requestsAgainstNodes(3, 0.6), {
    severity: "warning",
  }),
  // One node (kind, a small node group): requests beyond what it allocates.
  ...pair("ClusterCPUOvercommitted", "15m", requestsAgainstNodes(1, 1.1), requestsAgainstNodes(1, 0.9), {
    severity: "warning",
  }),
  ...pair("ClusterMemoryOvercommitted", "15m", requestsAgainstNodes(1, 1.1), requestsAgainstNodes(1, 0.9), {
    severity: "warning",
  }),
  // Storage. A claim labelled out of the alerts stays silent however full it is.
  ...pair("VolumeAlmostFull", "5m", CLAIM_ALMOST_FULL, claimStats(10, {}), {
    ...PROMETHEUS_CLAIM,
    severity: "critical",
  }),
  { alert: "VolumeAlmostFull", evalTime: "5m", series: { ...CLAIM_ALMOST_FULL, ...optedOut(10) } },
  ...pair("VolumeInodesAlmostExhausted", "5m", CLAIM_INODES_ALMOST_EXHAUSTED, claimStats(10, {}), {
    ...PROMETHEUS_CLAIM,
    severity: "critical",
  }),
  {
    alert: "VolumeInodesAlmostExhausted",
    evalTime: "5m",
    series: { ...CLAIM_INODES_ALMOST_EXHAUSTED, ...optedOut(10) },
  },
  ...pairOver(
    "PersistentVolumeFailed",
    "10m",
    ["kube-state-metrics", 15, family("kube_persistentvolume_status_phase")],
    (s) =>
      s.labels.persistentvolume === "pvc-c04660a8-8332-e41f-26fc-9b69ba96aa4a"
        ? s.labels.phase === "Failed"
          ? "1x15"
          : "0x15"
        : undefined,
    unchanged,
    { persistentvolume: "pvc-c04660a8-8332-e41f-26fc-9b69ba96aa4a", phase: "Failed", severity: "critical" },
  ),
  // Nodes.
  ...pairOver(
    "NodeNotReady",
    "20m",
    ["kube-state-metrics", 25, family("kube_node_status_condition")],
    (s) => (s.labels.condition === "Ready" ? (s.labels.status === "unknown" ? "1x25" : "0x25") : undefined),
    unchanged,
    { node: KIND_NODE, severity: "critical" },
  ),
  // A cordoned node, being drained, is expected to be under pressure.
  ...pair("NodeUnderPressure", "10m", nodeConditions(15, true, false), nodeConditions(15, false, false), {
    node: KIND_NODE,
    condition: "DiskPressure",
    severity: "warning",
  }),
  { alert: "NodeUnderPressure", evalTime: "10m", series: nodeConditions(15, true, true) },
  ...pair(
    "NodeFilesystemAlmostFull",
    "35m",
    rootFilesystem(40, {
      node_filesystem_avail_bytes: `${sizeOf("node-exporter", "node_filesystem_size_bytes", ROOT_FS) * 0.04}x40`,
    }),
    rootFilesystem(40, {}),
    alertLabels({ ...rootFilesystemLabels(), severity: "critical" }),
  ),
  ...pair(
    "NodeFilesystemInodesAlmostExhausted",
    "65m",
    rootFilesystem(70, {
      node_filesystem_files_free: `${sizeOf("node-exporter", "node_filesystem_files", ROOT_FS) * 0.02}x70`,
    }),
    rootFilesystem(70, {}),
    alertLabels({ ...rootFilesystemLabels(), severity: "critical" }),
  ),
  ...pair(
    "NodeMemoryHighUtilisation",
    "20m",
    nodeExporter(["node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes"], 25, {
      node_memory_MemAvailable_bytes: `${sizeOf("node-exporter", "node_memory_MemTotal_bytes") * 0.05}x25`,
    }),
    nodeExporter(["node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes"], 25),
    { node: KIND_NODE, severity: "warning" },
  ),
  ...pair("NodeFileDescriptorsNearLimit", "20m", fileDescriptors(0.95), fileDescriptors(0.85), {
    ...TARGETS(KIND_NODE)["node-exporter"],
    severity: "critical",
  }),
  ...pair("NodeDiskIOSaturated", "36m", diskQueue(12), diskQueue(8), {
    ...TARGETS(KIND_NODE)["node-exporter"],
    device: "vda",
    severity: "warning",
  }),
  ...pair(
    "NodeClockSkewDetected",
    "20m",
    nodeExporter(["node_timex_offset_seconds"], 25, { node_timex_offset_seconds: "0.06+0.001x25" }),
    nodeExporter(["node_timex_offset_seconds"], 25),
    { ...TARGETS(KIND_NODE)["node-exporter"], severity: "warning" },
  ),
  // The capture's own clock was unsynchronised (node_timex_status 64, STA_UNSYNC; maximum error at
  // its 16 s cap): the failure as node_exporter printed it, against a synchronised kernel clock.
  ...pair(
    "NodeClockNotSynchronising",
    "20m",
    nodeExporter(TIMEX, 25),
    nodeExporter(TIMEX, 25, SYNCHRONISED),
    { ...TARGETS(KIND_NODE)["node-exporter"], severity: "warning" },
  ),
  ...pair(
    "NodeConntrackNearlyFull",
    "10m",
    nodeExporter(["node_nf_conntrack_entries", "node_nf_conntrack_entries_limit"], 15, {
      node_nf_conntrack_entries: `${sizeOf("node-exporter", "node_nf_conntrack_entries_limit") * 0.8}x15`,
    }),
    nodeExporter(["node_nf_conntrack_entries", "node_nf_conntrack_entries_limit"], 15),
    { ...TARGETS(KIND_NODE)["node-exporter"], severity: "warning" },
  ),
  ...pair(
    "NodeNetworkErrors",
    "70m",
    nodeExporter(["node_network_receive_errs_total", "node_network_receive_packets_total"], 75, {
      [seriesKey("node_network_receive_errs_total", { device: "eth0" })]: "0+1200x75",
      [seriesKey("node_network_receive_packets_total", { device: "eth0" })]: "200205+60000x75",
    }),
    nodeExporter(["node_network_receive_errs_total", "node_network_receive_packets_total"], 75),
    { ...TARGETS(KIND_NODE)["node-exporter"], device: "eth0", direction: "receive", severity: "warning" },
  ),
  ...pair(
    "NodeTooManyPods",
    "20m",
    {
      ...scraped("kubelet", 25, family("kubelet_running_pods"), () => "108x25"),
      ...scraped(
        "kube-state-metrics",
        25,
        both(family("kube_node_status_capacity"), about({ resource: "pods" })),
      ),
    },
    {
      ...scraped("kubelet", 25, family("kubelet_running_pods")),
      ...scraped(
        "kube-state-metrics",
        25,
        both(family("kube_node_status_capacity"), about({ resource: "pods" })),
      ),
    },
    { node: KIND_NODE, severity: "warning" },
  ),
  // Control plane and targets.
  ...pair(
    "PlatformTargetDown",
    "10m",
    { [seriesKey("up", TARGETS(KIND_NODE).kubelet)]: "1 1 0x13" },
    { [seriesKey("up", TARGETS(KIND_NODE).kubelet)]: "1 1 0 0 1x11" },
    { ...TARGETS(KIND_NODE).kubelet, severity: "critical" },
  ),
  // A target gone from discovery, against one that is there but down (PlatformTargetDown's).
  ...pair(
    "APIServerTargetMissing",
    "28m",
    { [seriesKey("up", TARGETS(KIND_NODE).apiserver)]: "1x5 _x25" },
    { [seriesKey("up", TARGETS(KIND_NODE).apiserver)]: "1x5 0x25" },
    { job: "apiserver", severity: "critical" },
  ),
  ...pair(
    "KubeletTargetMissing",
    "28m",
    {
      ...scraped("kube-state-metrics", 30, family("kube_node_info")),
      [seriesKey("up", TARGETS(KIND_NODE).kubelet)]: "1x5 _x25",
    },
    {
      ...scraped("kube-state-metrics", 30, family("kube_node_info")),
      [seriesKey("up", TARGETS(KIND_NODE).kubelet)]: "1x5 0x25",
    },
    { node: KIND_NODE, severity: "critical" },
  ),
  // Half the requests rejected with 429, against a tenth.
  ...pair(
    "APIServerRequestsTerminated",
    "15m",
    { ...apiserverRequests(20), ...rejectedPodLists(requestsPerMinute(), 20) },
    { ...apiserverRequests(20), ...rejectedPodLists(requestsPerMinute() / 9, 20) },
    { severity: "warning" },
  ),
  ...pair(
    "APIServerErrorsHigh",
    "15m",
    // Storage (etcd) failing: listing pods answers 503.
    {
      ...apiserverRequests(20),
      ...printedAs("apiserver", "apiserver_request_total", podList(), { code: "503" }, "0+300x20"),
    },
    apiserverRequests(20),
    { severity: "critical" },
  ),
  ...pair("APIServerLatencyHigh", "15m", requestDurations(20, slowGets), requestDurations(20), {
    verb: "GET",
    severity: "warning",
  }),
  ...pairOver(
    "APIServerClientCertificateExpiring",
    "10m",
    ["apiserver", 15, (s) => s.name.startsWith("apiserver_client_certificate_expiration_seconds")],
    (s) =>
      s.name.endsWith("_count") || (s.name.endsWith("_bucket") && bound(s) >= 345600) ? "0+10x15" : undefined,
    unchanged,
    { ...TARGETS(KIND_NODE).apiserver, severity: "warning" },
  ),
  ...pairOver(
    "KubeletCertificateExpiring",
    "5m",
    ["kubelet", 10, family("kubelet_certificate_manager_client_ttl_seconds")],
    () => `${3 * 86400}x10`,
    unchanged,
    { node: KIND_NODE, certificate: "client", severity: "warning" },
  ),
  ...pairOver(
    "KubeletCertificateRenewalFailing",
    "25m",
    ["kubelet", 30, family("kubelet_certificate_manager_client_expiration_renew_errors")],
    () => "0+1x30",
    unchanged,
    { node: KIND_NODE, certificate: "client", severity: "warning" },
  ),
  ...pairOver(
    "KubeletPLEGDurationHigh",
    "15m",
    ["kubelet", 20, (s) => s.name.startsWith("kubelet_pleg_relist_duration_seconds")],
    (s) => (s.labels.le === "+Inf" || s.name.endsWith("_count") ? `${s.value}+600x20` : undefined),
    unchanged,
    { node: KIND_NODE, severity: "warning" },
  ),
  ...pair(
    "CoreDNSErrorsHigh",
    "15m",
    {
      ...scraped("coredns", 20, family("coredns_dns_responses_total")),
      ...printedAs(
        "coredns",
        "coredns_dns_responses_total",
        samples(exposition("coredns")).find(
          (s) => s.name === "coredns_dns_responses_total" && s.labels.plugin === "forward",
        ) as Sample,
        { rcode: "SERVFAIL" },
        "0+300x20",
      ),
    },
    scraped("coredns", 20, family("coredns_dns_responses_total")),
    { severity: "warning" },
  ),
  ...pairOver(
    "CoreDNSLatencyHigh",
    "15m",
    ["coredns", 20, (s) => s.name.startsWith("coredns_dns_request_duration_seconds")],
    (s) => (s.labels.le === "+Inf" || s.name.endsWith("_count") ? `${s.value}+600x20` : undefined),
    unchanged,
    { server: "dns://:53", zone: ".", severity: "warning" },
  ),
  // Predictions from the last hour and more of a steady decline, against the same level held.
  ...pair(
    "VolumeFillingUp",
    "75m",
    CLAIM_FILLING_UP,
    claimStats(
      80,
      held(
        "kubelet_volume_stats_available_bytes",
        "kubelet_volume_stats_used_bytes",
        "kubelet_volume_stats_capacity_bytes",
      ),
    ),
    { ...PROMETHEUS_CLAIM, severity: "warning" },
  ),
  ...pair(
    "VolumeInodesFillingUp",
    "75m",
    CLAIM_INODES_FILLING_UP,
    claimStats(
      80,
      held(
        "kubelet_volume_stats_inodes_free",
        "kubelet_volume_stats_inodes_used",
        "kubelet_volume_stats_inodes",
      ),
    ),
    { ...PROMETHEUS_CLAIM, severity: "warning" },
  ),
  { alert: "VolumeFillingUp", evalTime: "75m", series: { ...CLAIM_FILLING_UP, ...optedOut(80) } },
  {
    alert: "VolumeInodesFillingUp",
    evalTime: "75m",
    series: { ...CLAIM_INODES_FILLING_UP, ...optedOut(80) },
  },
  ...pair(
    "NodeFilesystemFillingUp",
    "75m",
    rootFilesystem(
      80,
      declining("node_filesystem_avail_bytes", undefined, "node_filesystem_size_bytes", ROOT_FS),
    ),
    rootFilesystem(80, held("node_filesystem_avail_bytes", undefined, "node_filesystem_size_bytes", ROOT_FS)),
    alertLabels({ ...rootFilesystemLabels(), severity: "warning" }),
  ),
  ...pair(
    "NodeFilesystemInodesFillingUp",
    "75m",
    rootFilesystem(80, declining("node_filesystem_files_free", undefined, "node_filesystem_files", ROOT_FS)),
    rootFilesystem(80, held("node_filesystem_files_free", undefined, "node_filesystem_files", ROOT_FS)),
    alertLabels({ ...rootFilesystemLabels(), severity: "warning" }),
  ),
];

/** The nodes of the EKS shape (tests/kit/cluster.ts EKS_SHAPE). */
const EKS_NODES = ["a", "b", "c"].map((zone) => `ip-10-0-${zone.charCodeAt(0)}-10.ec2.internal`);
/** What EKS runs out of the cluster's reach: no pods of these exist there. */
const EKS_HIDDEN = /^(etcd|kube-apiserver|kube-controller-manager|kube-scheduler)-|^kindnet-/;

/**
 * A target scraped whole: `up` and the scrape's own series, its samples the fixture's, under the
 * profile's default sample_limit (kube-state-metrics' and the API server's the cluster-wide one).
 */
function scrapedWhole(shape: "kind" | "prod", fixture: PlatformFixture, target: Labels, minutes: number) {
  const limits = PROFILE_DEFAULTS[shape === "kind" ? "kind" : "eks"].metrics.scrapeLimits;
  const count = samples(exposition(fixture)).length;
  const limit = ["kube-state-metrics", "apiserver"].includes(fixture)
    ? limits.clusterWideSampleLimit
    : limits.sampleLimit;
  return Object.fromEntries(
    [
      ["up", 1],
      ["scrape_samples_scraped", count],
      ["scrape_samples_post_metric_relabeling", count],
      ["scrape_sample_limit", limit],
    ].map(([name, value]) => [seriesKey(name as string, target), `${value}x${minutes}`]),
  );
}

/**
 * An hour of a healthy cluster of each profile's shape, from the fixtures. kind: one node running the
 * control plane. prod (EKS): three nodes, no control-plane pods, the apps on the first node; the
 * kubelet, cAdvisor and node-exporter of each node, kube-state-metrics' node series for each.
 * node-exporter's clock is a synchronised node's: the capture's was not (see NodeClockNotSynchronising).
 */
export function healthyCluster(shape: "kind" | "prod", minutes: number): Record<string, string> {
  const nodes = shape === "kind" ? [KIND_NODE] : EKS_NODES;
  const first = nodes[0];
  const onFirst = (s: Sample) => ({
    ...s,
    labels: s.labels.node === KIND_NODE ? { ...s.labels, node: first } : s.labels,
  });
  const ksmTarget = TARGETS(first)["kube-state-metrics"];
  const kubeStateMetrics = Object.fromEntries(
    ksm()
      .filter(
        (s) => shape === "kind" || (!EKS_HIDDEN.test(s.labels.pod ?? "") && s.name !== "kube_node_role"),
      )
      .flatMap((s) =>
        s.name.startsWith("kube_node_")
          ? nodes.map((node) => ({ ...s, labels: { ...s.labels, node } }))
          : [onFirst(s)],
      )
      .map((s) => [
        seriesKey(s.name, { ...ksmTarget, node: first, ...s.labels }),
        CUMULATIVE.test(s.name)
          ? `${num(s.value)}+${num((s.value * 60) / 86400)}x${minutes}`
          : `${num(s.value)}x${minutes}`,
      ]),
  );
  const perNode = nodes.map((node, i) => ({
    ...scraped(
      "kubelet",
      minutes,
      (s) => i === 0 || !s.name.startsWith("kubelet_volume_stats_"),
      undefined,
      node,
    ),
    ...scraped("cadvisor", minutes, (s) => i === 0 || s.labels.id === "/", undefined, node),
    ...scraped(
      "node-exporter",
      minutes,
      () => true,
      (s) => (SYNCHRONISED as Record<string, string>)[s.name],
      node,
    ),
    ...scrapedWhole(shape, "kubelet", TARGETS(node).kubelet, minutes),
    ...scrapedWhole(shape, "cadvisor", TARGETS(node).cadvisor, minutes),
    ...scrapedWhole(shape, "node-exporter", TARGETS(node)["node-exporter"], minutes),
  }));
  return Object.assign(
    {},
    kubeStateMetrics,
    ...perNode,
    scraped("coredns", minutes, () => true, undefined, first),
    scraped("apiserver", minutes),
    scrapedWhole(shape, "kube-state-metrics", ksmTarget, minutes),
    scrapedWhole(shape, "coredns", TARGETS(first).coredns, minutes),
    scrapedWhole(shape, "apiserver", TARGETS(first).apiserver, minutes),
  );
}
