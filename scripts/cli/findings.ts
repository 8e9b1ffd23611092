/** ok ✓; blocking ✗ (the stack would not work: the preflight fails); warning ! (it would, with a gap). */
type Status = "ok" | "blocking" | "warning";

export interface Finding {
  readonly status: Status;
  /** What is there or what is missing. */
  readonly message: string;
  /** How to fix it (not for ok findings). */
  readonly fix?: string;
}

const MARK: Readonly<Record<Status, string>> = { ok: "✓", blocking: "✗", warning: "!" };

/** A finding as one line: its mark, what was found and, unless it is ok, the fix. */
export function findingLine(f: Finding): string {
  return `${MARK[f.status]} ${f.message}${f.fix === undefined ? "" : `. Fix: ${f.fix}`}`;
}

/** One line per finding, then a summary line. */
export function formatFindings(findings: readonly Finding[]): string {
  const lines = findings.map(findingLine);
  const count = (status: Status) => findings.filter((f) => f.status === status).length;
  const summary =
    count("blocking") > 0
      ? `${count("blocking")} blocking, ${count("warning")} warning(s): fix the ✗ lines before pulumi up`
      : `nothing blocking, ${count("warning")} warning(s)`;
  return [...lines, summary].join("\n") + "\n";
}

/** Non-zero when anything blocking is missing; warnings never fail. */
export function exitCode(findings: readonly Finding[]): number {
  return findings.some((f) => f.status === "blocking") ? 1 : 0;
}
