import { WorkloadIdentity, standardLabels } from "./labels";

/** Metadata of an object that belongs to a workload: its name (or a suffixed one) and standard labels. */
export function objectMeta(id: WorkloadIdentity, namespace: string | undefined, name: string = id.name) {
  return { name, ...(namespace === undefined ? {} : { namespace }), labels: standardLabels(id) };
}
