import * as yaml from "js-yaml";
import type { Registration } from "./mocks";
import { SECRET_PLACEHOLDER } from "./stackFile";

/** A Kubernetes object as the program asked the provider to create it. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

// Helm's install order: what others depend on comes first, so the manifest reads top-down.
const KIND_ORDER = [
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
];

const isPatch = (r: Registration) => r.type.endsWith("Patch");
const isKubernetes = (r: Registration) => r.type.startsWith("kubernetes:") && !r.read;

/**
 * The Kubernetes objects the program creates (the provider is not one, nor an object it only
 * reads or patches).
 */
export function kubeObjects(registrations: readonly Registration[]): KubeObject[] {
  return registrations
    .filter((r) => isKubernetes(r) && !isPatch(r))
    .map((r) => r.inputs as unknown as KubeObject)
    .sort(compareObjects);
}

/** Server-side apply patches of objects that exist before them (e.g. claims a StatefulSet made). */
export function kubePatches(registrations: readonly Registration[]): KubeObject[] {
  return registrations
    .filter((r) => isKubernetes(r) && isPatch(r))
    .map((r) => r.inputs as unknown as KubeObject)
    .sort(compareObjects);
}

/** The objects the program requires to exist and reads instead of creating, as kind/name. */
export function kubeReads(registrations: readonly Registration[]): { kind: string; name: string }[] {
  return registrations
    .filter((r) => r.type.startsWith("kubernetes:") && r.read)
    .map((r) => ({ kind: r.type.split(":").pop() ?? r.type, name: String(r.inputs.id) }));
}

function kindRank(kind: string): number {
  const rank = KIND_ORDER.indexOf(kind);
  return rank === -1 ? KIND_ORDER.length : rank;
}

// Code-unit order, not localeCompare: the manifest must not depend on the machine's locale.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareObjects(a: KubeObject, b: KubeObject): number {
  return (
    kindRank(a.kind) - kindRank(b.kind) ||
    compareText(a.kind, b.kind) ||
    compareText(a.metadata.namespace ?? "", b.metadata.namespace ?? "") ||
    compareText(a.metadata.name, b.metadata.name)
  );
}

/** Secret payloads never leave the program: every value of a Secret becomes a placeholder. */
export function redactSecrets(object: KubeObject): KubeObject {
  if (object.kind !== "Secret") {
    return object;
  }
  const redacted: Record<string, unknown> = { ...object };
  for (const field of ["data", "stringData"]) {
    const payload = object[field];
    if (payload !== null && typeof payload === "object") {
      redacted[field] = Object.fromEntries(Object.keys(payload).map((key) => [key, SECRET_PLACEHOLDER]));
    }
  }
  return redacted as KubeObject;
}

/** Multi-document YAML, like `helm template`: stable order and stable keys, secrets redacted. */
export function toManifest(objects: readonly KubeObject[]): string {
  return objects
    .map((object) => yaml.dump(redactSecrets(object), { sortKeys: true, noRefs: true, lineWidth: -1 }))
    .map((doc) => `---\n${doc}`)
    .join("");
}
