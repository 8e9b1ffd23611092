// The test tiers' Go tools are listed once (testkit/tierTools.json): scripts/steps.sh prebuilds
// from that list and each tier's jest global setup builds from it.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { TestTier, toolsOfTier } from "../../testkit/tools";

const ROOT = path.resolve(__dirname, "../..");
const TIERS: readonly TestTier[] = ["unit", "scenarios", "components", "cluster", "examples"];

/** `tier_tools <tiers>` of scripts/steps.sh, without the step summary its EXIT trap prints. */
function tierTools(...tiers: string[]): string[] {
  const output = execFileSync(
    "bash",
    ["-c", 'source scripts/steps.sh; trap - EXIT; tier_tools "$@"', "tier_tools", ...tiers],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, OBSERVABILITY_STEP_LOG: "/dev/null" } },
  );
  return output.split("\n").filter((line) => line !== "");
}

test("every tier's tools are Go tools of tools/", () => {
  for (const tier of TIERS) {
    for (const tool of toolsOfTier(tier)) {
      expect(fs.existsSync(path.join(ROOT, "tools", tool))).toBe(true);
    }
  }
});

test("steps.sh's tier_tools lists the tiers' tools from the same list, once each, in the tiers' order", () => {
  for (const tier of TIERS) {
    expect(tierTools(tier)).toEqual(toolsOfTier(tier));
  }
  expect(tierTools(...TIERS)).toEqual([...new Set(TIERS.flatMap(toolsOfTier))]);
  expect(tierTools("cluster", "unit")).toEqual([
    ...new Set([...toolsOfTier("cluster"), ...toolsOfTier("unit")]),
  ]);
  expect(tierTools()).toEqual([]);
});
