import { parsePulumiConfig } from "../../config/load";
import { renderWithConfig } from "../../render/renderStack";
import { ClusterFacts, readClusterFacts } from "./clusterFacts";
import { MissingContextError, stackKubeConfig } from "../cli/kubeConfig";
import { PreflightPlan, preflightFindings } from "./findings";
import { Finding } from "../cli/findings";
import { irsaServiceAccounts } from "./irsa";

/**
 * What the stack needs, from its `namespace:key` config exactly as the program reads it: the
 * validated config (a ConfigError names every bad key) and the ServiceAccounts its render
 * annotates with IAM roles.
 */
export async function preflightPlan(
  stack: string,
  config: Readonly<Record<string, string>>,
  secretKeys: readonly string[],
): Promise<PreflightPlan> {
  const parsed = parsePulumiConfig(config, secretKeys);
  const rendered = await renderWithConfig(stack, { ...config }, secretKeys);
  return { config: parsed, accounts: irsaServiceAccounts(rendered.objects) };
}

interface PreflightResult {
  readonly findings: readonly Finding[];
  /** What was read, for the IAM documents (undefined: the cluster could not be reached). */
  readonly facts?: ClusterFacts;
}

/**
 * Reads the cluster through the stack's own context and checks it against the plan. A cluster
 * that cannot be reached is itself a blocking finding.
 */
export async function runPreflight(plan: PreflightPlan): Promise<PreflightResult> {
  const { cluster } = plan.config;
  let facts: ClusterFacts;
  try {
    facts = await readClusterFacts(stackKubeConfig(plan.config), plan.accounts);
  } catch (error) {
    if (error instanceof MissingContextError) {
      return { findings: [{ status: "blocking", message: error.problem, fix: error.fix }] };
    }
    return {
      findings: [
        {
          status: "blocking",
          message: `cannot read the cluster through context ${cluster.kubeContext}: ${error instanceof Error ? error.message : String(error)}`,
          fix: "check cluster.kubeContext and cluster.kubeconfig, and that your credentials may list cluster-scoped objects",
        },
      ],
    };
  }
  return { findings: preflightFindings(plan, facts), facts };
}
