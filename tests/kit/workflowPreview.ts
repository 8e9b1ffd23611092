// The `pulumi preview` the pull-request workflow runs (.github/workflows/review.yml, job `preview`),
// as the command line its `pulumi/actions` step gives the CLI: the action's `command` is the
// subcommand, `stack-name` the stack, `diff: true` is `--diff`, and each of `policyPacks` is a
// `--policy-pack`; `cloud-url` is the backend it logs in to first, and `comment-on-pr` and
// `github-token` are the action's own, not the CLI's.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { PROJECT_ROOT } from "../../render/renderStack";

const WORKFLOW = path.join(PROJECT_ROOT, ".github", "workflows", "review.yml");
const ACTION = /^pulumi\/actions@/;
/** The action's inputs that are not the CLI's. */
const ACTION_ONLY = new Set([
  "comment-on-pr",
  "edit-pr-comment",
  "github-token",
  "cloud-url",
  "stack-name",
  "command",
]);

export interface WorkflowPreview {
  /** The subcommand and its flags, the stack left out (the caller's workspace names it). */
  readonly args: readonly string[];
  /** The policy packs' directories, relative to the repository, as `--policy-pack` names them. */
  readonly policyPacks: readonly string[];
  /** The stack's name for `matrix.stack` with no `PULUMI_STACK_PREFIX` set. */
  readonly stackName: (stack: string) => string;
}

/** The preview job's `pulumi/actions` step, as a command line. */
export function workflowPreview(): WorkflowPreview {
  const workflow = yaml.load(fs.readFileSync(WORKFLOW, "utf8")) as {
    jobs: Record<string, { steps: { uses?: string; with?: Record<string, string | boolean> }[] }>;
  };
  const steps = workflow.jobs.preview.steps.filter((s) => s.uses !== undefined && ACTION.test(s.uses));
  if (steps.length !== 1) throw new Error(`the preview job has ${steps.length} pulumi/actions steps, not 1`);
  const inputs = steps[0].with ?? {};
  const unknown = Object.keys(inputs).filter(
    (k) => !ACTION_ONLY.has(k) && k !== "diff" && k !== "policyPacks",
  );
  if (unknown.length > 0)
    throw new Error(`the preview step's inputs ${unknown.join(", ")} have no command line here`);
  const policyPacks = String(inputs.policyPacks ?? "")
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const stackTemplate = String(inputs["stack-name"]);
  return {
    args: [String(inputs.command), ...(inputs.diff === true ? ["--diff"] : [])],
    policyPacks,
    stackName: (stack) =>
      stackTemplate.replace("${{ vars.PULUMI_STACK_PREFIX }}", "").replace("${{ matrix.stack }}", stack),
  };
}
