import { kubeconfigProblem } from "../kubeconfig";
import { Identity, dnsLabel, nonEmpty, positiveWholeNumber, strict } from "../fields";

const clusterSectionSchema = strict({
  name: nonEmpty.describe("The `cluster` external label."),
  env: dnsLabel.describe("The `env` external label."),
  region: nonEmpty.describe("The `region` external label."),
  kubeContext: nonEmpty.describe(
    "The kubeconfig context the explicit provider and npm run preflight use; never the ambient current context.",
  ),
  kubeconfig: nonEmpty
    .superRefine((value, ctx) => {
      const problem = kubeconfigProblem(value);
      if (problem !== undefined) {
        ctx.addIssue({ code: "custom", message: problem });
      }
    })
    .optional()
    .describe("Path to (or contents of) a kubeconfig; the usual kubeconfig lookup when unset."),
  rolloutTimeoutMinutes: positiveWholeNumber.describe(
    "How long pulumi up waits for each Deployment, StatefulSet and DaemonSet to become ready before it fails naming the workload and its pods' reason (docs/troubleshooting.md).",
  ),
}).describe("Where the stack runs; name, env and region become Prometheus' external labels.");

/** The schema of the `cluster` section, by name (see Identity). */
export interface ClusterSectionSchema extends Identity<typeof clusterSectionSchema> {}
export const clusterSection: ClusterSectionSchema = clusterSectionSchema;
