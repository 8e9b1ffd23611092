import { kubeconfigProblem } from "../kubeconfig";
import { z } from "zod";
import { Identity, cidr, dnsLabel, nonEmpty, positiveWholeNumber, strict } from "../fields";

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
    "How long pulumi up waits for each Deployment, StatefulSet and DaemonSet to roll out before it fails naming the workload; npm run verify names its pods' reason (docs/troubleshooting.md).",
  ),
  apiServerCidrs: z
    .array(cidr)
    .min(1, "must list at least one CIDR")
    .optional()
    .describe(
      "The addresses pods reach the Kubernetes API server at once the kubernetes Service has translated them: on EKS the control plane's network interfaces, in the subnets the cluster was created with; on kind the control-plane node's. The workloads that call the API server may connect to these only (443 and 6443). Unset, to any address, and the preview warns on eks.",
    ),
  nodeCidrs: z
    .array(cidr)
    .min(1, "must list at least one CIDR")
    .optional()
    .describe(
      "The addresses of the cluster's nodes: on EKS the subnets its node groups run in; on kind the nodes' network. Prometheus scrapes the kubelets (10250) and node-exporter, which runs on the host network (9100), at these only. Unset, at any address, and the preview warns on eks.",
    ),
}).describe("Where the stack runs; name, env and region become Prometheus' external labels.");

/** The schema of the `cluster` section, by name (see Identity). */
export interface ClusterSectionSchema extends Identity<typeof clusterSectionSchema> {}
export const clusterSection: ClusterSectionSchema = clusterSectionSchema;
