// What an engine run did, read from the CLI's `--json` output: `pulumi preview --json` prints the
// plan as one document (its steps and change summary); `pulumi up --json` prints the plan of the
// preview it runs first the same way, then every engine event of the update, one per line. Steps
// are grouped by operation, with the properties that forced each replacement, and what failed.

/** The engine's step operations (pkg/resource/deploy: StepOp). */
export type StepOp =
  | "same"
  | "create"
  | "update"
  | "delete"
  | "replace"
  | "create-replacement"
  | "delete-replaced"
  | "read"
  | "read-replacement"
  | "refresh"
  | "discard"
  | "discard-replaced"
  | "remove-pending-replace"
  | "import"
  | "import-replacement";

export interface Step {
  readonly op: StepOp;
  readonly urn: string;
  /** The properties the provider said force a replacement (replacements only). */
  readonly replaceKeys: readonly string[];
  /** The properties whose difference the step is for (as the plan's detailed diff or the event names them). */
  readonly diffKeys: readonly string[];
}

export interface EngineEvents {
  /** Steps the engine planned: a preview's, or those of the preview an up shows first. */
  readonly planned: readonly Step[];
  /** Steps the engine completed in an update (none for a preview). */
  readonly applied: readonly Step[];
  /** `urn: op` of each step that failed. */
  readonly failures: readonly string[];
  /** Error diagnostics the engine and the program printed. */
  readonly errors: readonly string[];
  /** The count per operation of the update, or of the plan of a preview. */
  readonly summary: Readonly<Record<string, number>>;
}

interface PlannedStep {
  op: StepOp;
  urn: string;
  replaceReasons?: string[];
  diffReasons?: string[];
  detailedDiff?: Record<string, { kind: string }> | null;
}

interface PlanDocument {
  steps?: PlannedStep[];
  diagnostics?: { message: string; severity: string; urn?: string }[];
  changeSummary?: Record<string, number>;
}

interface StepMetadata {
  op: StepOp;
  urn: string;
  keys?: string[];
  diffs?: string[];
}

interface EngineEvent {
  resOutputsEvent?: { metadata: StepMetadata; planning?: boolean };
  resOpFailedEvent?: { metadata: StepMetadata };
  diagnosticEvent?: { urn?: string; message: string; severity: string };
  summaryEvent?: { resourceChanges?: Record<string, number> };
}

const REPLACING: readonly StepOp[] = ["replace", "create-replacement", "delete-replaced"];

/** The properties a planned replacement names, from its replace reasons or its detailed diff. */
function plannedReplaceKeys(step: PlannedStep): string[] {
  if (!REPLACING.includes(step.op)) return [];
  const fromDiff = Object.entries(step.detailedDiff ?? {})
    .filter(([, diff]) => diff.kind.endsWith("-replace"))
    .map(([path]) => path);
  return step.replaceReasons ?? fromDiff;
}

/** Splits the CLI's `--json` output into the plan document and the update's event lines. */
export function readJsonOutput(stdout: string): EngineEvents {
  // A CLI killed mid-write leaves its last event line cut short: only whole lines are events.
  const lines = stdout
    .split("\n")
    .slice(0, stdout.endsWith("\n") || !stdout.includes('{"sequence"') ? undefined : -1);
  const firstEvent = lines.findIndex((line) => line.startsWith('{"sequence"'));
  const planText = (firstEvent === -1 ? lines : lines.slice(0, firstEvent)).join("\n").trim();
  const plan: PlanDocument = planText.startsWith("{") ? (JSON.parse(planText) as PlanDocument) : {};
  const planned = (plan.steps ?? []).map((step) => ({
    op: step.op,
    urn: step.urn,
    replaceKeys: plannedReplaceKeys(step),
    diffKeys: step.diffReasons ?? Object.keys(step.detailedDiff ?? {}),
  }));
  const errors = (plan.diagnostics ?? [])
    .filter((d) => d.severity === "error")
    .map((d) => `${d.urn ?? ""} ${d.message}`.trim());
  const applied: Step[] = [];
  const failures: string[] = [];
  let summary = plan.changeSummary ?? {};
  for (const line of firstEvent === -1 ? [] : lines.slice(firstEvent)) {
    if (line.trim() === "") continue;
    const event = JSON.parse(line) as EngineEvent;
    if (event.resOutputsEvent !== undefined && event.resOutputsEvent.planning !== true) {
      const { metadata } = event.resOutputsEvent;
      applied.push({
        op: metadata.op,
        urn: metadata.urn,
        replaceKeys: REPLACING.includes(metadata.op) ? (metadata.keys ?? []) : [],
        diffKeys: metadata.diffs ?? [],
      });
    }
    if (event.resOpFailedEvent !== undefined) {
      failures.push(`${event.resOpFailedEvent.metadata.urn}: ${event.resOpFailedEvent.metadata.op}`);
    }
    if (event.diagnosticEvent?.severity === "error") {
      errors.push(`${event.diagnosticEvent.urn ?? ""} ${event.diagnosticEvent.message}`.trim());
    }
    if (event.summaryEvent !== undefined) {
      summary = event.summaryEvent.resourceChanges ?? {};
    }
  }
  return { planned, applied, failures, errors, summary };
}

/** What the policy packs of a run did, from its `--event-log` file. */
export interface PolicyReport {
  /** How many times the engine loaded the packs. */
  readonly loaded: number;
  /** The packs that reported on a resource, by name. */
  readonly packs: readonly string[];
  /** Resources a pack analyzed one by one, and the policies that passed, on them and on the whole stack. */
  readonly analyzed: number;
  readonly passed: number;
  /** `policy (level) urn: message` of each violation. */
  readonly violations: readonly string[];
}

interface PolicyEventLine {
  policyLoadEvent?: Record<string, unknown>;
  policyEvent?: {
    resourceUrn?: string;
    message: string;
    policyName: string;
    policyPackName: string;
    enforcementLevel: string;
  };
  policyAnalyzeStackSummaryEvent?: { policyPackName: string; passed?: string[]; failed?: string[] };
  policyAnalyzeSummaryEvent?: {
    resourceUrn: string;
    policyPackName: string;
    passed?: string[];
    failed?: string[];
  };
}

/** Reads an `--event-log` file (one engine event per line) for the policy packs' events. */
export function policyReport(eventLog: string): PolicyReport {
  const packs = new Set<string>();
  const analyzed = new Set<string>();
  let passed = 0;
  const violations: string[] = [];
  let loaded = 0;
  for (const line of eventLog.split("\n")) {
    if (line.trim() === "") continue;
    const event = JSON.parse(line) as PolicyEventLine;
    if (event.policyLoadEvent !== undefined) loaded += 1;
    if (event.policyAnalyzeSummaryEvent !== undefined) {
      const summary = event.policyAnalyzeSummaryEvent;
      packs.add(summary.policyPackName);
      analyzed.add(summary.resourceUrn);
      passed += summary.passed?.length ?? 0;
    }
    if (event.policyAnalyzeStackSummaryEvent !== undefined) {
      packs.add(event.policyAnalyzeStackSummaryEvent.policyPackName);
      passed += event.policyAnalyzeStackSummaryEvent.passed?.length ?? 0;
    }
    if (event.policyEvent !== undefined) {
      const { policyName, enforcementLevel, resourceUrn, message, policyPackName } = event.policyEvent;
      packs.add(policyPackName);
      violations.push(`${policyName} (${enforcementLevel}) ${resourceUrn ?? "stack"}: ${message.trim()}`);
    }
  }
  return { loaded, packs: [...packs].sort(), analyzed: analyzed.size, passed, violations };
}
