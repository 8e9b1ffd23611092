// `npm run preflight -- <stack> [--iam]`: before `pulumi up`, reads the cluster of
// Pulumi.<stack>.yaml through the stack's own kube context and says what the stack needs and
// what is missing (StorageClass and its CSI driver, IngressClass and its controller, NetworkPolicy
// enforcement, app namespaces, IRSA ServiceAccounts and the OIDC issuer), one line per finding,
// each with its fix. Exits 1 when anything blocking is missing. `--iam` also prints the trust and
// permission policy of every IAM role the stack uses, ready to paste.
import { PROJECT_ROOT } from "../render/renderStack";
import { readStackFile } from "../render/stackFile";
import { exitWith } from "./cli/exitWith";
import { exitCode, formatFindings } from "./cli/findings";
import { formatIamRoles, iamRoles } from "./preflight/iamPolicies";
import { preflightPlan, runPreflight } from "./preflight/plan";
import { endQuietlyWhenPipeCloses } from "./closedPipe";

endQuietlyWhenPipeCloses();

async function run(): Promise<number> {
  const [stack, ...flags] = process.argv.slice(2);
  if (stack === undefined || flags.some((flag) => flag !== "--iam")) {
    throw new Error("usage: npm run preflight -- <stack> [--iam]   (reads Pulumi.<stack>.yaml)");
  }
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  const plan = await preflightPlan(stack, config, secretKeys);
  process.stdout.write(
    `preflight of stack ${stack} (profile ${plan.config.profile}, context ${plan.config.cluster.kubeContext})\n`,
  );
  const result = await runPreflight(plan);
  process.stdout.write(formatFindings(result.findings));
  if (flags.includes("--iam")) {
    process.stdout.write(
      `\n${formatIamRoles(iamRoles(plan.config, plan.accounts, result.facts?.oidcIssuer), plan.config)}`,
    );
  }
  return exitCode(result.findings);
}

exitWith(run);
