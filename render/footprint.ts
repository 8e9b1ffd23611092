// What a rendered stack asks of the cluster: per workload its pods, CPU, memory and ephemeral
// storage requests and limits (replicas included; a DaemonSet counted once, i.e. per node) and
// volumes.
import { IContainer } from "kubernetes-models/v1/Container";
import { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { parseQuantity } from "../config/quantity";
import { KubeObject } from "./manifest";

export interface Row {
  workload: string;
  /** The stack component the workload belongs to (its app.kubernetes.io/component label). */
  component: string;
  pods: number;
  cpuRequest: number;
  cpuLimit: number;
  memoryRequest: number;
  memoryLimit: number;
  ephemeralRequest: number;
  ephemeralLimit: number;
  volumes: number;
  storage: number;
}

/** The parts of a Deployment, StatefulSet or DaemonSet spec the footprint reads. */
interface WorkloadSpec {
  readonly replicas?: number;
  readonly template: { readonly spec: IPodSpec };
  readonly volumeClaimTemplates?: readonly IPersistentVolumeClaim[];
}

/** A resource value the hardened pod builder always sets; "0" if a container lacks it. */
function quantityOf(values: Record<string, unknown> | undefined, resource: string): number {
  const value = values?.[resource];
  return typeof value === "string" || typeof value === "number" ? parseQuantity(String(value)) : 0;
}

export function footprint(objects: readonly KubeObject[]): Row[] {
  return objects
    .filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind))
    .map((o) => {
      const spec = o.spec as WorkloadSpec;
      const pods = o.kind === "DaemonSet" ? 1 : (spec.replicas ?? 1);
      const { containers, initContainers = [] } = spec.template.spec;
      type Resource = "cpu" | "memory" | "ephemeral-storage";
      const amount = (c: IContainer, kind: "requests" | "limits", resource: Resource) =>
        quantityOf(c.resources?.[kind], resource);
      // What the scheduler reserves: the larger of the biggest init container and all containers together.
      const sum = (kind: "requests" | "limits", resource: Resource) =>
        pods *
        Math.max(
          containers.reduce((n, c) => n + amount(c, kind, resource), 0),
          ...initContainers.map((c) => amount(c, kind, resource)),
        );
      const claims = spec.volumeClaimTemplates ?? [];
      return {
        workload: `${o.kind}/${o.metadata.name}`,
        component: o.metadata.labels?.["app.kubernetes.io/component"] ?? "none",
        pods,
        cpuRequest: sum("requests", "cpu"),
        cpuLimit: sum("limits", "cpu"),
        memoryRequest: sum("requests", "memory"),
        memoryLimit: sum("limits", "memory"),
        ephemeralRequest: sum("requests", "ephemeral-storage"),
        ephemeralLimit: sum("limits", "ephemeral-storage"),
        volumes: pods * claims.length,
        storage: pods * claims.reduce((n, c) => n + quantityOf(c.spec?.resources?.requests, "storage"), 0),
      };
    });
}
