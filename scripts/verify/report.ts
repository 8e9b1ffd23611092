import { StackConfig } from "../../config";
import { Finding, findingLine } from "../cli/findings";

/** Right after `up`, pods start, targets get scraped and the first rules evaluate: wait that long. */
export const DEFAULT_WAIT_SECONDS = 180;

/** verify's first line: which stack, through which context, waiting how long. */
export const verifyHeader = (
  stack: string,
  config: Pick<StackConfig, "profile" | "cluster">,
  waitSeconds: number,
): string =>
  `verify of stack ${stack} (profile ${config.profile}, context ${config.cluster.kubeContext}, waiting up to ${waitSeconds} s)`;

/** One line per finding, then whether the stack works end to end. */
export function verifyReport(findings: readonly Finding[], stack: string): string[] {
  const blocking = findings.filter((f) => f.status === "blocking").length;
  return [
    ...findings.map(findingLine),
    blocking === 0
      ? `the stack works end to end (${findings.filter((f) => f.status === "warning").length} warning(s))`
      : `${blocking} check(s) failed: fix the ✗ lines, then npm run verify -- ${stack}`,
  ];
}
