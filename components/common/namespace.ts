import * as k8s from "@pulumi/kubernetes";
import { PART_OF } from "./labels";

/** `restricted` for the stack; `privileged` only for the node agents' namespace. */
export type PodSecurityLevel = "restricted" | "privileged";

/**
 * A namespace enforcing a Pod Security level. Warnings and audit stay at `restricted` everywhere,
 * so anything the node namespace allows beyond it is visible.
 */
/** Label naming the stack's profile on its namespaces: policies and people can tell prod from kind. */
export const PROFILE_LABEL = "observability.io/profile";

export function namespaceArgs(
  name: string,
  enforce: PodSecurityLevel,
  profile: "kind" | "eks",
): k8s.core.v1.NamespaceArgs {
  return {
    metadata: {
      name,
      labels: {
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": "pulumi",
        [PROFILE_LABEL]: profile,
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
      },
    },
  };
}
