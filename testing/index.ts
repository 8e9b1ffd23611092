/**
 * `@observability-stack/pulumi/testing`: a program's own tests render it offline under mocks
 * (`renderProgram`) and hold the render to the checks this package's own stacks pass (`checkProgram`).
 * @module testing
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { promtoolProblems } from "../checks/promtoolRules";
import { kubeValidate } from "./kubeValidate";
import { ProgramRender } from "./renderProgram";
import { checkRender } from "./renderChecks";

export { renderProgram } from "./renderProgram";
export type { ProgramRender, ProgramRenderOptions } from "./renderProgram";

/** Where the render's pods run, for the checks that depend on it. */
export interface ProgramCheckOptions {
  /** Where the node agents run: Pod Security privileged there, restricted everywhere else. @default "observability-node" */
  readonly nodeNamespace?: string;
  /**
   * The namespaces whose pods only the components' flows may reach or leave (a default deny, or
   * policies of their own). @default ["observability", "observability-node"]
   */
  readonly closedNamespaces?: readonly string[];
  /** The apps' namespaces: a sample app pod runs in each, for the reachability check. @default none */
  readonly appNamespaces?: readonly string[];
}

/** What the checks found. */
export interface ProgramCheckReport {
  /**
   * Every problem, as `<check>: <problem>`: strict decoding into the Kubernetes types (unknown or
   * misspelt fields), Pod Security restricted and the package's own rules, the policy pack,
   * NetworkPolicy reachability against the components' flows (both ways), and `promtool check rules`.
   */
  readonly problems: readonly string[];
  /** The checks that could not run here, each with what it needs. */
  readonly skipped: readonly string[];
  /** How many objects were checked, and connections evaluated between every two parties. */
  readonly checked: { readonly objects: number; readonly connections: number };
}

/** promtool: in `$PROMETHEUS_DIR` or on PATH (Prometheus' own; this package does not build it). */
function promtool(): string | undefined {
  const dir = process.env.PROMETHEUS_DIR;
  if (dir !== undefined) return path.join(dir, "promtool");
  const found = spawnSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" }).stdout.trim();
  return found === "" ? undefined : found;
}

/**
 * Holds a render to the checks this package's own stacks pass. Strict decoding needs kube-validate
 * (see `KUBE_VALIDATE_DIR`, or Go to build it from the sources the package ships) and the rule
 * check promtool (`PROMETHEUS_DIR`, or on PATH): without them those checks are `skipped`, saying so.
 */
export async function checkProgram(
  render: ProgramRender,
  options: ProgramCheckOptions = {},
): Promise<ProgramCheckReport> {
  const decoder = kubeValidate();
  const report = checkRender(
    {
      ...render,
      nodeNamespace: options.nodeNamespace ?? "observability-node",
      closedNamespaces: options.closedNamespaces ?? ["observability", "observability-node"],
      appNamespaces: options.appNamespaces ?? [],
    },
    { strictDecode: !("unavailable" in decoder) },
  );
  const prometheusTool = promtool();
  const rules =
    prometheusTool === undefined ? [] : await promtoolProblems(render.registrations, prometheusTool);
  const { strictDecode, podSecurity, policyPack, reachability } = report.problems;
  const named = (check: string, problems: readonly string[]) => problems.map((p) => `${check}: ${p}`);
  return {
    problems: [
      ...named("strict decode", strictDecode),
      ...named("Pod Security", podSecurity),
      ...named("policy pack", policyPack),
      ...named("reachability", reachability),
      ...rules,
    ],
    skipped: [
      ...("unavailable" in decoder ? [`strict decode: ${decoder.unavailable}`] : []),
      ...(prometheusTool === undefined
        ? [
            "promtool check rules: no promtool: set PROMETHEUS_DIR to a directory holding it, or put it on PATH",
          ]
        : []),
    ],
    checked: { objects: render.objects.length, connections: report.connectionsChecked },
  };
}
