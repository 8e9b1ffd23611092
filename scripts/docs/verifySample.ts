// What `npm run verify` prints, as getting-started.md shows it: built from verify's own findings
// (scripts/verify/*), in the order verify runs its checks, with what the render and the cluster's
// shape decide filled in and `<n>` where the time or the cluster's own add-ons decide.
import * as k8s from "@kubernetes/client-node";
import { StackConfig } from "../../config";
import { DEMO_SERVICES } from "../../config/demo";
import { KubeObject } from "../../render/manifest";
import { Finding } from "../cli/findings";
import { canaryLinesBack } from "../verify/canaryChecks";
import { Count } from "../verify/checks";
import { verifyChecks } from "../verify/checkList";
import { VerifyExpectations } from "../verify/expectations";
import { dashboardsInFolder, datasourceHealthy, datasourceUnhealthy } from "../verify/grafanaChecks";
import { lokiReceiving } from "../verify/logsChecks";
import {
  ALERTMANAGER_ALONE,
  alertmanagerClusterReady,
  appTargetsUp,
  stackTargetDown,
  stackTargetsUp,
  watchdogReached,
} from "../verify/metricsChecks";
import { DEFAULT_WAIT_SECONDS, verifyHeader, verifyReport } from "../verify/report";
import { TEMPO_READY, collectorExports } from "../verify/tracesChecks";
import { workloadsReady } from "../verify/workloads";

/** The cluster a sample is of: its nodes, and how many of them run the control plane. */
export interface ClusterShape {
  readonly nodes: number;
  readonly controlPlanes: number;
}

interface SampleStack {
  readonly stack: string;
  readonly config: StackConfig;
  readonly objects: readonly KubeObject[];
  readonly expected: VerifyExpectations;
  readonly cluster: ClusterShape;
}

/** The names of verify's checks, in the order it runs them. */
export function verifyCheckNames(expected: VerifyExpectations): string[] {
  const stub = () => Promise.reject(new Error("not run"));
  return verifyChecks({
    stack: "",
    namespace: "",
    expected,
    endpoints: { url: stub },
    kubeConfig: new k8s.KubeConfig(),
    runningAppPods: stub,
    grafanaPassword: stub,
  }).map((check) => check.name);
}

/**
 * Targets per job of the stack's own: a workload's replicas (a DaemonSet's: one per node), a
 * node's agents per node, the API server per control-plane node; CoreDNS is the cluster's own.
 */
function targetsOf(job: string, s: SampleStack): Count {
  const workload = s.objects.find(
    (o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind) && o.metadata.name === job,
  );
  if (workload !== undefined) {
    return workload.kind === "DaemonSet"
      ? s.cluster.nodes
      : ((workload.spec as { replicas?: number }).replicas ?? 1);
  }
  switch (job) {
    case "kubelet":
    case "cadvisor":
      return s.cluster.nodes;
    case "apiserver":
      return s.cluster.controlPlanes;
    default:
      return "<n>";
  }
}

/** Each check's findings on a healthy stack with the demo's services (and none of yours) running. */
function healthyFindings(s: SampleStack): Record<string, Finding[]> {
  const { expected, config } = s;
  const replicas = expected.alertmanagerReplicas;
  return {
    workloads: [workloadsReady(expected.workloads)],
    "Prometheus targets": [
      stackTargetsUp(expected.stackJobs.map((job) => ({ job, targets: targetsOf(job, s) }))),
      appTargetsUp(config.demo.enabled ? DEMO_SERVICES.length : 0, expected.otherJobs),
    ],
    "Alertmanager cluster": [replicas === 1 ? ALERTMANAGER_ALONE : alertmanagerClusterReady(replicas)],
    Watchdog: [watchdogReached("active")],
    Loki: [lokiReceiving("<n>", expected.logs.namespaces)],
    "Loki canary": [canaryLinesBack({ written: "<n>", received: "<n>", late: 0, missing: 0, duplicates: 0 })],
    "collector and Tempo": [collectorExports({ accepted: "<n>", sent: "<n>", failed: 0 }), TEMPO_READY],
    Grafana: [
      ...expected.datasources.map(datasourceHealthy),
      dashboardsInFolder(expected.dashboards.folder, expected.dashboards.list.length),
    ],
  };
}

/** The findings of every check, in verify's order; a check without a sample here is an error. */
function inOrder(s: SampleStack, byCheck: Record<string, Finding[]>): Finding[] {
  return verifyCheckNames(s.expected).flatMap((name) => {
    const findings = byCheck[name];
    if (findings === undefined) {
      throw new Error(`scripts/docs/verifySample.ts has no sample for verify's check "${name}"`);
    }
    return findings;
  });
}

/** `npm run verify -- <stack>` on a healthy stack. */
export function healthyVerifySample(s: SampleStack): string {
  return [
    verifyHeader(s.stack, s.config, DEFAULT_WAIT_SECONDS),
    ...verifyReport(inOrder(s, healthyFindings(s)), s.stack),
  ].join("\n");
}

/**
 * The failing lines of the same stack with node-exporter's target down and Grafana unable to reach
 * Loki, as a cluster shows them (the pod name and addresses are illustrative), and the summary.
 */
export function brokenVerifySample(s: SampleStack): string {
  const { expected } = s;
  const loki = expected.datasources.find((d) => d.type === "loki");
  const nodeExporter = "node-exporter";
  const pod = "node-exporter-x7k2p";
  const url = "http://10.244.0.12:9100/metrics";
  if (loki === undefined || !expected.stackJobs.includes(nodeExporter)) {
    throw new Error("the broken verify sample needs a Loki datasource and the node-exporter job");
  }
  const lokiUrl = new URL(loki.url);
  const failing = [
    stackTargetDown(nodeExporter, {
      scrapePool: nodeExporter,
      scrapeUrl: url,
      labels: { namespace: s.config.namespaces.node, pod },
      health: "down",
      lastError: `Get "${url}": dial tcp 10.244.0.12:9100: connect: connection refused`,
    }),
    datasourceUnhealthy(
      loki,
      {
        status: 400,
        error: `Get "${loki.url}/loki/api/v1/labels": dial tcp 10.96.41.7:${lokiUrl.port}: i/o timeout`,
      },
      { namespace: s.config.namespaces.observability, workload: "statefulset/grafana" },
    ),
  ];
  return verifyReport(failing, s.stack).join("\n");
}
