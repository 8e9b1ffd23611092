import type * as k8s from "@pulumi/kubernetes";
import { PART_OF } from "./labels";

/**
 * `restricted` for the stack; `privileged` only for the node agents' namespace; `baseline` for
 * app namespaces the stack creates (apps written for any base image, e.g. running as root, still
 * start; what `restricted` would refuse shows as warnings).
 */
type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** Label naming the stack's profile on its namespaces: policies and people can tell prod from kind. */
export const PROFILE_LABEL = "observability.io/profile";

/**
 * A namespace enforcing a Pod Security level. Warnings and audit stay at `restricted` everywhere,
 * so anything a namespace allows beyond it is visible.
 */
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
