import * as k8s from "@kubernetes/client-node";
import { GRAFANA } from "../../components/grafana/names";
import { Check } from "./checks";
import { Endpoints } from "./endpoints";
import { EndpointName, VerifyExpectations } from "./expectations";
import { grafanaFindings } from "./grafanaChecks";
import { canaryFindings } from "./canaryChecks";
import { logsFindings } from "./logsChecks";
import { alertmanagerClusterFindings, targetFindings, watchdogFindings } from "./metricsChecks";
import { tracesFindings } from "./tracesChecks";
import { workloadFindings } from "./workloads";

export interface CheckContext {
  readonly stack: string;
  readonly namespace: string;
  readonly expected: VerifyExpectations;
  readonly endpoints: Pick<Endpoints, "url">;
  /** The cluster, for workloads and pods; absent when only the servers are checked. */
  readonly kubeConfig?: k8s.KubeConfig;
  /** Pods running in the namespaces Alloy tails. */
  readonly runningAppPods: () => Promise<number>;
  /** Grafana's admin password, read when Grafana is checked. */
  readonly grafanaPassword: () => Promise<string>;
  /** @default 15000: the collector's batch timeout is 5 s. */
  readonly exportWithinMs?: number;
}

/** Why an endpoint may be unreachable: kind's port mapping for a NodePort, the pod for a port-forward. */
const unreachableHint = (ctx: CheckContext, name: EndpointName): string => {
  const { nodePort, namespace, service, port } = ctx.expected.endpoints[name];
  return nodePort === undefined
    ? `is the pod up? kubectl -n ${namespace} get pods; kubectl -n ${namespace} port-forward svc/${service} ${port} shows why it cannot be reached`
    : `kind maps NodePort ${nodePort} to 127.0.0.1 only when the cluster was created from kind/cluster.yaml (npm run up does); is svc/${service} up? kubectl -n ${namespace} get pods`;
};

/** The checks in the order a user fixes them: workloads first, then each signal, then Grafana. */
export function verifyChecks(ctx: CheckContext): Check[] {
  const { expected, endpoints, namespace } = ctx;
  const kubeConfig = ctx.kubeConfig;
  return [
    ...(kubeConfig === undefined
      ? []
      : [
          {
            name: "workloads",
            fixWhenUnreachable:
              "check cluster.kubeContext and that your credentials may read the stack's namespaces",
            run: () => workloadFindings(kubeConfig, expected.workloads, ctx.stack),
          },
        ]),
    {
      name: "Prometheus targets",
      fixWhenUnreachable: unreachableHint(ctx, "prometheus"),
      run: async () =>
        targetFindings(await endpoints.url("prometheus"), expected.stackJobs, expected.otherJobs, namespace),
    },
    {
      name: "Alertmanager cluster",
      fixWhenUnreachable: unreachableHint(ctx, "alertmanager"),
      run: async () =>
        alertmanagerClusterFindings(
          await endpoints.url("alertmanager"),
          expected.alertmanagerReplicas,
          namespace,
        ),
    },
    {
      name: "Watchdog",
      fixWhenUnreachable: unreachableHint(ctx, "alertmanager"),
      run: async () => watchdogFindings(await endpoints.url("alertmanager"), namespace),
    },
    {
      name: "Loki",
      fixWhenUnreachable: unreachableHint(ctx, "loki"),
      run: async () =>
        logsFindings({
          loki: await endpoints.url("loki"),
          ...expected.logs,
          namespace,
          runningPods: ctx.runningAppPods,
        }),
    },
    {
      name: "Loki canary",
      fixWhenUnreachable: unreachableHint(ctx, "prometheus"),
      run: async () => canaryFindings(await endpoints.url("prometheus"), namespace),
    },
    {
      name: "collector and Tempo",
      fixWhenUnreachable: unreachableHint(ctx, "collectorTelemetry"),
      run: async () =>
        tracesFindings({
          otlpHttp: await endpoints.url("collectorOtlpHttp"),
          telemetry: await endpoints.url("collectorTelemetry"),
          tempo: await endpoints.url("tempo"),
          namespace,
          exportWithinMs: ctx.exportWithinMs ?? 15000,
        }),
    },
    {
      name: "Grafana",
      fixWhenUnreachable: unreachableHint(ctx, "grafana"),
      run: async () =>
        grafanaFindings(
          {
            grafana: await endpoints.url("grafana"),
            user: expected.grafana.adminUser,
            password: await ctx.grafanaPassword(),
            namespace,
            workload: `${expected.workloads.find((w) => w.name === GRAFANA.name)?.kind.toLowerCase() ?? "statefulset"}/${GRAFANA.name}`,
          },
          expected,
        ),
    },
  ];
}
