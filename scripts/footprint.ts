// `npm run footprint`: what each stack asks of the cluster, from the rendered objects: per workload
// the pods, summed CPU/memory requests and limits (replicas included; DaemonSets counted once per
// node), volumes, and the Prometheus rule counts.
import * as yaml from "js-yaml";
import { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { RuleFile } from "../components/metrics/prometheusTypes";
import { KubeObject } from "../render/manifest";
import { renderStack } from "../render/renderStack";

const UNITS: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A Kubernetes quantity as a number (cores or bytes). */
export function parseQuantity(quantity: string): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(quantity);
  if (match === null) {
    throw new Error(`not a quantity: ${quantity}`);
  }
  return Number(match[1]) * (match[2] === "" ? 1 : (UNITS[match[2]] ?? NaN));
}

interface Row {
  workload: string;
  pods: number;
  cpuRequest: number;
  cpuLimit: number;
  memoryRequest: number;
  memoryLimit: number;
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
      const containers = spec.template.spec.containers;
      const sum = (kind: "requests" | "limits", resource: "cpu" | "memory") =>
        pods * containers.reduce((n, c) => n + quantityOf(c.resources?.[kind], resource), 0);
      const claims = spec.volumeClaimTemplates ?? [];
      return {
        workload: `${o.kind}/${o.metadata.name}`,
        pods,
        cpuRequest: sum("requests", "cpu"),
        cpuLimit: sum("limits", "cpu"),
        memoryRequest: sum("requests", "memory"),
        memoryLimit: sum("limits", "memory"),
        volumes: pods * claims.length,
        storage: pods * claims.reduce((n, c) => n + quantityOf(c.spec?.resources?.requests, "storage"), 0),
      };
    });
}

function ruleCounts(objects: readonly KubeObject[]): { alerts: number; recordings: number } {
  const rules = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "prometheus-rules");
  const all = Object.values((rules?.data as Record<string, string> | undefined) ?? {}).flatMap((text) =>
    (yaml.load(text) as RuleFile).groups.flatMap((g) => g.rules),
  );
  return {
    alerts: all.filter((r) => "alert" in r).length,
    recordings: all.filter((r) => "record" in r).length,
  };
}

const mi = (bytes: number) => `${Math.round(bytes / 2 ** 20)}Mi`;
const cores = (n: number) => `${Math.round(n * 1000)}m`;

async function main(): Promise<void> {
  for (const stack of ["kind", "prod"]) {
    const { objects } = await renderStack(stack);
    const rows = footprint(objects);
    const total = rows.reduce(
      (t, r) => ({
        ...t,
        pods: t.pods + r.pods,
        cpuRequest: t.cpuRequest + r.cpuRequest,
        cpuLimit: t.cpuLimit + r.cpuLimit,
        memoryRequest: t.memoryRequest + r.memoryRequest,
        memoryLimit: t.memoryLimit + r.memoryLimit,
        volumes: t.volumes + r.volumes,
        storage: t.storage + r.storage,
      }),
      {
        workload: "total",
        pods: 0,
        cpuRequest: 0,
        cpuLimit: 0,
        memoryRequest: 0,
        memoryLimit: 0,
        volumes: 0,
        storage: 0,
      },
    );
    const { alerts, recordings } = ruleCounts(objects);
    console.log(
      `\nstack ${stack}: ${objects.length} objects, ${alerts} alert rules, ${recordings} recording rules`,
    );
    console.log("workload".padEnd(34) + "pods  cpu req/lim     mem req/lim        volumes");
    for (const r of [...rows, total]) {
      console.log(
        r.workload.padEnd(34) +
          String(r.pods).padEnd(6) +
          `${cores(r.cpuRequest)}/${cores(r.cpuLimit)}`.padEnd(16) +
          `${mi(r.memoryRequest)}/${mi(r.memoryLimit)}`.padEnd(19) +
          `${r.volumes} (${mi(r.storage)})`,
      );
    }
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
