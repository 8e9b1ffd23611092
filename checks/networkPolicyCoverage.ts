import { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { ILabelSelector } from "@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector";
import type { KubeObject } from "../render/manifest";
import { RenderedPod } from "./podSpecs";

/** Kubernetes label-selector semantics: matchLabels and every matchExpressions operator. */
export function selectorMatches(selector: ILabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every((expression) => {
    const value = labels[expression.key];
    switch (expression.operator) {
      case "In":
        return value !== undefined && (expression.values ?? []).includes(value);
      case "NotIn":
        return value === undefined || !(expression.values ?? []).includes(value);
      case "Exists":
        return value !== undefined;
      case "DoesNotExist":
        return value === undefined;
      default:
        return false;
    }
  });
  return byLabels && byExpressions;
}

/** Which directions a policy isolates, with the API server's default when policyTypes is unset. */
export function isolatedDirections(policy: INetworkPolicy): Set<string> {
  const types = policy.spec?.policyTypes ?? [
    "Ingress",
    ...(policy.spec?.egress === undefined ? [] : ["Egress"]),
  ];
  return new Set(types);
}

/**
 * Every pod must be isolated for both ingress and egress by some NetworkPolicy of its namespace,
 * so that only the allows the wiring declares can reach it or leave it.
 */
export function networkPolicyProblems(
  pods: readonly RenderedPod[],
  objects: readonly KubeObject[],
): string[] {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy") as unknown as INetworkPolicy[];
  return pods.flatMap((pod) => {
    const selecting = policies.filter(
      (p) =>
        p.metadata?.namespace === pod.namespace && selectorMatches(p.spec?.podSelector ?? {}, pod.labels),
    );
    return ["Ingress", "Egress"]
      .filter((direction) => !selecting.some((p) => isolatedDirections(p).has(direction)))
      .map((direction) => `${pod.owner}: no NetworkPolicy isolates its ${direction.toLowerCase()}`);
  });
}
