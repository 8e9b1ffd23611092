// The fault tests' record: each fault, what was sent, what arrived (counted by the receiving
// server's own API), what was lost and how long the gap was. Printed and appended to
// out/faults.log, which docs/operations.md's loss table is read from.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../../render/renderStack";

interface FaultRecord {
  readonly fault: string;
  readonly sent: string;
  readonly arrived: string;
  readonly lost: string;
  readonly gap: string;
}

const FAULT_LOG = path.join(PROJECT_ROOT, "out", "faults.log");

export function logFault(record: FaultRecord): void {
  const block = [
    `[${new Date().toISOString()}] fault: ${record.fault}`,
    `  sent:    ${record.sent}`,
    `  arrived: ${record.arrived}`,
    `  lost:    ${record.lost}`,
    `  gap:     ${record.gap}`,
    "",
  ].join("\n");
  console.log(block);
  fs.mkdirSync(path.dirname(FAULT_LOG), { recursive: true });
  fs.appendFileSync(FAULT_LOG, `${block}\n`);
}

/** Milliseconds as seconds with one decimal, for the log. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
