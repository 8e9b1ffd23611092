// After an up that completed, the creates a killed up left pending in the state (the operations the
// engine started and never saw end: `pending_operations` of type `creating` in `pulumi stack
// export`). The engine warns of them on every later command and clears them only in an interactive
// refresh. Once the completed up has recorded each one's resource (it applied it again and took the
// object over), the record is stale, and `pulumi refresh --clear-pending-creates --yes` drops them.
// One whose resource the state does not hold may have made an object nobody manages: they are
// named, with the import that adopts it, and nothing is cleared (docs/troubleshooting.md).
//   ts-node scripts/pendingCreates.ts <stack>   prints what it did; exits 1 only if clearing failed
import { execFileSync } from "child_process";
import { exitWith } from "./cli/exitWith";

interface ExportedState {
  readonly deployment: {
    readonly resources?: readonly { readonly urn: string }[];
    readonly pending_operations?: readonly {
      readonly type: string;
      readonly resource: { readonly urn: string };
    }[];
  };
}

/** The pending creates of an exported state: those whose resource the state also holds, and the rest. */
export function pendingCreates(state: ExportedState): { recorded: string[]; unrecorded: string[] } {
  const held = new Set((state.deployment.resources ?? []).map((r) => r.urn));
  const creates = (state.deployment.pending_operations ?? [])
    .filter((op) => op.type === "creating")
    .map((op) => op.resource.urn);
  return {
    recorded: creates.filter((urn) => held.has(urn)),
    unrecorded: creates.filter((urn) => !held.has(urn)),
  };
}

// A stack's exported state runs to megabytes (kind's: about 4 MB).
const pulumi = (...args: string[]) =>
  execFileSync("pulumi", args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });

function main(): Promise<number> {
  const stack = process.argv[2];
  if (stack === undefined) throw new Error("usage: pendingCreates.ts <stack>");
  const { recorded, unrecorded } = pendingCreates(
    JSON.parse(pulumi("stack", "export", "--stack", stack)) as ExportedState,
  );
  if (recorded.length + unrecorded.length === 0) return Promise.resolve(0);
  if (unrecorded.length > 0) {
    console.log(
      `==> Stack '${stack}' holds ${recorded.length + unrecorded.length} pending create(s) from a killed up; the state has no resource for ${unrecorded.length}: ${unrecorded.join(", ")}. If its object exists, adopt it with pulumi refresh --import-pending-creates <urn> <namespace/name> --stack ${stack}; then clear the rest with pulumi refresh --clear-pending-creates --yes --stack ${stack} (docs/troubleshooting.md#an-up-was-interrupted).`,
    );
    return Promise.resolve(0);
  }
  console.log(
    `==> Stack '${stack}' held ${recorded.length} pending create(s) from a killed up, each of which this up recorded: clearing them (pulumi refresh --clear-pending-creates --yes --stack ${stack})`,
  );
  pulumi("refresh", "--clear-pending-creates", "--yes", "--skip-preview", "--stack", stack);
  return Promise.resolve(0);
}

if (require.main === module) exitWith(main);
