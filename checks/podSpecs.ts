import { IContainer } from "kubernetes-models/v1/Container";
import { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { KubeObject } from "../render/manifest";

type PodSpec = IPodSpec;
export type Container = IContainer;

/** A pod (template) found in a rendered object, with where it runs and what it is called. */
export interface RenderedPod {
  /** `Kind/namespace/name` of the object holding the pod template. */
  readonly owner: string;
  readonly kind: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: PodSpec;
}

interface Template {
  metadata?: { labels?: Record<string, string> };
  spec?: PodSpec;
}

function templateOf(object: KubeObject): Template | undefined {
  const spec = object.spec as
    | { template?: Template; jobTemplate?: { spec?: { template?: Template } } }
    | undefined;
  switch (object.kind) {
    case "Pod":
      return { metadata: object.metadata as Template["metadata"], spec: object.spec as PodSpec };
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return spec?.template;
    case "CronJob":
      return spec?.jobTemplate?.spec?.template;
    default:
      return undefined;
  }
}

/** Every pod the rendered objects would run. */
export function renderedPods(objects: readonly KubeObject[]): RenderedPod[] {
  return objects.flatMap((object) => {
    const template = templateOf(object);
    if (template?.spec === undefined) {
      return [];
    }
    return [
      {
        owner: `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`,
        kind: object.kind,
        namespace: object.metadata.namespace ?? "default",
        labels: template.metadata?.labels ?? {},
        spec: template.spec,
      },
    ];
  });
}

/** Init and regular containers alike. */
export function allContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}
