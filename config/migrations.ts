import { ALB_ANNOTATION, ALB_MANAGED_ANNOTATIONS } from "./albAnnotations";
import { matchesKeyPattern } from "./keyPattern";

/**
 * Stack-config keys whose meaning or shape changed between releases of this program, with what a
 * stack file of the earlier release must do. A config error on such a key ends with the change, so
 * an upgrade that breaks a stack file says how to fix it. `*` stands for any list index.
 */
interface KeyChange {
  readonly path: readonly string[];
  /**
   * The release (package.json version) that made the change; unset while it is unreleased (the
   * CHANGELOG's Unreleased section): `npm run record-upgrade` sets it at the release.
   */
  readonly release?: string;
  readonly how: string;
  /** Only for a problem about the key being absent (a key the release made required). */
  readonly whenAbsent?: boolean;
}

export const KEY_CHANGES: readonly KeyChange[] = [
  {
    path: ["exposure", "ingress", "tlsSecretName"],
    release: "0.2.0",
    how: "the ALB never read it; set exposure.ingress.certificateArn to the ACM certificate of the host instead (nginx keeps tlsSecretName)",
  },
  {
    path: ["exposure", "ingress", "certificateArn"],
    release: "0.2.0",
    how: "with className alb the program writes the HTTPS listener, the redirect and the health check itself, from the ACM certificate named here",
    whenAbsent: true,
  },
  ...Object.keys(ALB_MANAGED_ANNOTATIONS).map((annotation) => ({
    path: ["exposure", "ingress", "annotations", annotation],
    release: "0.2.0",
    how:
      annotation === ALB_ANNOTATION.scheme
        ? "the scheme is exposure.ingress.scheme now, internal unless you set internet-facing (an existing public ALB is replaced by an internal one otherwise)"
        : "the program writes this annotation itself since then, so the stack file no longer needs it",
  })),
  {
    path: ["metrics", "queryReplica"],
    release: "0.4.0",
    how: "queries no longer go to one replica: with more than one, Thanos Query answers from both and fails over by itself; remove the key",
  },
  {
    path: ["alerting"],
    how: "a production stack (profile eks) must deliver its critical alerts somewhere; a stack file that names no receiver for them is refused until it does",
  },
  {
    path: ["metrics", "remoteWrite", "queryRoleArn"],
    release: "0.2.0",
    how: "Grafana now reads Amazon Managed Prometheus itself (one view of the replicas); give its ServiceAccount a role with the query actions `npm run preflight -- <stack> --iam` prints",
    whenAbsent: true,
  },
];

/** The change behind a problem at `path` (whose key has a value or not), phrased to follow the problem. */
export function migrationHint(path: readonly (string | number)[], present: boolean): string | undefined {
  const change = KEY_CHANGES.find(
    (c) => matchesKeyPattern(c.path, path) && !(c.whenAbsent === true && present),
  );
  return change === undefined
    ? undefined
    : `changed in ${change.release ?? "the next release"}: ${change.how}`;
}
