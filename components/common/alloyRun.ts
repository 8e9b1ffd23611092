import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlacedWorkloadName } from "../../config";
import { Flow } from "./flow";
import { ContainerSpec } from "./podSpec";
import { LIVENESS_FAILURES, httpProbe } from "./probes";
import { PlatformSettings } from "./settings";
import { deployWorkload } from "./workload";
import { WorkloadSpec } from "./workloadSpec";

/** Where every Alloy of the stack reads its config and keeps its data. */
export const ALLOY_PATHS = { config: "/etc/alloy", data: "/var/lib/alloy/data" } as const;

/** How every Alloy of the stack runs: its config file, UI/metrics port and data directory; no telemetry home. */
export function alloyRunArgs(port: number): string[] {
  return [
    "run",
    `${ALLOY_PATHS.config}/config.alloy`,
    `--server.http.listen-addr=0.0.0.0:${port}`,
    `--storage.path=${ALLOY_PATHS.data}`,
    "--stability.level=generally-available",
    "--disable-reporting",
  ];
}

/**
 * How the kubelet watches every Alloy of the stack. Positions, the write-ahead queue and the config
 * load before Alloy is ready, which the startup probe waits for.
 */
export function alloyProbes() {
  return {
    // /-/healthy fails while any component reports itself unhealthy, and a component may report
    // what it reaches (prometheus.operator.* the API server's errors); /-/ready turns true once the
    // first config is loaded and stays so.
    livenessProbe: httpProbe("http", "/-/ready", { failureThreshold: LIVENESS_FAILURES }),
    readinessProbe: httpProbe("http", "/-/ready", { initialDelaySeconds: 5, periodSeconds: 5 }),
    startupProbe: httpProbe("http", "/-/ready", {
      initialDelaySeconds: 0,
      periodSeconds: 5,
      failureThreshold: 24,
    }),
  };
}

/** One Alloy of the cluster: what it is, what it reads, and its config. */
export interface SingleAlloyArgs {
  readonly spec: WorkloadSpec<"http">;
  /** Its role in the stack (`WorkloadIdentity.component`). */
  readonly component: string;
  readonly settings: PlatformSettings & { readonly wiring: readonly Flow[] };
  /** Its placement entry in `placement`. */
  readonly placement: PlacedWorkloadName;
  /** What it reads across namespaces, through a ClusterRole bound to its ServiceAccount. */
  readonly clusterRules: k8s.types.input.rbac.v1.PolicyRule[];
  /** Its ConfigMap's name. */
  readonly configMap: string;
  /** Its config.alloy. */
  readonly configText: string;
  readonly resources: ContainerSpec["resources"];
}

/**
 * Grafana Alloy as a one-replica Deployment in the restricted namespace. One replica: a second
 * would do all its work again, and the Recreate strategy keeps a rollout from running two for a
 * moment. Its data directory is scratch; Prometheus scrapes its own metrics through its Service.
 */
export function deploySingleAlloy(
  name: string,
  args: SingleAlloyArgs,
  opts: pulumi.CustomResourceOptions,
): void {
  const { settings, configText } = args;
  deployWorkload(
    name,
    {
      spec: args.spec,
      component: args.component,
      image: settings.images.alloy,
      namespace: settings.namespaces.observability,
      settings,
      placement: args.placement,
      serviceAccount: { clusterRules: args.clusterRules },
      configMaps: [{ name: args.configMap, volume: "config", data: { "config.alloy": configText } }],
      container: {
        name: "alloy",
        args: alloyRunArgs(args.spec.ports.http.port),
        resources: args.resources,
        volumeMounts: [{ name: "config", mountPath: ALLOY_PATHS.config, readOnly: true }],
        scratchPaths: [ALLOY_PATHS.data, "/tmp"],
        ...alloyProbes(),
      },
      // Alloy does not watch its file: a config change rolls the pod.
      rolledBy: { config: configText },
      controller: { kind: "Deployment", replicas: 1, strategy: { type: "Recreate" } },
      services: [{}],
      wiring: settings.wiring,
    },
    opts,
  );
}
