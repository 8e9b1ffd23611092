/** Who a workload is: the source of its labels, selectors and child resource names. */
export interface WorkloadIdentity {
  /** The application, e.g. `prometheus`; also its Service and workload name. */
  readonly name: string;
  /** Its role in the stack, e.g. `metrics`, `logs`, `tracing`, `dashboards`. */
  readonly component: string;
  /** The image it runs, for the version label. */
  readonly image?: string;
}

export const PART_OF = "observability";

/** Labels that select a workload's pods: stable across upgrades, so never the version. */
export function selectorLabels(id: WorkloadIdentity): Record<string, string> {
  return { "app.kubernetes.io/name": id.name, "app.kubernetes.io/instance": PART_OF };
}

/** The recommended `app.kubernetes.io/*` labels, on every object the stack creates. */
export function standardLabels(id: WorkloadIdentity): Record<string, string> {
  const version = id.image === undefined ? undefined : imageTag(id.image);
  return {
    ...selectorLabels(id),
    "app.kubernetes.io/component": id.component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
    ...(version === undefined ? {} : { "app.kubernetes.io/version": version }),
  };
}

/** The tag of an image reference (without any digest), if it has one. */
export function imageTag(image: string): string | undefined {
  const lastSegment = image.split("@")[0].split("/").pop() ?? "";
  const colon = lastSegment.indexOf(":");
  return colon === -1 ? undefined : lastSegment.slice(colon + 1);
}
