import { RolledOut, WAIT_FOR_ANNOTATION, isRolledOut, rolloutDone } from "../components/common/rollout";
import type { KubeObject } from "../render/manifest";

/**
 * Each Deployment and StatefulSet that `pulumi up` would call done before its new pods are ready:
 * one without the `pulumi.com/waitFor` of its replicas (`rolloutDone`), or told to skip the wait.
 */
export function rolloutWaitProblems(objects: readonly KubeObject[]): string[] {
  return objects
    .filter((o): o is KubeObject & { kind: RolledOut } => isRolledOut(o.kind))
    .flatMap((o) => {
      const ref = `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
      const annotations = o.metadata.annotations ?? {};
      const replicas = (o.spec as { replicas?: number } | undefined)?.replicas ?? 1;
      const wanted = rolloutDone(o.kind, replicas)[WAIT_FOR_ANNOTATION];
      if (annotations["pulumi.com/skipAwait"] === "true") {
        return [`${ref}: pulumi.com/skipAwait lets pulumi up end before its pods run`];
      }
      return annotations[WAIT_FOR_ANNOTATION] === wanted
        ? []
        : [
            `${ref}: pulumi up can call its rollout done on the status of the generation before; set ${WAIT_FOR_ANNOTATION} to ${wanted}`,
          ];
    });
}
