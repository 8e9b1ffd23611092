import * as k8s from "@kubernetes/client-node";
import { KubeObject } from "../render/manifest";
import { RenderedStack } from "../render/renderStack";
import { describe, waitFor } from "./cluster";
import { Json } from "./json";

/** The field manager the Pulumi Kubernetes provider applies objects with. */
const FIELD_MANAGER = "pulumi-kubernetes";

const APPLY = { headers: { "Content-type": k8s.PatchUtils.PATCH_FORMAT_APPLY_YAML } };

/** `Kind namespace/name`, how the log and the errors name an object. */
export function ref(object: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${object.kind} ${object.metadata.namespace === undefined ? "" : `${object.metadata.namespace}/`}${object.metadata.name}`;
}

const identity = (o: KubeObject) => `${o.apiVersion} ${ref(o)}`;

interface Applied {
  readonly created: string[];
  readonly updated: string[];
  readonly unchanged: string[];
  readonly deleted: string[];
}

/**
 * Does to a real API server what the Pulumi Kubernetes provider does with a rendered stack:
 * reads the objects the program only reads, server-side applies every object in the program's
 * dependency order (the render's install order: namespaces, policies, accounts, config, RBAC,
 * Services, then workloads), waits for each workload to be ready as the provider does, then
 * applies the patches (which depend on the workloads), and deletes what the new render no
 * longer has. Protected and retained objects are left alone on delete.
 */
export class StackDeployer {
  private readonly objects: k8s.KubernetesObjectApi;
  /** What the engine's state holds per object: the inputs it last applied. */
  private readonly state = new Map<string, KubeObject>();

  constructor(kubeConfig: k8s.KubeConfig) {
    this.objects = k8s.KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  /**
   * `pulumi preview`: every object read must exist, every namespace an object uses is created
   * by the stack or exists, and every object whose namespace exists passes a server-side dry run
   * of the apply (admission, validation, immutable fields). Throws naming each problem.
   */
  async preview(stack: RenderedStack): Promise<number> {
    const problems: string[] = [];
    for (const read of stack.reads) {
      if (!(await this.exists({ apiVersion: "v1", kind: read.kind, metadata: { name: read.name } }))) {
        problems.push(`${read.kind} ${read.name} does not exist (the stack reads it; create it first)`);
      }
    }
    const created = new Set(stack.objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name));
    const existing = new Set<string>();
    for (const namespace of new Set(
      [...stack.objects, ...stack.patches].flatMap((o) => o.metadata.namespace ?? []),
    )) {
      if (await this.exists({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } })) {
        existing.add(namespace);
      } else if (!created.has(namespace)) {
        problems.push(`namespace ${namespace} neither exists nor is created by the stack`);
      }
    }
    let dryRuns = 0;
    for (const object of this.withIgnoredChanges(stack)) {
      const namespace = object.metadata.namespace;
      if (namespace === undefined || existing.has(namespace)) {
        await this.apply(object, "All").catch((error: unknown) =>
          problems.push(`${ref(object)}: ${describe(error)}`),
        );
        dryRuns++;
      }
    }
    if (problems.length > 0) {
      throw new Error(`preview failed:\n  - ${problems.join("\n  - ")}`);
    }
    return dryRuns;
  }

  /** `pulumi up` from `previous` (undefined: a new stack) to `next`. */
  async up(next: RenderedStack, previous?: RenderedStack): Promise<Applied> {
    await this.preview(next);
    const before = new Map<string, string>();
    for (const object of next.objects) {
      const live = await this.read(object);
      if (live !== undefined) {
        before.set(identity(object), String(live.metadata?.resourceVersion));
      }
    }
    const result: Applied = { created: [], updated: [], unchanged: [], deleted: [] };
    for (const object of this.withIgnoredChanges(next)) {
      const live = await this.apply(object).catch((error: unknown) => {
        throw new Error(`${ref(object)}: ${describe(error)}`);
      });
      const was = before.get(identity(object));
      const bucket =
        was === undefined
          ? result.created
          : was === live.metadata?.resourceVersion
            ? result.unchanged
            : result.updated;
      bucket.push(ref(object));
      this.state.set(identity(object), object);
      await this.awaitReady(object);
    }
    for (const patch of next.patches) {
      // The provider forces a patch only with this annotation; without it a conflict fails.
      const force = patch.metadata.annotations?.["pulumi.com/patchForce"] === "true";
      await this.objects
        .patch(patch, undefined, undefined, `${FIELD_MANAGER}-patch-${patch.metadata.name}`, force, APPLY)
        .catch((error: unknown) => {
          throw new Error(`patch of ${ref(patch)}: ${describe(error)}`);
        });
    }
    const kept = new Set(next.objects.map(identity));
    const retained = retainedOnDelete(previous);
    for (const object of [...(previous?.objects ?? [])].reverse()) {
      if (!kept.has(identity(object)) && !retained.has(identity(object))) {
        await this.delete(object);
        result.deleted.push(ref(object));
      }
    }
    return result;
  }

  /**
   * The engine keeps the value from its state for an input path under `ignoreChanges`, so an
   * edit there never reaches the cluster (nor plans a replacement).
   */
  private withIgnoredChanges(stack: RenderedStack): KubeObject[] {
    return stack.objects.map((object) => {
      const ignored = stack.registrations.find((r) => r.inputs === (object as unknown))?.ignoreChanges ?? [];
      const applied = this.state.get(identity(object));
      if (ignored.length === 0 || applied === undefined) {
        return object;
      }
      const merged = JSON.parse(JSON.stringify(object)) as Json;
      for (const dotted of ignored) {
        const keys = dotted.split(".");
        const last = keys.pop() as string;
        const from = keys.reduce<Json | undefined>(
          (node, key) => node?.[key] as Json | undefined,
          applied as Json,
        );
        const to = keys.reduce<Json>((node, key) => node[key] as Json, merged);
        to[last] = from?.[last];
      }
      return merged as KubeObject;
    });
  }

  /** `pulumi destroy`: every object in reverse order, except those retained on delete. Returns what was left. */
  async destroy(stack: RenderedStack): Promise<string[]> {
    const retained = retainedOnDelete(stack);
    for (const object of [...stack.objects].reverse()) {
      if (!retained.has(identity(object))) {
        await this.delete(object);
      }
    }
    return stack.objects.filter((o) => retained.has(identity(o))).map(ref);
  }

  /** The live object, or undefined. */
  async read(object: KubeObject | k8s.KubernetesObject): Promise<k8s.KubernetesObject | undefined> {
    try {
      return (await this.objects.read(object as k8s.KubernetesObject & { metadata: { name: string } })).body;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) {
        return undefined;
      }
      throw error;
    }
  }

  private async exists(object: k8s.KubernetesObject): Promise<boolean> {
    return (await this.read(object)) !== undefined;
  }

  /** One server-side apply, as the provider sends it (a dry run with `All`). */
  async apply(object: KubeObject, dryRun?: "All"): Promise<k8s.KubernetesObject> {
    return (
      await this.objects.patch(object as k8s.KubernetesObject, undefined, dryRun, FIELD_MANAGER, false, APPLY)
    ).body;
  }

  private async delete(object: KubeObject): Promise<void> {
    await this.objects.delete(object as k8s.KubernetesObject).catch((error: unknown) => {
      if ((error as { statusCode?: number }).statusCode !== 404) {
        throw error;
      }
    });
    // The provider waits for a deletion to finish before deleting what the object depended on.
    await waitFor(
      async () => ((await this.read(object)) === undefined ? true : undefined),
      `deletion of ${ref(object)}`,
      120000,
    );
  }

  /** The provider's await logic: a workload is done when its controller has rolled out every replica. */
  async awaitReady(object: KubeObject): Promise<void> {
    if (!["Deployment", "StatefulSet", "DaemonSet"].includes(object.kind)) {
      return;
    }
    await waitFor(
      async () => {
        const live = (await this.read(object)) as Json | undefined;
        return live !== undefined && rolledOut(live) ? true : undefined;
      },
      `${ref(object)} to be ready`,
      180000,
    );
  }
}

function rolledOut(live: Json): boolean {
  const status = live.status ?? {};
  if ((status.observedGeneration ?? 0) < live.metadata.generation) {
    return false;
  }
  switch (live.kind) {
    case "Deployment":
      return (
        status.updatedReplicas === live.spec.replicas &&
        status.availableReplicas === live.spec.replicas &&
        (status.replicas ?? 0) === live.spec.replicas
      );
    case "StatefulSet":
      return (
        status.readyReplicas === live.spec.replicas &&
        status.updatedReplicas === live.spec.replicas &&
        status.currentRevision === status.updateRevision
      );
    default:
      return (
        status.desiredNumberScheduled > 0 &&
        status.numberReady === status.desiredNumberScheduled &&
        status.updatedNumberScheduled === status.desiredNumberScheduled
      );
  }
}

function retainedOnDelete(stack: RenderedStack | undefined): Set<string> {
  const retained = new Set<string>();
  for (const r of stack?.registrations ?? []) {
    if (r.retainOnDelete && r.type.startsWith("kubernetes:") && !r.read) {
      retained.add(identity(r.inputs as unknown as KubeObject));
    }
  }
  return retained;
}
